package pii

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

// readCounting counts the reads of a key store.
type readCounting struct {
	*MemoryKeys
	gets atomic.Int64
}

func (k *readCounting) Get(ctx context.Context, subject string) ([]byte, error) {
	k.gets.Add(1)
	return k.MemoryKeys.Get(ctx, subject)
}

// A key kept unwrapped but no longer ready (past the ciphers kept) is made
// ready again without a read of the key store, and opens values and files;
// a Forget drops it from both, so the next open reads the store, and an
// erasure then leaves nothing to open with.
func TestAKeyKeptButNotReadyIsMadeReadyWithoutTheStore(t *testing.T) {
	ctx := context.Background()
	keys := &readCounting{MemoryKeys: NewMemoryKeys()}
	v, err := NewVault(keys, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	v.raw.resize(10)
	v.ciphers.resize(2)
	sealed := make([]Sealed, 5)
	var file bytes.Buffer
	for i := range sealed {
		if sealed[i], err = v.Seal(ctx, fmt.Sprintf("user-%d", i), fmt.Sprintf("name %d", i)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w, err := v.SealFile(ctx, "user-0", &file)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte("a file of user-0")); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, ready := v.ciphers.Get("user-0"); ready {
		t.Fatal("user-0 still ready: the test needs it past the ciphers kept")
	}
	before := keys.gets.Load()
	if got, err := v.Open(ctx, sealed[0]); err != nil || got != "name 0" {
		t.Fatalf("open: %q, %v", got, err)
	}
	r, err := v.OpenFile(ctx, "user-0", bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := plain.ReadFrom(r); err != nil || plain.String() != "a file of user-0" {
		t.Fatalf("file: %q, %v", plain.String(), err)
	}
	if n := keys.gets.Load() - before; n != 0 {
		t.Fatalf("%d reads of the key store for a key kept unwrapped, want 0", n)
	}
	v.Forget("user-0")
	if _, err := v.Open(ctx, sealed[0]); err != nil {
		t.Fatal(err)
	}
	if n := keys.gets.Load() - before; n != 1 {
		t.Fatalf("%d reads of the key store after a Forget, want 1", n)
	}
	if err := v.Erase(ctx, "user-0"); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Open(ctx, sealed[0]); !errors.Is(err, ErrErased) {
		t.Fatalf("open after the erasure: %q, %v; want ErrErased", got, err)
	}
}

// A key kept unwrapped and not ready takes a third or less of the memory of a
// ready one (its cipher's round keys and GHASH table).
func TestAKeyNotReadyIsSmall(t *testing.T) {
	ctx := context.Background()
	const n = 2000
	size := func(ciphers int) uint64 {
		v, err := NewVault(NewMemoryKeys(), bytes.Repeat([]byte{7}, 32))
		if err != nil {
			t.Fatal(err)
		}
		v.raw.resize(n)
		v.ciphers.resize(ciphers)
		subjects := make([]string, n)
		for i := range subjects {
			subjects[i] = fmt.Sprintf("user-%06d", i)
		}
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		for _, s := range subjects {
			if _, err := v.Seal(ctx, s, "x"); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		runtime.KeepAlive(v)
		return (m1.HeapAlloc - m0.HeapAlloc) / n
	}
	ready, kept := size(n), size(1)
	t.Logf("per key: %d bytes ready, %d kept unwrapped only (with the key store's own copy)", ready, kept)
	if kept*3 > ready {
		t.Fatalf("a key kept unwrapped takes %d bytes, a ready one %d: want a third or less", kept, ready)
	}
}

// SealExisting, which seals everyone's values again for the search index's
// snapshot, neither keeps the keys it reads nor moves those kept: the keys
// kept unwrapped and those ready stay the ones the requests used last, in
// their order.
func TestSealExistingKeepsNoKeyAndMovesNone(t *testing.T) {
	ctx := context.Background()
	keys := &readCounting{MemoryKeys: NewMemoryKeys()}
	v, err := NewVault(keys, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	v.raw.resize(4)
	v.ciphers.resize(2)
	subjects := []string{"user-0", "user-1", "user-2", "user-3", "user-4", "user-5"}
	for _, s := range subjects {
		if _, err := v.Seal(ctx, s, "first "+s); err != nil {
			t.Fatal(err)
		}
	}
	kept := func() string {
		return fmt.Sprint(v.raw.shards[0].Keys(), v.ciphers.shards[0].Keys())
	}
	before := kept()
	if want := "[user-2 user-3 user-4 user-5] [user-4 user-5]"; before != want {
		t.Fatalf("kept before: %s, want %s", before, want)
	}
	reads := keys.gets.Load()
	resealed := make([]Sealed, len(subjects))
	for pass := range 2 {
		p := v.Pass()
		for i := len(subjects) - 1; i >= 0; i-- { // the kept ones newest first: each Get would move one
			s := subjects[i]
			if resealed[i], err = p.SealExisting(ctx, s, "again "+s); err != nil {
				t.Fatalf("pass %d: %s: %v", pass, s, err)
			}
		}
		if got := kept(); got != before {
			t.Fatalf("pass %d: kept %s, want %s as before", pass, got, before)
		}
		// Only the two keys kept nowhere are read, on every pass.
		if n := keys.gets.Load() - reads; n != int64(2*(pass+1)) {
			t.Fatalf("pass %d: %d reads of the key store, want %d", pass, n, 2*(pass+1))
		}
	}
	for i, s := range subjects {
		if got, err := v.Open(ctx, resealed[i]); err != nil || got != "again "+s {
			t.Fatalf("open %s: %q, %v", s, got, err)
		}
	}
}
