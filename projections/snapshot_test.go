package projections_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
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

// TestReadsGoOnWhileASnapshotEncodes: while a snapshot encodes the models
// (seconds at scale), the follower waits for it rather than ask for the
// write lock, which would stop every new reader until the encoding ends;
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
