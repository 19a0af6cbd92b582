package app_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// TestAStoppedProcessResumesWhereItStopped stops a process holding data
// (Close, as on SIGTERM) and starts it again: the stop writes the read
// models' snapshot at the store's end, the next start resumes from it
// without replaying, and a start from an older snapshot replays only the
// tail. Each start's read models equal those rebuilt from zero: nothing
// lost, nothing applied twice.
func TestAStoppedProcessResumesWhereItStopped(t *testing.T) {
	in := apptest.Start(t)
	snapshot := filepath.Join(in.Cfg.DataDir, "projections", "read-models.json")
	cases := generate(t, in.App, 1, nil)

	want := readModels(t, in.App)
	in.Restart(t)
	pos := in.App.Reads.Position()
	if !strings.Contains(in.Log.String(), `"msg":"read models resumed from snapshot","position":`+strconv.FormatUint(pos, 10)) {
		t.Fatalf("restart did not resume from a snapshot at %d; log:\n%s", pos, in.Log)
	}
	sameModels(t, "resumed from the snapshot written on stop", readModels(t, in.App), want)

	// More history; then a start from the older snapshot replays the tail.
	older, err := os.ReadFile(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	generate(t, in.App, 2, cases)
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(snapshot, older, 0o600); err != nil {
		t.Fatal(err)
	}
	in.Restart(t)
	tail := readModels(t, in.App)
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(snapshot); err != nil {
		t.Fatal(err)
	}
	in.Restart(t)
	if strings.Contains(in.Log.String(), "resumed from snapshot") {
		t.Fatal("the start without a snapshot says it resumed from one")
	}
	sameModels(t, "older snapshot and the tail", tail, readModels(t, in.App))
}

// generate writes random case histories straight into the process's store,
// on new cases or on those given, and waits until its read side has applied
// them; it returns the cases.
func generate(t *testing.T, a *app.App, seed uint64, cases []string) []string {
	t.Helper()
	g := historygen.New(t, a.Events, seed)
	defer g.Close()
	if cases == nil {
		g.OpenCases(t, 12)
	} else {
		g.Adopt(t, cases)
	}
	g.Steps(t, 150)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	last, err := a.Events.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for a.Reads.Position() < last {
		if ctx.Err() != nil {
			t.Fatalf("read side at %d, store at %d", a.Reads.Position(), last)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return g.Cases()
}

// readModels is every read model's snapshot, by name.
func readModels(t *testing.T, a *app.App) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	a.Reads.Read(func(s *projections.Set) {
		for _, m := range s.Models {
			b, err := m.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			out[m.Name()] = b
		}
	})
	return out
}

func sameModels(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("%s: %d read models, want %d", what, len(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s: read model %s differs (%d bytes, want %d)", what, name, len(got[name]), len(b))
		}
	}
}

// TestAStopWithNoTimeLeftCostsTheNextStartOnlyTheTail: the read models'
// snapshot is written ahead of a stop, once ReadSnapshotAfter commits have
// come and the read side has caught up, so a process whose stop budget is
// too small to encode anything (1 ns) still leaves the next start a
// snapshot: it replays only the commits after it, and its read models
// equal those before the stop. On JetStream, through Close as on SIGTERM.
func TestAStopWithNoTimeLeftCostsTheNextStartOnlyTheTail(t *testing.T) {
	cfg := apptest.Config(t.TempDir())
	cfg.ReadSnapshotAfter, cfg.ShutdownTimeout = 50, time.Nanosecond
	in := apptest.StartWith(t, cfg, app.Options{})
	snapshot := filepath.Join(in.Cfg.DataDir, "projections", "read-models.json")
	cases := generate(t, in.App, 3, nil)
	// A start that replays them all, with nothing after: the one snapshot
	// due is at their end.
	if err := in.App.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(snapshot); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	in.Restart(t)
	ahead := lastSeq(t, in.App)
	if ahead < 50 {
		t.Fatalf("only %d commits; the test needs more than ReadSnapshotAfter", ahead)
	}
	deadline := time.Now().Add(time.Minute) // a bound on the wait, not a speed measured
	for in.App.Reads.Saved() != ahead {
		if time.Now().After(deadline) {
			t.Fatalf("no read-model snapshot written ahead at %d (on disk: %d)", ahead, in.App.Reads.Saved())
		}
		time.Sleep(10 * time.Millisecond)
	}

	g := historygen.New(t, in.App.Events, 4)
	g.Adopt(t, cases)
	g.Steps(t, 10) // the tail: fewer than ReadSnapshotAfter commits
	g.Close()
	end := lastSeq(t, in.App)
	if end == ahead || end-ahead >= 50 {
		t.Fatalf("tail of %d commits; want 1 to 49", end-ahead)
	}
	for in.App.Reads.Position() < end {
		time.Sleep(10 * time.Millisecond)
	}
	want := readModels(t, in.App)

	in.Restart(t) // Close within 1 ns: no snapshot on stop
	if got := in.App.Reads.Resumed(); got != ahead {
		t.Fatalf("next start resumed from %d, want %d (the snapshot written ahead)", got, ahead)
	}
	var tail uint64
	reached := errors.New("reached")
	err := in.App.Events.Subscribe(context.Background(), ahead, func(c eventstore.Commit) error {
		if tail++; c.Seq >= end {
			return reached
		}
		return nil
	})
	if !errors.Is(err, reached) {
		t.Fatal(err)
	}
	if got := in.App.Reads.Replayed(); got != tail {
		t.Fatalf("next start replayed %d commits, want the %d after the snapshot", got, tail)
	}
	sameModels(t, "snapshot written ahead and the tail", readModels(t, in.App), want)
}

func lastSeq(t *testing.T, a *app.App) uint64 {
	t.Helper()
	n, err := a.Events.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
