// Package keystoretest is the conformance suite of the key-store port
// (pii.KeyStore): every implementation runs it (the in-memory one and
// JetStream), so a test on one means the same on the other.
package keystoretest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain/internal/porttest"
	"github.com/emcc/accredit/domain/pii"
)

// Harness gives the suite a fresh, empty store per test.
type Harness struct {
	New func(t *testing.T) pii.KeyStore
}

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	porttest.Run(t, h.New, []porttest.Test[pii.KeyStore]{
		{Name: "a subject without a key is ErrNoKey", Fn: missing},
		{Name: "create stores the key and get returns it byte for byte", Fn: createAndGet},
		{Name: "create keeps the first key and returns it to a second create", Fn: createOnly},
		{Name: "16 concurrent creates of one subject all get the same key", Fn: concurrentCreate},
		{Name: "delete removes the key for good, and a later create stores a new one", Fn: deleteThenCreate},
		{Name: "delete of a subject without a key is not an error", Fn: deleteMissing},
		{Name: "subjects are independent", Fn: independent},
		{Name: "the store keeps its own copy of a key", Fn: ownCopy},
		{Name: "a 64 KiB value of every byte value is kept whole", Fn: largeValue},
	})
}

func ctx(t *testing.T) context.Context { return porttest.Context(t) }

// subject is a fresh subject shaped as the vault's are (a ULID).
func subject() string { return ulid.Make().String() }

func mustCreate(t *testing.T, s pii.KeyStore, subj string, key []byte) []byte {
	t.Helper()
	got, err := s.Create(ctx(t), subj, key)
	if err != nil {
		t.Fatalf("create %s: %v", subj, err)
	}
	return got
}

func wantKey(t *testing.T, s pii.KeyStore, subj string, want []byte) {
	t.Helper()
	got, err := s.Get(ctx(t), subj)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("get %s: got %x, %v, want %x", subj, got, err, want)
	}
}

func wantNoKey(t *testing.T, s pii.KeyStore, subj string) {
	t.Helper()
	if got, err := s.Get(ctx(t), subj); !errors.Is(err, pii.ErrNoKey) {
		t.Fatalf("get %s: got %x, %v, want ErrNoKey", subj, got, err)
	}
}

func missing(t *testing.T, s pii.KeyStore) {
	wantNoKey(t, s, subject())
}

func createAndGet(t *testing.T, s pii.KeyStore) {
	subj, key := subject(), []byte("wrapped-key-0123456789abcdef0123456789abcdef")
	if got := mustCreate(t, s, subj, key); !bytes.Equal(got, key) {
		t.Fatalf("create returned %q, want %q", got, key)
	}
	wantKey(t, s, subj, key)
}

func createOnly(t *testing.T, s pii.KeyStore) {
	subj := subject()
	first, second := []byte("first key"), []byte("second key")
	mustCreate(t, s, subj, first)
	if got := mustCreate(t, s, subj, second); !bytes.Equal(got, first) {
		t.Fatalf("second create returned %q, want the first key %q", got, first)
	}
	wantKey(t, s, subj, first)
}

// The vault creates a key on first use from any request at once: every
// one of them must end up sealing with the same key.
func concurrentCreate(t *testing.T, s pii.KeyStore) {
	subj := subject()
	const n = 16
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got[i], errs[i] = s.Create(ctx(t), subj, []byte{byte(i), 'k', 'e', 'y'})
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("create %d returned %x, create 0 returned %x: two keys for one subject", i, got[i], got[0])
		}
	}
	wantKey(t, s, subj, got[0])
}

func deleteThenCreate(t *testing.T, s pii.KeyStore) {
	subj := subject()
	mustCreate(t, s, subj, []byte("old key"))
	if err := s.Delete(ctx(t), subj); err != nil {
		t.Fatalf("delete: %v", err)
	}
	wantNoKey(t, s, subj)
	if got := mustCreate(t, s, subj, []byte("new key")); string(got) != "new key" {
		t.Fatalf("create after delete returned %q, want the new key", got)
	}
	wantKey(t, s, subj, []byte("new key"))
}

// Erasure is retried after a failure part way: deleting twice must work.
func deleteMissing(t *testing.T, s pii.KeyStore) {
	subj := subject()
	if err := s.Delete(ctx(t), subj); err != nil {
		t.Fatalf("delete of a subject never seen: %v", err)
	}
	mustCreate(t, s, subj, []byte("key"))
	for i := range 2 {
		if err := s.Delete(ctx(t), subj); err != nil {
			t.Fatalf("delete %d: %v", i+1, err)
		}
	}
	wantNoKey(t, s, subj)
}

func independent(t *testing.T, s pii.KeyStore) {
	a, b := subject(), subject()
	mustCreate(t, s, a, []byte("key of a"))
	mustCreate(t, s, b, []byte("key of b"))
	if err := s.Delete(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	wantNoKey(t, s, a)
	wantKey(t, s, b, []byte("key of b"))
}

// A caller reusing its buffers must not change what is stored.
func ownCopy(t *testing.T, s pii.KeyStore) {
	subj := subject()
	in := []byte("original")
	out := mustCreate(t, s, subj, in)
	copy(in, "XXXXXXXX")
	copy(out, "YYYYYYYY")
	got, err := s.Get(ctx(t), subj)
	if err != nil {
		t.Fatal(err)
	}
	copy(got, "ZZZZZZZZ")
	wantKey(t, s, subj, []byte("original"))
}

func largeValue(t *testing.T, s pii.KeyStore) {
	subj := subject()
	key := make([]byte, 64<<10)
	for i := range key {
		key[i] = byte(i)
	}
	mustCreate(t, s, subj, bytes.Clone(key))
	wantKey(t, s, subj, key)
}
