package projections

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
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
