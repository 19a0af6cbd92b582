package projections_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// TestAStartAfterAStopPublishesItsSnapshotUnderTheLock: a runner stopped
// and started again (its snapshot loaded in place of the models it served)
// is read all along, as a process's handlers read it; the loaded models
// must reach the readers under the lock they read with. Run with -race:
// the detector reports the write of the new models against the reads on
// either side of it when the start publishes them without the lock.
func TestAStartAfterAStopPublishesItsSnapshotUnderTheLock(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 17)
	g.OpenCases(t, 6)
	g.Steps(t, 60)
	last := lastSeq(t, store)
	opt := projections.Options{SnapshotDir: t.TempDir(), Schema: projections.Schema, SnapshotEvery: time.Hour}
	r := projections.NewRunner(store, projections.NewSet, opt)
	r.Start()
	waitAt(t, r, last)
	r.Stop()
	if got := r.Saved(); got != last {
		t.Fatalf("the stop saved a snapshot at %d, want %d: the start after it would load nothing", got, last)
	}

	var reads atomic.Int64
	first, stop, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			r.Read(func(s *projections.Set) { _ = s.Position() })
			if reads.Add(1) == 1 {
				close(first)
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	<-first
	r.Start()
	defer r.Stop()
	// A few reads after the start too, so the detector sees one on each
	// side of the publication whatever the scheduling.
	deadline := time.Now().Add(time.Minute) // a bound on the wait, not a speed measured
	for n := reads.Load(); reads.Load() < n+3; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatal("the reader made no read after the start")
		}
	}
	close(stop)
	<-done
	if got := r.Resumed(); got != last {
		t.Fatalf("started again at %d, want %d from the snapshot", got, last)
	}
}
