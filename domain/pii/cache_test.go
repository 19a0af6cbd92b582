package pii_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/emcc/accredit/domain/pii"
)

// countingKeys counts the reads of a key store, and can hold a read of
// one subject after it has read the key, until released.
type countingKeys struct {
	*pii.MemoryKeys
	gets    atomic.Int64
	hold    string
	fetched chan struct{}
	release chan struct{}
}

func (k *countingKeys) Get(ctx context.Context, subject string) ([]byte, error) {
	k.gets.Add(1)
	b, err := k.MemoryKeys.Get(ctx, subject)
	if subject == k.hold {
		close(k.fetched)
		<-k.release
	}
	return b, err
}

// TestTheVaultKeepsOnlyTheKeysUsedLast: the keys unwrapped are a cache
// of those used last, not every key ever used (100k at 100k users): a key
// used last is opened with no read of the store, one used long ago is
// read and unwrapped again, and each still opens its values.
func TestTheVaultKeepsOnlyTheKeysUsedLast(t *testing.T) {
	ctx := context.Background()
	keys := &countingKeys{MemoryKeys: pii.NewMemoryKeys()}
	v, err := pii.NewVault(keys, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	v.CacheKeys(3)
	sealed := make([]pii.Sealed, 10)
	for i := range sealed {
		if sealed[i], err = v.Seal(ctx, fmt.Sprintf("user-%d", i), fmt.Sprintf("name %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	open := func(i int) int64 {
		t.Helper()
		before := keys.gets.Load()
		if got, err := v.Open(ctx, sealed[i]); err != nil || got != fmt.Sprintf("name %d", i) {
			t.Fatalf("open %d: got %q, %v", i, got, err)
		}
		return keys.gets.Load() - before
	}
	for _, i := range []int{7, 8, 9} {
		if n := open(i); n != 0 {
			t.Errorf("user-%d, among the 3 used last: %d reads of the key store, want 0", i, n)
		}
	}
	if n := open(0); n != 1 {
		t.Errorf("user-0, used before the 3 last: %d reads of the key store, want 1 (its key not kept)", n)
	}
	if n := open(0); n != 0 {
		t.Errorf("user-0 again: %d reads, want 0 (kept once used)", n)
	}
}

// TestAKeyErasedWhileFetchedIsNotKept: an open that read a person's key
// just before their erasure is answered (it came first), but the key is
// not kept: a later open fails as erased instead of reading their data
// until the process ends.
func TestAKeyErasedWhileFetchedIsNotKept(t *testing.T) {
	ctx := context.Background()
	keys := &countingKeys{MemoryKeys: pii.NewMemoryKeys(), fetched: make(chan struct{}), release: make(chan struct{})}
	v, err := pii.NewVault(keys, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.Seal(ctx, "user-1", "Ada Lovelace")
	if err != nil {
		t.Fatal(err)
	}
	v.Forget("user-1") // as in another process: the next open reads the store
	keys.hold = "user-1"
	done := make(chan error, 1)
	go func() {
		got, err := v.Open(ctx, s)
		if err == nil && got != "Ada Lovelace" {
			err = fmt.Errorf("got %q", got)
		}
		done <- err
	}()
	<-keys.fetched
	if err := v.Erase(ctx, "user-1"); err != nil {
		t.Fatal(err)
	}
	keys.hold = ""
	close(keys.release)
	if err := <-done; err != nil {
		t.Fatalf("the open that came first: %v", err)
	}
	if got, err := v.Open(ctx, s); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("open after the erasure: got %q, %v; want ErrErased", got, err)
	}
}
