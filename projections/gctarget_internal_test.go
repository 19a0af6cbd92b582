package projections

import (
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"testing"
	"time"

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

// TestReplaysLoosenTheCollectorsTargetAndSnapshotsWin: under a soft memory
// limit, and only then, a replay holds the target at ReplayGCPercent, unless a snapshot (tight) is written at the
// same time, and gives back the one it found; a target found below the
// default, or off, is never loosened, and one found above it is kept.
func TestReplaysLoosenTheCollectorsTargetAndSnapshotsWin(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	restore := loosenGC()
	if got := gcPercent(); got != 100 {
		t.Fatalf("target while a replay runs with no soft memory limit: got %d, want the 100 found", got)
	}
	restore()
	debug.SetMemoryLimit(64 << 30)
	loose := loosenGC()
	if got := gcPercent(); got != ReplayGCPercent {
		t.Fatalf("target while a replay runs: got %d, want %d", got, ReplayGCPercent)
	}
	tight := tightenGC()
	if got := gcPercent(); got != snapshotGCPercent {
		t.Fatalf("target while a replay runs and a snapshot is written: got %d, want %d", got, snapshotGCPercent)
	}
	tight()
	if got := gcPercent(); got != ReplayGCPercent {
		t.Fatalf("target once the snapshot is written, the replay still running: got %d, want %d", got, ReplayGCPercent)
	}
	loose()
	loose() // once only
	if got := gcPercent(); got != 100 {
		t.Fatalf("target after the replay: got %d, want the 100 found", got)
	}
	for _, c := range []struct{ found, want int }{{50, 50}, {-1, -1}, {500, 500}} {
		debug.SetGCPercent(c.found)
		restore := loosenGC()
		if got := gcPercent(); got != c.want {
			t.Fatalf("target %d found, while a replay runs: got %d, want %d", c.found, got, c.want)
		}
		restore()
		if got := gcPercent(); got != c.found {
			t.Fatalf("target %d found, after a replay: got %d", c.found, got)
		}
	}
}

// gcSeen is a read model that notes the collector's target at each event.
type gcSeen struct {
	mu   sync.Mutex
	seen []int
}

func (g *gcSeen) Name() string              { return "gc-seen" }
func (g *gcSeen) Snapshot() ([]byte, error) { return []byte("{}"), nil }
func (g *gcSeen) Restore(data []byte) error { return nil }
func (g *gcSeen) Apply(eventstore.Event) {
	g.mu.Lock()
	g.seen = append(g.seen, gcPercent())
	g.mu.Unlock()
}
func (g *gcSeen) take() (seen []int) {
	g.mu.Lock()
	seen, g.seen = g.seen, nil
	g.mu.Unlock()
	return seen
}
func allAre(seen []int, want int) bool {
	return len(seen) > 0 && !slices.ContainsFunc(seen, func(p int) bool { return p != want })
}

// TestALongRebuildLoosensTheTargetAndAStartDoesNot: on a real runner under
// a soft memory limit, a rebuild replays with the target loosened, gives
// the one found back, then gives the memory back; a short rebuild does
// neither, and a start with no snapshot replays at the target found.
func TestALongRebuildLoosensTheTargetAndAStartDoesNot(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(64 << 30))
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 5)
	g.OpenCases(t, 40)
	g.Steps(t, 200)
	g.Close()
	seen := &gcSeen{}
	newSet := func() *Set { s := NewSet(); s.Models = append(s.Models, seen); return s }
	returned := make(chan struct{}, 4)
	r := NewRunner(store, newSet, Options{})
	r.longReplay = 50
	r.returnMemory = func() { returned <- struct{}{} }

	if _, err := r.Rebuild(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if s := seen.take(); !allAre(s, ReplayGCPercent) {
		t.Fatalf("targets seen by a rebuild of %d commits (target: events): %v, want %d throughout", r.Position(), byTarget(s), ReplayGCPercent)
	}
	if got := gcPercent(); got != 100 {
		t.Fatalf("target after the rebuild: got %d, want the 100 found", got)
	}
	select {
	case <-returned:
	case <-time.After(time.Minute):
		t.Fatal("a long rebuild gave no memory back")
	}

	r.longReplay = 1 << 40
	if _, err := r.Rebuild(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if s := seen.take(); !allAre(s, 100) {
		t.Fatalf("targets seen by a short rebuild (target: events): %v, want 100 throughout", byTarget(s))
	}
	select {
	case <-returned:
		t.Fatal("a short rebuild gave the memory back: a forced collection for nothing")
	case <-time.After(200 * time.Millisecond):
	}

	started := NewRunner(store, newSet, Options{})
	started.longReplay = 50
	started.returnMemory = r.returnMemory
	started.Start()
	defer started.Stop()
	last, _ := store.LastSeq(t.Context())
	if err := started.WaitFor(t.Context(), last); err != nil {
		t.Fatal(err)
	}
	if s := seen.take(); !allAre(s, 100) {
		t.Fatalf("targets seen by a start that replays %d commits (target: events): %v, want 100 throughout", last, byTarget(s))
	}
}

// byTarget counts the events that saw each target.
func byTarget(seen []int) map[int]int {
	n := map[int]int{}
	for _, p := range seen {
		n[p]++
	}
	return n
}
