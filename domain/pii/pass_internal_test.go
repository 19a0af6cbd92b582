package pii

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// eachCounting counts the reads of a key store, one key and all at once,
// and fails the reads of all at once while failEach.
type eachCounting struct {
	readCounting
	eaches   atomic.Int64
	failEach atomic.Bool
}

func (k *eachCounting) Each(ctx context.Context, fn func(string, []byte) error) error {
	k.eaches.Add(1)
	if k.failEach.Load() {
		return errors.New("key store unavailable")
	}
	return k.MemoryKeys.Each(ctx, fn)
}

// sealedBy seals a value for each of n people in a vault over keys, and
// returns a vault over the same keys that keeps none of them yet (a
// process started since).
func sealedBy(t *testing.T, keys KeyStore, n int) ([]Sealed, *Vault) {
	t.Helper()
	master := bytes.Repeat([]byte{9}, 32)
	v, err := NewVault(keys, master)
	if err != nil {
		t.Fatal(err)
	}
	sealed := make([]Sealed, n)
	for i := range sealed {
		if sealed[i], err = v.Seal(context.Background(), fmt.Sprintf("person-%d", i), fmt.Sprintf("name %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	cold, err := NewVault(keys, master)
	if err != nil {
		t.Fatal(err)
	}
	return sealed, cold
}

// A pass over people whose keys the vault does not keep reads
// passBulkAfter of them one at a time, then all the rest at once, by 16
// openers at once as the search index's load does; every value opens.
func TestAPassReadsTheKeysInBulkAfterSomeOneByOne(t *testing.T) {
	ctx := context.Background()
	keys := &eachCounting{readCounting: readCounting{MemoryKeys: NewMemoryKeys()}}
	n := passBulkAfter + 500
	sealed, v := sealedBy(t, keys, n)
	keys.gets.Store(0)
	p := v.Pass()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range 16 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if got, err := p.Open(ctx, sealed[i]); err != nil || got != fmt.Sprintf("name %d", i) {
					errs <- fmt.Errorf("open %d: %q, %v", i, got, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := keys.gets.Load(); got != passBulkAfter {
		t.Errorf("the key store was read one key at a time %d times, want %d", got, passBulkAfter)
	}
	if got := keys.eaches.Load(); got != 1 {
		t.Errorf("the key store was read whole %d times, want once", got)
	}
	if st := p.Stats(); st.OneByOne != passBulkAfter || st.InBulk != n {
		t.Errorf("stats %+v, want %d one by one and %d in bulk", st, passBulkAfter, n)
	}
	// Open keeps the keys as Vault.Open does: a second pass reads none.
	keys.gets.Store(0)
	q := v.Pass()
	for i := range sealed {
		if _, err := q.Open(ctx, sealed[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got, st := keys.gets.Load(), q.Stats(); got != 0 || st != (PassStats{}) || keys.eaches.Load() != 1 {
		t.Errorf("a pass over kept keys: %d reads of a key, stats %+v, %d reads of all; want none", got, st, keys.eaches.Load())
	}
}

// A pass over people whose keys the vault keeps reads nothing, and
// SealExisting within it seals values that open.
func TestAPassOverKeptKeysReadsNothing(t *testing.T) {
	ctx := context.Background()
	keys := &eachCounting{readCounting: readCounting{MemoryKeys: NewMemoryKeys()}}
	n := passBulkAfter + 10
	v, err := NewVault(keys, bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := v.Seal(ctx, fmt.Sprintf("person-%d", i), "x"); err != nil {
			t.Fatal(err)
		}
	}
	keys.gets.Store(0)
	p := v.Pass()
	for i := range n {
		s, err := p.SealExisting(ctx, fmt.Sprintf("person-%d", i), "again")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := v.Open(ctx, s); err != nil || got != "again" {
			t.Fatalf("open %d: %q, %v", i, got, err)
		}
	}
	if keys.gets.Load() != 0 || keys.eaches.Load() != 0 || p.Stats() != (PassStats{}) {
		t.Fatalf("%d reads of a key, %d of all, stats %+v: want none", keys.gets.Load(), keys.eaches.Load(), p.Stats())
	}
}

// Once the keys are read in bulk: a person erased since is erased for
// the pass too (what it read is not used after a Forget), and a key made
// since, which it did not read, is read from the store. A pass makes no
// key: a subject with none is ErrErased.
func TestAPassTakesNoErasedKeyFromWhatItRead(t *testing.T) {
	ctx := context.Background()
	keys := &eachCounting{readCounting: readCounting{MemoryKeys: NewMemoryKeys()}}
	n := passBulkAfter + 2
	sealed, v := sealedBy(t, keys, n)
	p := v.Pass()
	for i := range passBulkAfter + 1 { // the last one read in bulk
		if _, err := p.Open(ctx, sealed[i]); err != nil {
			t.Fatal(err)
		}
	}
	if st := p.Stats(); st.InBulk != n {
		t.Fatalf("stats %+v: the test needs the keys read in bulk", st)
	}
	other, err := NewVault(keys, bytes.Repeat([]byte{9}, 32)) // another process
	if err != nil {
		t.Fatal(err)
	}
	made, err := other.Seal(ctx, "newcomer", "new name")
	if err != nil {
		t.Fatal(err)
	}
	before := p.Stats().OneByOne
	if got, err := p.Open(ctx, made); err != nil || got != "new name" {
		t.Fatalf("a key made after the bulk read: %q, %v", got, err)
	}
	if got := p.Stats().OneByOne - before; got != 1 {
		t.Fatalf("a key made after the bulk read: %d reads of one key, want 1", got)
	}
	if err := v.Erase(ctx, sealed[n-1].Subject); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Open(ctx, sealed[n-1]); !errors.Is(err, ErrErased) {
		t.Fatalf("a person erased after the bulk read: %q, %v; want ErrErased", got, err)
	}
	if _, err := p.SealExisting(ctx, sealed[n-1].Subject, "again"); !errors.Is(err, ErrErased) {
		t.Fatalf("sealing for a person erased after the bulk read: %v; want ErrErased", err)
	}
	if _, err := p.SealExisting(ctx, "nobody", "x"); !errors.Is(err, ErrErased) {
		t.Fatalf("sealing for a subject with no key: %v; want ErrErased", err)
	}
	if _, err := keys.Get(ctx, "nobody"); !errors.Is(err, ErrNoKey) {
		t.Fatalf("a pass made a key: %v", err)
	}
}

// A bulk read that fails leaves the pass reading one key at a time, and
// it does not try again.
func TestAPassWhoseBulkReadFailsReadsOneByOne(t *testing.T) {
	ctx := context.Background()
	keys := &eachCounting{readCounting: readCounting{MemoryKeys: NewMemoryKeys()}}
	n := passBulkAfter + 50
	sealed, v := sealedBy(t, keys, n)
	keys.failEach.Store(true)
	keys.gets.Store(0)
	p := v.Pass()
	for i := range sealed {
		if got, err := p.Open(ctx, sealed[i]); err != nil || got != fmt.Sprintf("name %d", i) {
			t.Fatalf("open %d: %q, %v", i, got, err)
		}
	}
	if keys.gets.Load() != int64(n) || keys.eaches.Load() != 1 {
		t.Fatalf("%d reads of a key and %d of all, want %d and 1", keys.gets.Load(), keys.eaches.Load(), n)
	}
	if st := p.Stats(); st.OneByOne != n || st.InBulk != 0 {
		t.Fatalf("stats %+v", st)
	}
}
