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

// The leader's next message at or after a sequence: across a deleted one,
// with its headers, and none past the last.
func TestLeaderNextReadsAcrossDeletedMessages(t *testing.T) {
	js := jetStreamOnAServer(t)
	ctx := context.Background()
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "GAPS", Subjects: []string{"gaps.>"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		m := nats.NewMsg("gaps." + string(rune('a'+i)))
		m.Data = []byte{byte('0' + i)}
		m.Header.Set("Which", string(rune('a'+i)))
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, seq := range []uint64{2, 4} {
		if err := st.DeleteMsg(ctx, seq); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		from, want uint64 // 0: none
	}{{1, 1}, {2, 3}, {3, 3}, {4, 0}, {9, 0}} {
		m, err := leaderNext(ctx, js.Conn(), "GAPS", tc.from)
		if err != nil {
			t.Fatalf("from %d: %v", tc.from, err)
		}
		switch {
		case tc.want == 0 && m != nil:
			t.Errorf("from %d: got message %d, want none", tc.from, m.Sequence)
		case tc.want != 0 && (m == nil || m.Sequence != tc.want || m.Header.Get("Which") != string(rune('a'+tc.want-1)) || len(m.Data) != 1):
			t.Errorf("from %d: got %+v, want message %d with its header and data", tc.from, m, tc.want)
		}
	}
}
