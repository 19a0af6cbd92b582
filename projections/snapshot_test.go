package projections_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// TestASnapshotFollowsAReplayWithNothingAfterIt: a runner that replays a
// history and then hears of no new commit still writes its snapshot at the
// end of the period (a stop may find no time for one), at the position it
// reached; a runner started on it resumes there.
func TestASnapshotFollowsAReplayWithNothingAfterIt(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 3)
	g.OpenCases(t, 10)
	g.Steps(t, 100)
	last := lastSeq(t, store)
	dir := t.TempDir()
	opt := projections.Options{SnapshotDir: dir, Schema: projections.Schema, SnapshotEvery: 20 * time.Millisecond}
	r := projections.NewRunner(store, projections.NewSet, opt)
	r.Start()
	defer r.Stop()
	waitAt(t, r, last)
	var snap struct {
		Position uint64 `json:"position"`
	}
	deadline := time.Now().Add(time.Minute) // a bound on the wait, not a speed measured
	for snap.Position != last {
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot at %d a minute after the replay (last seen at %d)", last, snap.Position)
		}
		time.Sleep(20 * time.Millisecond)
		if b, err := os.ReadFile(filepath.Join(dir, "read-models.json")); err == nil {
			_ = json.Unmarshal(b, &snap)
		}
	}
	resumed := projections.NewRunner(store, projections.NewSet, projections.Options{SnapshotDir: dir, Schema: projections.Schema})
	resumed.Start()
	defer resumed.Stop()
	if got := resumed.Position(); got != last {
		t.Fatalf("resumed at %d, want %d from the snapshot", got, last)
	}
}

// blockingModel's Snapshot waits until released, to hold a snapshot in
// the middle of its encoding.
type blockingModel struct {
	entered, release chan struct{}
	once             sync.Once
}

func (m *blockingModel) Name() string           { return "blocking" }
func (m *blockingModel) Apply(eventstore.Event) {}
func (m *blockingModel) Restore(b []byte) error { return nil }
func (m *blockingModel) Snapshot() ([]byte, error) {
	m.once.Do(func() { close(m.entered) })
	<-m.release
	return []byte("{}"), nil
}

// TestReadsGoOnWhileASnapshotEncodes: while a snapshot encodes a model it
// cannot capture (see TestAReadOfAFreshWriteGoesOnWhileASnapshotEncodes
// for those it captures), the follower waits for it rather than ask for
// the write lock, which would stop every new reader until it ends;
// readers are served the models as they stand, and the follower applies
// what came meanwhile once the snapshot is done.
func TestReadsGoOnWhileASnapshotEncodes(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 7)
	g.OpenCases(t, 5)
	bm := &blockingModel{entered: make(chan struct{}), release: make(chan struct{})}
	newSet := func() *projections.Set {
		return &projections.Set{Models: []projections.ReadModel{projections.NewCases(), bm}}
	}
	r := projections.NewRunner(store, newSet, projections.Options{SnapshotDir: t.TempDir(), Schema: projections.Schema, SnapshotEvery: time.Hour})
	r.Start()
	defer r.Stop()
	var release sync.Once
	defer release.Do(func() { close(bm.release) }) // before Stop, on failure too
	before := lastSeq(t, store)
	waitAt(t, r, before)
	saved := make(chan error, 1)
	go func() { saved <- r.SaveSnapshot() }()
	<-bm.entered
	g.Steps(t, 20)
	after := lastSeq(t, store)
	if after == before {
		t.Fatal("no commit written while the snapshot encodes")
	}
	// A pause for the follower to reach its lock: were it to come later,
	// this test could only pass wrongly, never fail wrongly.
	time.Sleep(200 * time.Millisecond)
	read := make(chan uint64, 1)
	go r.Read(func(s *projections.Set) { read <- s.Position() })
	select {
	case pos := <-read:
		if pos != before {
			t.Fatalf("read at %d while the snapshot at %d encodes; want the models as they stood", pos, before)
		}
	case <-time.After(30 * time.Second): // a bound on the wait, not a speed measured
		t.Fatal("a reader waited behind the snapshot's encoding")
	}
	release.Do(func() { close(bm.release) })
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	waitAt(t, r, after)
}

// TestAStopWithNoTimeLeftCostsTheNextStartOnlyTheTail: on JetStream, the
// snapshot is written ahead of the stop once SnapshotAfter commits have
// come, so a stop whose budget has run out (1 ms, spent before the stop
// begins: nothing can be encoded) writes nothing and the next start loads
// that snapshot and replays only the commits after it, ending where a
// replay from zero ends.
func TestAStopWithNoTimeLeftCostsTheNextStartOnlyTheTail(t *testing.T) {
	es := natstest.Start(t).EventStore(t)
	dir := t.TempDir()
	// No periodic snapshot within the test: only the one written ahead.
	opt := projections.Options{SnapshotDir: dir, Schema: projections.Schema, SnapshotAfter: 50, SnapshotEvery: time.Hour}
	g := historygen.New(t, es, 11)
	defer g.Close()
	g.OpenCases(t, 8)
	g.Steps(t, 120)
	ahead := lastSeq(t, es)
	if ahead < 50 {
		t.Fatalf("only %d commits; the test needs more than SnapshotAfter", ahead)
	}
	// Started after them, so the one snapshot due is at their end.
	r := projections.NewRunner(es, projections.NewSet, opt)
	r.Start()
	waitSaved(t, r, ahead)
	g.Steps(t, 10) // the tail: fewer than SnapshotAfter commits
	end := lastSeq(t, es)
	if end-ahead >= 50 || end == ahead {
		t.Fatalf("tail of %d commits; want 1 to 49", end-ahead)
	}
	waitAt(t, r, end)
	want := snapshots(t, r)

	budget, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-budget.Done()
	if err := r.Shutdown(budget); err == nil {
		t.Fatal("a stop with no time left says it wrote its snapshot")
	}
	if got := r.Saved(); got != ahead {
		t.Fatalf("snapshot on disk at %d after the stop, want %d (the one written ahead)", got, ahead)
	}

	next := projections.NewRunner(es, projections.NewSet, opt)
	next.Start()
	defer next.Stop()
	waitAt(t, next, end)
	if got := next.Resumed(); got != ahead {
		t.Fatalf("next start resumed from %d, want %d", got, ahead)
	}
	if got, tail := next.Replayed(), commitsAfter(t, es, ahead, end); got != tail {
		t.Fatalf("next start replayed %d commits, want the %d after the snapshot", got, tail)
	}
	for name, b := range snapshots(t, next) {
		if !bytes.Equal(b, want[name]) {
			t.Errorf("read model %s: snapshot and tail differ from the models before the stop", name)
		}
	}
}

// waitSaved waits until r's snapshot on disk is at seq.
func waitSaved(t *testing.T, r *projections.Runner, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // a bound on the wait, not a speed measured
	for r.Saved() != seq {
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot written ahead at %d (on disk: %d)", seq, r.Saved())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// commitsAfter counts the store's commits after from, up to to.
func commitsAfter(t *testing.T, s eventstore.Store, from, to uint64) uint64 {
	t.Helper()
	var n uint64
	reached := errors.New("reached")
	err := s.Subscribe(context.Background(), from, func(c eventstore.Commit) error {
		n++
		if c.Seq >= to {
			return reached
		}
		return nil
	})
	if !errors.Is(err, reached) {
		t.Fatal(err)
	}
	return n
}
