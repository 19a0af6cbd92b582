package projections

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections/historygen"
)

// TestOnlyALargeSnapshotGivesItsMemoryBackAtOnce: a snapshot written
// ahead smaller than returnMemoryAfter leaves the memory its encoding took
// to the scavenger (a forced collection after each, under a steady load of
// commands, was 3% of the process's CPU); one at least that large gives it
// back at once.
func TestOnlyALargeSnapshotGivesItsMemoryBackAtOnce(t *testing.T) {
	var returned atomic.Int64
	counted := func(r *Runner) *Runner {
		r.returnMemory = func() { returned.Add(1) }
		return r
	}

	store := eventstore.NewMemory()
	g := historygen.New(t, store, 3)
	g.OpenCases(t, 10)
	g.Steps(t, 50)
	r := counted(NewRunner(store, NewSet, Options{SnapshotDir: t.TempDir(), Schema: Schema, SnapshotEvery: 20 * time.Millisecond}))
	r.Start()
	defer func() { r.Stop() }()

	savedAt := func(seq uint64) {
		t.Helper()
		deadline := time.Now().Add(failAfter)
		for r.Saved() < seq {
			if time.Now().After(deadline) {
				t.Fatalf("no snapshot at %d (the last at %d)", seq, r.Saved())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	savedAt(lastSeqOf(t, r))
	size := r.savedBytes.Load()
	if size <= 0 || size >= returnMemoryAfter {
		t.Fatalf("the snapshot is %d bytes: the test wants one under %d", size, returnMemoryAfter)
	}
	// The release comes after the saved position is stored: wait for the
	// next tick's chance to have passed.
	time.Sleep(100 * time.Millisecond)
	if n := returned.Load(); n != 0 {
		t.Fatalf("a snapshot of %d bytes gave the memory back %d times, want 0", size, n)
	}

	r.Stop()
	r = counted(NewRunner(store, NewSet, Options{SnapshotDir: t.TempDir(), Schema: Schema, SnapshotEvery: 20 * time.Millisecond}))
	r.returnAfter = 1
	r.Start()
	savedAt(lastSeqOf(t, r))
	deadline := time.Now().Add(failAfter)
	for returned.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("a snapshot of %d bytes, over a bound of 1, did not give the memory back", r.savedBytes.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
