package projections_test

import (
	"encoding/json"
	"os"
	"path/filepath"
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
