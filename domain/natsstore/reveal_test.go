package natsstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// TestAKeyStoreThatDoesNotAnswerIsNoErasure: a view of a person whose key
// cannot be read for now (the request's context ended, the server down)
// shows pii.Unavailable, never pii.Erased, which would say their data was
// erased; it is recorded on a Strict context and logged by subject, never
// with the value. A person really erased reads pii.Erased, and a key
// already in memory still opens.
func TestAKeyStoreThatDoesNotAnswerIsNoErasure(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	js, err := jetstream.New(srv.Conn)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := natsstore.OpenKeyStore(ctx, js, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	master := bytes.Repeat([]byte{7}, 32)
	writer, err := pii.NewVault(keys, master)
	if err != nil {
		t.Fatal(err)
	}
	carla, err := writer.Seal(ctx, "u-carla", "Carla Coach")
	if err != nil {
		t.Fatal(err)
	}
	erin, err := writer.Seal(ctx, "u-erin", "Erin Erased")
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.Erase(ctx, "u-erin"); err != nil {
		t.Fatal(err)
	}
	// Another process's vault: no key in memory yet.
	reader, err := pii.NewVault(keys, master)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	reader.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	if got := reader.Reveal(ctx, erin); got != pii.Erased {
		t.Fatalf("an erased person's name reads %q, want %q", got, pii.Erased)
	}

	ended, cancel := context.WithCancel(ctx)
	cancel()
	strict, unreadable := pii.Strict(ended)
	if got := reader.Reveal(strict, carla); got != pii.Unavailable {
		t.Fatalf("a name read on an ended context: %q, want %q", got, pii.Unavailable)
	}
	if err := unreadable(); err == nil {
		t.Fatal("the Strict context recorded no failure")
	}
	if got, err := reader.OpenOrErased(ended, carla); err == nil {
		t.Fatalf("OpenOrErased on an ended context: %q and no error", got)
	}
	if s := logs.String(); !strings.Contains(s, "u-carla") || strings.Contains(s, "Carla") {
		t.Fatalf("the warning: %q; want it to name the subject and not the value", s)
	}

	srv.Stop()
	down, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if got := reader.Reveal(down, carla); got != pii.Unavailable {
		t.Fatalf("a name read with the key store down: %q, want %q", got, pii.Unavailable)
	}
	if got := writer.Reveal(down, carla); got != "Carla Coach" {
		t.Fatalf("a name whose key is in memory, the key store down: %q, want it opened", got)
	}
}
