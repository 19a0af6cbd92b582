// Package keystoretest is the conformance suite of the key-store port
// (pii.KeyStore): every implementation runs it (the in-memory one and
// JetStream), so a test on one means the same on the other.
package keystoretest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
		{Name: "delete removes the key for good: get and a later create answer ErrErased", Fn: deleteThenCreate},
		{Name: "delete of a subject without a key is not an error, and erases it", Fn: deleteMissing},
		{Name: "subjects are independent", Fn: independent},
		{Name: "the store keeps its own copy of a key", Fn: ownCopy},
		{Name: "a 64 KiB value of every byte value is kept whole", Fn: largeValue},
		{Name: "each of an empty store calls nothing", Fn: eachOfNone},
		{Name: "each gives every key byte for byte, once, and none deleted", Fn: eachOfMany},
		{Name: "each stops at the first error of its function and returns it", Fn: eachStops},
		{Name: "each gives the caller keys of its own", Fn: eachOwnCopy},
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

// An erased person never gets a key again: were a later write about them
// to make one, what it wrote could be read.
func deleteThenCreate(t *testing.T, s pii.KeyStore) {
	subj := subject()
	mustCreate(t, s, subj, []byte("old key"))
	if err := s.Delete(ctx(t), subj); err != nil {
		t.Fatalf("delete: %v", err)
	}
	wantErased(t, s, subj)
	if got, err := s.Create(ctx(t), subj, []byte("new key")); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("create after delete: got %q, %v; want ErrErased", got, err)
	}
	wantErased(t, s, subj)
}

// Erasure is retried after a failure part way: deleting twice must work,
// and deleting a subject that had no key yet erases it all the same.
func deleteMissing(t *testing.T, s pii.KeyStore) {
	subj := subject()
	if err := s.Delete(ctx(t), subj); err != nil {
		t.Fatalf("delete of a subject never seen: %v", err)
	}
	if got, err := s.Create(ctx(t), subj, []byte("key")); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("create after the delete of a subject never seen: got %q, %v; want ErrErased", got, err)
	}
	other := subject()
	mustCreate(t, s, other, []byte("key"))
	for i := range 2 {
		if err := s.Delete(ctx(t), other); err != nil {
			t.Fatalf("delete %d: %v", i+1, err)
		}
	}
	wantErased(t, s, other)
}

func wantErased(t *testing.T, s pii.KeyStore, subj string) {
	t.Helper()
	if got, err := s.Get(ctx(t), subj); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("get of an erased subject: got %q, %v; want ErrErased", got, err)
	}
}

func independent(t *testing.T, s pii.KeyStore) {
	a, b := subject(), subject()
	mustCreate(t, s, a, []byte("key of a"))
	mustCreate(t, s, b, []byte("key of b"))
	if err := s.Delete(ctx(t), a); err != nil {
		t.Fatal(err)
	}
	wantErased(t, s, a)
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

// each collects what Each gives, failing on a subject given twice.
func each(t *testing.T, s pii.KeyStore) map[string][]byte {
	t.Helper()
	got := map[string][]byte{}
	err := s.Each(ctx(t), func(subject string, wrapped []byte) error {
		if _, twice := got[subject]; twice {
			return fmt.Errorf("%s given twice", subject)
		}
		got[subject] = wrapped
		return nil
	})
	if err != nil {
		t.Fatalf("each: %v", err)
	}
	return got
}

func eachOfNone(t *testing.T, s pii.KeyStore) {
	if got := each(t, s); len(got) != 0 {
		t.Fatalf("each of an empty store gave %d keys", len(got))
	}
}

// More keys than a JetStream consumer delivers at once, some deleted,
// one made again after its deletion.
func eachOfMany(t *testing.T, s pii.KeyStore) {
	const n = 600
	want := map[string][]byte{}
	var deleted []string
	for i := range n {
		subj, key := subject(), []byte(fmt.Sprintf("wrapped key %d", i))
		mustCreate(t, s, subj, key)
		want[subj] = key
		if i%10 == 0 {
			deleted = append(deleted, subj)
		}
	}
	for _, subj := range deleted {
		if err := s.Delete(ctx(t), subj); err != nil {
			t.Fatal(err)
		}
		delete(want, subj)
	}

	got := each(t, s)
	if len(got) != len(want) {
		t.Fatalf("each gave %d keys, want %d", len(got), len(want))
	}
	for subj, key := range want {
		if !bytes.Equal(got[subj], key) {
			t.Fatalf("each gave %s as %q, want %q", subj, got[subj], key)
		}
	}
}

func eachStops(t *testing.T, s pii.KeyStore) {
	for range 5 {
		mustCreate(t, s, subject(), []byte("key"))
	}
	stop := errors.New("enough")
	calls := 0
	err := s.Each(ctx(t), func(string, []byte) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Fatalf("each: %v after %d calls; want the function's error after 2", err, calls)
	}
}

// A pass keeps what Each gives: changing it must not change the store.
func eachOwnCopy(t *testing.T, s pii.KeyStore) {
	subj := subject()
	mustCreate(t, s, subj, []byte("original"))
	for _, key := range each(t, s) {
		copy(key, "XXXXXXXX")
	}
	wantKey(t, s, subj, []byte("original"))
	if got := each(t, s); !bytes.Equal(got[subj], []byte("original")) {
		t.Fatalf("each gave %q after a change to what it gave before", got[subj])
	}
}
