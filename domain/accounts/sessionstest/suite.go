// Package sessionstest is the conformance suite of the session-store port
// (accounts.SessionStore): every implementation runs it (the in-memory one
// and JetStream). It pins what the accounts service relies on, by key
// (user id, token hash), whatever the store keeps besides.
package sessionstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/internal/porttest"
)

// Harness gives the suite a fresh, empty store per test.
type Harness struct {
	New func(t *testing.T) accounts.SessionStore
}

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	porttest.Run(t, h.New, []porttest.Test[accounts.SessionStore]{
		{Name: "an unknown token is ErrNoSession", Fn: unknown},
		{Name: "put then get returns the session", Fn: putAndGet},
		{Name: "a second put under the same key replaces the session", Fn: overwrite},
		{Name: "a token hash is found only under its own user", Fn: underItsUser},
		{Name: "delete ends the session; deleting again is not an error", Fn: deleteSession},
		{Name: "list returns exactly the user's token hashes, none for a user without", Fn: list},
		{Name: "16 concurrent logins of one user are all listed", Fn: concurrentPuts},
		{Name: "a key the store cannot hold is ErrNoSession, and deleting it is not an error", Fn: malformedKey},
	})
}

func ctx(t *testing.T) context.Context { return porttest.Context(t) }

// user is a fresh user id (a ULID, as the service's are).
func user() string { return ulid.Make().String() }

// tokenHash is a fresh token hash (hex SHA-256 shaped).
func tokenHash() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func session(userID string) accounts.Session {
	return accounts.Session{UserID: userID, ExpiresAt: time.Now().Add(time.Hour).UTC().Round(time.Millisecond)}
}

func mustPut(t *testing.T, s accounts.SessionStore, userID, hash string, sess accounts.Session) {
	t.Helper()
	if err := s.Put(ctx(t), userID, hash, sess); err != nil {
		t.Fatalf("put %s.%s: %v", userID, hash, err)
	}
}

func wantSession(t *testing.T, s accounts.SessionStore, userID, hash string, want accounts.Session) {
	t.Helper()
	got, err := s.Get(ctx(t), userID, hash)
	if err != nil || got.UserID != want.UserID || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("get %s.%s: got %+v, %v, want %+v", userID, hash, got, err, want)
	}
}

func wantNone(t *testing.T, s accounts.SessionStore, userID, hash string) {
	t.Helper()
	if got, err := s.Get(ctx(t), userID, hash); !errors.Is(err, accounts.ErrNoSession) {
		t.Fatalf("get %s.%s: got %+v, %v, want ErrNoSession", userID, hash, got, err)
	}
}

func wantList(t *testing.T, s accounts.SessionStore, userID string, want []string) {
	t.Helper()
	got, err := s.List(ctx(t), userID)
	if err != nil {
		t.Fatalf("list %s: %v", userID, err)
	}
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Fatalf("list %s: got %d hashes %v, want %d %v", userID, len(got), got, len(want), want)
	}
}

func unknown(t *testing.T, s accounts.SessionStore) {
	wantNone(t, s, user(), tokenHash())
}

func putAndGet(t *testing.T, s accounts.SessionStore) {
	u, h := user(), tokenHash()
	sess := session(u)
	mustPut(t, s, u, h, sess)
	wantSession(t, s, u, h, sess)
}

func overwrite(t *testing.T, s accounts.SessionStore) {
	u, h := user(), tokenHash()
	first := session(u)
	mustPut(t, s, u, h, first)
	wantSession(t, s, u, h, first) // read before it is written over: no stale copy kept
	later := accounts.Session{UserID: u, ExpiresAt: time.Now().Add(48 * time.Hour).UTC().Round(time.Millisecond)}
	mustPut(t, s, u, h, later)
	wantSession(t, s, u, h, later)
	wantList(t, s, u, []string{h})
}

func underItsUser(t *testing.T, s accounts.SessionStore) {
	ada, bob, h := user(), user(), tokenHash()
	mustPut(t, s, ada, h, session(ada))
	wantNone(t, s, bob, h)
	wantList(t, s, bob, nil)
}

func deleteSession(t *testing.T, s accounts.SessionStore) {
	u, h, other := user(), tokenHash(), tokenHash()
	sess := session(u)
	mustPut(t, s, u, h, sess)
	mustPut(t, s, u, other, sess)
	wantSession(t, s, u, h, sess) // read before it is deleted: no stale copy kept
	for i := range 2 {
		if err := s.Delete(ctx(t), u, h); err != nil {
			t.Fatalf("delete %d: %v", i+1, err)
		}
	}
	wantNone(t, s, u, h)
	wantSession(t, s, u, other, sess)
	wantList(t, s, u, []string{other})
	if err := s.Delete(ctx(t), user(), tokenHash()); err != nil {
		t.Fatalf("delete of a session never stored: %v", err)
	}
}

func list(t *testing.T, s accounts.SessionStore) {
	ada, bob := user(), user()
	var adas, bobs []string
	for range 3 {
		h := tokenHash()
		adas = append(adas, h)
		mustPut(t, s, ada, h, session(ada))
	}
	for range 200 {
		h := tokenHash()
		bobs = append(bobs, h)
		mustPut(t, s, bob, h, session(bob))
	}
	wantList(t, s, ada, adas)
	wantList(t, s, bob, bobs)
	wantList(t, s, user(), nil)
}

func concurrentPuts(t *testing.T, s accounts.SessionStore) {
	u := user()
	hashes := make([]string, 16)
	errs := make([]error, len(hashes))
	var wg sync.WaitGroup
	for i := range hashes {
		hashes[i] = tokenHash()
		wg.Go(func() { errs[i] = s.Put(ctx(t), u, hashes[i], session(u)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	wantList(t, s, u, hashes)
}

// The service hashes what a client sends, but a store must not answer
// anything but "no session" for a key it cannot hold.
func malformedKey(t *testing.T, s accounts.SessionStore) {
	u := user()
	mustPut(t, s, u, tokenHash(), session(u))
	for _, h := range []string{"", "has space", "wild*", "tail>", "dot.ted"} {
		wantNone(t, s, u, h)
		if err := s.Delete(ctx(t), u, h); err != nil {
			t.Fatalf("delete %q: %v", h, err)
		}
	}
}
