package projections

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections/historygen"
)

// TestAStoppedRunnerWritesNoSnapshot: a save that Shutdown gave up on (its
// encoding outlasted the stop budget) writes nothing once Shutdown has
// returned, so whoever removes the data directory next never races a late
// write (the seed command's test once failed removing its temporary data
// directory: "directory not empty").
func TestAStoppedRunnerWritesNoSnapshot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "projections")
	r := NewRunner(eventstore.NewMemory(), NewSet, Options{SnapshotDir: dir, Schema: Schema})
	r.Start()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	_ = r.Shutdown(gone) // no time left: nothing saved
	if err := r.saveSnapshot(context.Background()); err == nil {
		t.Fatal("a save after Shutdown returned wrote its snapshot")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the snapshot directory after Shutdown: %v, want none", err)
	}
}

// TestAStopBeginsNoSnapshotItsBudgetCannotHold: when the last snapshot
// (written by this process or, as its file says, by the one before) took
// longer than what is left of the stop's budget, Shutdown writes none
// and returns at once, leaving the one on disk, instead of spending the
// budget on an encoding that cannot end within it.
func TestAStopBeginsNoSnapshotItsBudgetCannotHold(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 3)
	defer g.Close()
	g.OpenCases(t, 4)
	g.Steps(t, 30)
	dir := filepath.Join(t.TempDir(), "projections")
	r := NewRunner(store, NewSet, Options{SnapshotDir: dir, Schema: Schema, SnapshotEvery: time.Hour, SnapshotAfter: 1 << 30})
	r.Start()
	caughtUp := func() uint64 {
		t.Helper()
		end, err := store.LastSeq(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.WaitFor(context.Background(), end); err != nil {
			t.Fatal(err)
		}
		return end
	}
	saved := caughtUp()
	if err := r.SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	if r.took.Load() <= 0 {
		t.Fatal("the snapshot written did not record how long it took")
	}
	// The next process knows it from the file.
	next := NewRunner(store, NewSet, Options{SnapshotDir: dir, Schema: Schema, SnapshotEvery: time.Hour, SnapshotAfter: 1 << 30})
	next.Start()
	if next.Resumed() != saved || next.took.Load() <= 0 {
		t.Fatalf("a start from the snapshot at %d resumed from %d knowing it took %d ns", saved, next.Resumed(), next.took.Load())
	}
	_ = next.Shutdown(canceledContext())
	g.Steps(t, 5)
	if caughtUp() == saved {
		t.Fatal("no commit after the snapshot; the test needs some")
	}
	r.took.Store(int64(time.Hour)) // as if the last one had taken an hour
	budget, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.Shutdown(budget); err == nil {
		t.Fatal("a stop whose budget cannot hold the snapshot says it wrote one")
	}
	if budget.Err() != nil {
		t.Fatal("the stop waited out its budget instead of returning at once")
	}
	if got := r.Saved(); got != saved {
		t.Fatalf("snapshot on disk at %d after the stop, want %d (the one before)", got, saved)
	}
}
