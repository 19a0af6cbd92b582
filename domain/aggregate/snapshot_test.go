package aggregate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

// stopped is a process whose feed runs until the test ends; Wait catches it
// up with the store.
type stopped struct {
	feed *aggregate.Feed
	repo *aggregate.Repository[*tally]
}

// newProcess makes a feed and a tally repository on store, restores them
// from the snapshot at path when there is one (its error, if any, is
// returned), and runs the feed.
func newProcess(t *testing.T, store eventstore.Store, path string, extra ...aggregate.Follower) (stopped, error) {
	t.Helper()
	feed := aggregate.NewFeed(store, nil)
	repo := aggregate.NewRepository("tally", store, feed, time.Now, func(string) *tally { return &tally{} })
	for _, f := range extra {
		feed.Add(f)
	}
	var err error
	if path != "" {
		_, err = feed.LoadSnapshot(context.Background(), path)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = feed.Run(ctx) }()
	p := stopped{feed: feed, repo: repo}
	p.wait(t)
	return p, err
}

func (p stopped) wait(t *testing.T) {
	t.Helper()
	if err := p.feed.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func items(t *testing.T, p stopped, id string) []int {
	t.Helper()
	s, _, ok, err := p.repo.Find(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return nil
	}
	return s.Items
}

// TestARestartFromTheSnapshotResumesWhereItWasTaken writes, snapshots,
// then has another process write: a process started from the snapshot has
// the aggregates as they were, applies what came after, remembers the
// command ids of the window (a retry is answered with its first result)
// and takes new commands.
func TestARestartFromTheSnapshotResumesWhereItWasTaken(t *testing.T) {
	store := eventstore.NewMemory()
	path := filepath.Join(t.TempDir(), "aggregates.json")
	a, _ := newProcess(t, store, "")
	ctx := context.Background()
	first, err := a.repo.Update(ctx, "x", aggregate.Meta{CommandID: "before", RequestHash: "h"}, add(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.repo.Update(ctx, "y", aggregate.Meta{}, add(2)); err != nil {
		t.Fatal(err)
	}
	pos, err := a.feed.SaveSnapshot(ctx, path)
	if err != nil || pos != 2 {
		t.Fatalf("save: got position %d, %v; want 2", pos, err)
	}
	b, _ := newProcess(t, store, "") // another process, after the snapshot
	if _, err := b.repo.Update(ctx, "x", aggregate.Meta{}, add(3)); err != nil {
		t.Fatal(err)
	}

	c, err := newProcess(t, store, path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got := items(t, c, "x"); !reflect.DeepEqual(got, []int{1, 3}) {
		t.Fatalf("x after a restart from the snapshot: got %v, want [1 3] (the snapshot's and the other process's)", got)
	}
	again, err := c.repo.Update(ctx, "x", aggregate.Meta{CommandID: "before", RequestHash: "h"}, add(1))
	if err != nil || !again.Duplicate || again.Seq != first.Seq {
		t.Fatalf("retry of a command made before the snapshot: got %+v, %v; want the first result at seq %d", again, err, first.Seq)
	}
	if _, err := c.repo.Update(ctx, "x", aggregate.Meta{CommandID: "before", RequestHash: "other"}, add(1)); !errors.Is(err, aggregate.ErrKeyReused) {
		t.Fatalf("the key with another request after the restart: got %v, want ErrKeyReused", err)
	}
	if _, err := c.repo.Update(ctx, "y", aggregate.Meta{}, add(4)); err != nil {
		t.Fatal(err)
	}
	a.wait(t)
	for id, want := range map[string][]int{"x": {1, 3}, "y": {2, 4}} {
		if got, fromReplay := items(t, c, id), items(t, a, id); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(fromReplay, want) {
			t.Fatalf("%s: restored process %v, replaying process %v, want %v", id, got, fromReplay, want)
		}
	}
}

// hold is a follower after the repository that holds the feed on a commit
// until released: the repository has applied it, the feed's position is
// still the one before, as when a snapshot is taken while commits come.
type hold struct {
	at      uint64
	reached chan struct{}
	release chan struct{}
}

func (h *hold) Follow(c eventstore.Commit) {
	if c.Seq == h.at {
		close(h.reached)
		<-h.release
	}
}

func (h *hold) Reindex() {}

func TestASnapshotTakenWhileCommitsComeAppliesNothingTwice(t *testing.T) {
	store := eventstore.NewMemory()
	path := filepath.Join(t.TempDir(), "aggregates.json")
	h := &hold{at: 3, reached: make(chan struct{}), release: make(chan struct{})}
	a, _ := newProcess(t, store, "", h)
	ctx := context.Background()
	for i := range 2 {
		if _, err := a.repo.Update(ctx, "x", aggregate.Meta{}, add(i)); err != nil {
			t.Fatal(err)
		}
	}
	go func() { _, _ = a.repo.Update(ctx, "x", aggregate.Meta{}, add(2)) }()
	<-h.reached // x holds commit 3; the feed stands at 2
	pos, err := a.feed.SaveSnapshot(ctx, path)
	close(h.release)
	if err != nil || pos != 2 {
		t.Fatalf("save: got position %d, %v; want 2", pos, err)
	}
	b, err := newProcess(t, store, path, &hold{})
	if err != nil {
		t.Fatal(err)
	}
	if got := items(t, b, "x"); !reflect.DeepEqual(got, []int{0, 1, 2}) {
		t.Fatalf("x from a snapshot holding a commit past its position: got %v, want [0 1 2], each once", got)
	}
}

func TestASnapshotThatDoesNotFitIsNotUsed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := eventstore.NewMemory()
	a, _ := newProcess(t, store, "")
	for i := range 3 {
		if _, err := a.repo.Update(ctx, "x", aggregate.Meta{}, add(i)); err != nil {
			t.Fatal(err)
		}
	}
	good := filepath.Join(dir, "good.json")
	if _, err := a.feed.SaveSnapshot(ctx, good); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Another store with as many commits, of other events.
	other := eventstore.NewMemory()
	o, _ := newProcess(t, other, "")
	for i := range 3 {
		if _, err := o.repo.Update(ctx, "x", aggregate.Meta{}, add(i)); err != nil {
			t.Fatal(err)
		}
	}
	header, rest, _ := strings.Cut(string(b), "\n")
	for _, tc := range []struct {
		name  string
		file  string
		store eventstore.Store
		err   string
	}{
		{"missing", "", store, "no write-side snapshot"},
		{"truncated", string(b[:len(b)-2]), store, "snapshot tally"},
		{"not JSON", "{{", store, "snapshot header"},
		{"another schema", strings.Replace(header, aggregate.SnapshotSchema, "2020-01-01.1", 1) + "\n" + rest, store, "snapshot schema"},
		{"another shape", strings.Replace(header, `"name":"tally","shape":"`, `"name":"tally","shape":"x`, 1) + "\n" + rest, store, "of shape"},
		{"ahead of the store", string(b), eventstore.NewMemory(), "ahead of the store"},
		{"another store", string(b), other, "another store"},
		{"something after it", string(b) + "[]\n", store, "something after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if tc.file != "" {
				if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			feed := aggregate.NewFeed(tc.store, nil)
			repo := aggregate.NewRepository("tally", tc.store, feed, time.Now, func(string) *tally { return &tally{} })
			_, err := feed.LoadSnapshot(ctx, path)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("load: got %v, want an error saying %q", err, tc.err)
			}
			if repo.Cached() != 0 || feed.Position() != 0 {
				t.Fatalf("an unused snapshot changed the process: %d aggregates in memory, position %d", repo.Cached(), feed.Position())
			}
		})
	}
}

// stateless keeps state but is neither a Snapshotter nor a Reindexer.
type stateless struct{ n int }

func (s *stateless) Follow(eventstore.Commit) { s.n++ }

func TestAFollowerASnapshotCannotHoldStopsIt(t *testing.T) {
	store := eventstore.NewMemory()
	a, _ := newProcess(t, store, "", &stateless{})
	path := filepath.Join(t.TempDir(), "aggregates.json")
	if _, err := a.feed.SaveSnapshot(context.Background(), path); err == nil || !strings.Contains(err.Error(), "*aggregate_test.stateless") {
		t.Fatalf("save with a follower the snapshot cannot hold: got %v, want an error naming it", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a snapshot was written: %v", err)
	}
}

func TestASnapshotCutShortLeavesThePreviousOne(t *testing.T) {
	store := eventstore.NewMemory()
	a, _ := newProcess(t, store, "")
	ctx := context.Background()
	if _, err := a.repo.Update(ctx, "x", aggregate.Meta{}, add(1)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "aggregates.json")
	if _, err := a.feed.SaveSnapshot(ctx, path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if _, err := a.repo.Update(ctx, "x", aggregate.Meta{}, add(2)); err != nil {
		t.Fatal(err)
	}
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.feed.SaveSnapshot(ended, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("save with an ended context: got %v, want context.Canceled", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(before) {
		t.Fatal("a snapshot cut short replaced the previous one")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("files left beside the snapshot: %v", entries)
	}
}

// endless is a snapshot part that writes values until put refuses one,
// ignoring its context as a part may; it ends the save's context at once.
type endless struct {
	stateless
	cancel context.CancelFunc
	puts   atomic.Int64
	cut    chan struct{} // closed when a put fails
}

func (e *endless) SnapshotName() string  { return "endless" }
func (e *endless) SnapshotShape() string { return "endless v1" }
func (e *endless) SaveSnapshot(_ context.Context, put func(any) error) error {
	e.cancel()
	for {
		n := e.puts.Add(1)
		if err := put(n); err != nil {
			close(e.cut)
			return err
		}
		if n > 1_000_000 {
			return nil
		}
	}
}
func (e *endless) LoadSnapshot(func() bool, func(any) error) (func(), error) { return func() {}, nil }

// TestASaveEndsAtItsDeadlineWhateverAPartDoes: a part that goes on writing
// past the save's deadline is cut short within a few hundred values, and no
// snapshot is written: a stop's budget bounds the aggregates' snapshot.
func TestASaveEndsAtItsDeadlineWhateverAPartDoes(t *testing.T) {
	store := eventstore.NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	part := &endless{cancel: cancel, cut: make(chan struct{})}
	a, _ := newProcess(t, store, "", part)
	path := filepath.Join(t.TempDir(), "aggregates.json")
	if _, err := a.feed.SaveSnapshot(ctx, path); err == nil {
		t.Fatal("a save past its deadline says it wrote its snapshot")
	}
	select {
	case <-part.cut:
	case <-time.After(time.Minute): // a bound on the wait, not a speed measured
		t.Fatalf("the part was not cut short: %d values written", part.puts.Load())
	}
	if n := part.puts.Load(); n > 1000 {
		t.Fatalf("the part wrote %d values after the deadline; want it cut short within a few hundred", n)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a snapshot was written: %v", err)
	}
}

// stuck is a part that encodes one value until released, whatever its
// ctx says (as the audit heads and the cases' index do, 100k entries each
// at 1M events).
type stuck struct {
	stateless
	entered, release chan struct{}
}

func (s *stuck) SnapshotName() string  { return "stuck" }
func (s *stuck) SnapshotShape() string { return "stuck v1" }
func (s *stuck) SaveSnapshot(_ context.Context, put func(any) error) error {
	close(s.entered)
	<-s.release
	return put(1)
}
func (s *stuck) LoadSnapshot(func() bool, func(any) error) (func(), error) { return func() {}, nil }

// TestASaveReturnsAtItsDeadlineWhileAPartEncodesOneValue: a stop's save
// returns when its ctx ends even while a part is in the middle of one
// value it cannot cut; the save left behind, once the part ends, writes
// nothing and leaves no file behind; and a start removes the files of
// saves a crash cut short.
func TestASaveReturnsAtItsDeadlineWhileAPartEncodesOneValue(t *testing.T) {
	store := eventstore.NewMemory()
	part := &stuck{entered: make(chan struct{}), release: make(chan struct{})}
	a, _ := newProcess(t, store, "", part)
	dir := t.TempDir()
	path := filepath.Join(dir, "aggregates.json")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-part.entered; cancel() }()
	// A save that waited for the part would wait for ever: it is released
	// after a minute, a bound on the wait, not a speed measured.
	var waited atomic.Bool
	bound := time.AfterFunc(time.Minute, func() { waited.Store(true); close(part.release) })
	_, err := a.feed.SaveSnapshot(ctx, path)
	if waited.Load() {
		t.Fatal("the save waited for the part's value to end")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a save whose ctx ended in a part's value: %v, want it ended with ctx", err)
	}
	if bound.Stop() {
		close(part.release)
	}
	deadline := time.Now().Add(time.Minute) // a bound on the wait, not a speed measured
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the save left behind left %s in the directory", entries[0].Name())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, name := range []string{"aggregates.json.123.tmp", "aggregates.json.tmp"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.feed.LoadSnapshot(context.Background(), path); !errors.Is(err, aggregate.ErrNoSnapshot) {
		t.Fatalf("load with no snapshot: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a start left %s, a file of a save cut short", entries[0].Name())
	}
}
