package natsstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// Sessions are found by token in one read and listed by user from that
// user's keys alone.
func TestSessionsByTokenAndByUser(t *testing.T) {
	srv := natstest.Start(t)
	ctx := context.Background()
	ss, err := natsstore.OpenSessionStore(ctx, srv.EventStore(t).JetStream(), natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	const ada, bob = "01ADA000000000000000000000", "01BOB000000000000000000000"
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	var adas []string
	for i := range 3 {
		h := fmt.Sprintf("%064x", i)
		adas = append(adas, h)
		if err := ss.Put(ctx, ada, h, accounts.Session{UserID: ada, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 200 {
		if err := ss.Put(ctx, bob, fmt.Sprintf("%064x", 1000+i), accounts.Session{UserID: bob, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ss.List(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, adas) {
		t.Fatalf("Ada's sessions: got %v, want %v", got, adas)
	}
	if s, err := ss.Get(ctx, ada, adas[1]); err != nil || s.UserID != ada || !s.ExpiresAt.Equal(exp) {
		t.Fatalf("get: got %+v, %v", s, err)
	}
	// A token hash under another user is not found.
	if _, err := ss.Get(ctx, bob, adas[1]); !errors.Is(err, accounts.ErrNoSession) {
		t.Fatalf("Ada's session under Bob: got %v, want ErrNoSession", err)
	}
	if err := ss.Delete(ctx, ada, adas[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Get(ctx, ada, adas[1]); !errors.Is(err, accounts.ErrNoSession) {
		t.Fatalf("after delete: got %v, want ErrNoSession", err)
	}
	if got, _ := ss.List(ctx, ada); len(got) != 2 {
		t.Fatalf("after delete: got %d of Ada's sessions, want 2", len(got))
	}
	if got, err := ss.List(ctx, "01NOBODY000000000000000000"); err != nil || len(got) != 0 {
		t.Fatalf("a user with no sessions: got %v, %v", got, err)
	}
	if got, _ := ss.List(ctx, bob); len(got) != 200 {
		t.Fatalf("Bob's sessions: got %d, want 200", len(got))
	}
}
