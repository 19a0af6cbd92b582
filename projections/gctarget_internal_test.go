package projections

import (
	"runtime/debug"
	"sync"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections/historygen"
)

// gcPercent reads the collector's target.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestSnapshotsGiveTheCollectorItsTargetBack: while snapshots are written
// the collector's target is snapshotGCPercent; overlapping ones give the
// one they found back once the last has ended, and a target set lower, or
// off, is left as it was.
func TestSnapshotsGiveTheCollectorItsTargetBack(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(150))
	first := tightenGC()
	second := tightenGC()
	if got := gcPercent(); got != snapshotGCPercent {
		t.Fatalf("target while two snapshots are written: got %d, want %d", got, snapshotGCPercent)
	}
	first()
	first() // once only
	if got := gcPercent(); got != snapshotGCPercent {
		t.Fatalf("target while one snapshot is still written: got %d, want %d", got, snapshotGCPercent)
	}
	second()
	if got := gcPercent(); got != 150 {
		t.Fatalf("target after the snapshots: got %d, want the 150 found", got)
	}
	for _, set := range []int{10, -1} {
		debug.SetGCPercent(set)
		restore := tightenGC()
		if got := gcPercent(); got != set {
			t.Fatalf("target %d while a snapshot is written: got %d, want it kept", set, got)
		}
		restore()
	}

	// Real snapshots, overlapping, on a real runner.
	debug.SetGCPercent(150)
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 3)
	g.OpenCases(t, 20)
	g.Steps(t, 200)
	g.Close()
	r := NewRunner(store, NewSet, Options{SnapshotDir: t.TempDir(), Schema: Schema})
	if _, err := r.Rebuild(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := r.SaveSnapshot(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := gcPercent(); got != 150 {
		t.Fatalf("target after overlapping snapshots: got %d, want the 150 found", got)
	}
}
