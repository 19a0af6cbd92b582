package natsstore

import (
	"context"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The leader read that confirms a key-value miss sees what the bucket holds:
// a value, a deleted key as missing, an unknown key as missing.
func TestLeaderGetConfirmsKeyValueMisses(t *testing.T) {
	js := jetStreamOnAServer(t)
	ctx := context.Background()
	ss, err := OpenSessionStore(ctx, js, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ss.kv.Put(ctx, "u1.t1", []byte(`{"user_id":"u1"}`)); err != nil {
		t.Fatal(err)
	}
	v, found, err := kvLeaderGet(ctx, js, SessionsBucket, "u1.t1")
	if err != nil || !found || string(v) != `{"user_id":"u1"}` {
		t.Fatalf("stored key: got %q, %v, %v; want the value", v, found, err)
	}
	if _, found, err := kvLeaderGet(ctx, js, SessionsBucket, "u1.unknown"); err != nil || found {
		t.Fatalf("unknown key: got found=%v, %v; want a miss", found, err)
	}
	if err := ss.kv.Purge(ctx, "u1.t1"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := kvLeaderGet(ctx, js, SessionsBucket, "u1.t1"); err != nil || found {
		t.Fatalf("purged key: got found=%v, %v; want a miss", found, err)
	}
	if _, err := ss.kv.Put(ctx, "u1.t2", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := ss.kv.Delete(ctx, "u1.t2"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := kvLeaderGet(ctx, js, SessionsBucket, "u1.t2"); err != nil || found {
		t.Fatalf("deleted key: got found=%v, %v; want a miss", found, err)
	}
}

// jetStreamOnAServer is JetStream on a server of the test's own, in process.
func jetStreamOnAServer(t *testing.T) jetstream.JetStream {
	t.Helper()
	srv, err := server.NewServer(&server.Options{JetStream: true, StoreDir: t.TempDir(), Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	return js
}
