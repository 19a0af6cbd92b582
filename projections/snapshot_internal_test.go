package projections

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/projections/historygen"
)

// failAfter bounds a wait in these tests: a detector of a read stuck
// behind the encoding, not a speed measured.
const failAfter = time.Minute

// TestAReadOfAFreshWriteGoesOnWhileASnapshotEncodes, on a real JetStream
// store: while a snapshot is held in the middle, between its capture of
// the models and their encoding,
// commits written meanwhile are applied, and a read that waits for the
// last of them (as min_seq does) is answered, with the queue, a case, the
// register and the decisions as a replay from zero gives them; the
// snapshot, once released, holds the models as they stood when it began,
// untouched by what the follower applied meanwhile to the cases, the
// decisions, the register and the calibration it was encoding.
func TestAReadOfAFreshWriteGoesOnWhileASnapshotEncodes(t *testing.T) {
	srv := natstest.Start(t)
	store := srv.EventStore(t)
	g := historygen.New(t, store, 11)
	defer g.Close()
	g.OpenCases(t, 40)
	g.Steps(t, 600)
	dir := t.TempDir()
	// Two idle cases kept folded: the rest are deflated, so the follower
	// meets folded, deflated and queued cases while the snapshot encodes.
	// Were the encoding to hold the follower, WaitFor would wait past
	// failAfter rather than fail first with its own bound.
	r := NewRunner(store, newSetKeeping(2), Options{SnapshotDir: dir, Schema: Schema, SnapshotEvery: time.Hour,
		WaitBound: 2 * failAfter})
	r.Start()
	defer r.Stop()
	before := lastSeqOf(t, r)
	waitUntil(t, r, before)
	want := modelBytes(t, r)

	entered, release := make(chan struct{}), make(chan struct{})
	var once, released sync.Once
	encoding = func() {
		once.Do(func() { close(entered) })
		<-release
	}
	free := func() { released.Do(func() { close(release) }) }
	defer func() { free(); encoding = nil }() // on failure too, before Stop
	saved := make(chan error, 1)
	go func() { saved <- r.SaveSnapshot() }()
	select {
	case <-entered:
	case <-time.After(failAfter):
		t.Fatal("the snapshot never reached its encoding")
	}

	g.Steps(t, 300)
	after := lastSeqOf(t, r)
	if after <= before {
		t.Fatal("no commit written while the snapshot encodes")
	}
	read := make(chan map[string]string, 1)
	go func() {
		if err := r.WaitFor(context.Background(), after); err != nil {
			read <- map[string]string{"error": err.Error()}
			return
		}
		got := answers(t, r, g)
		r.Read(func(s *Set) { got["register"] = string(must(json.Marshal(s.typed.Register.Current()))) })
		read <- got
	}()
	var got map[string]string
	select {
	case got = <-read:
	case <-time.After(failAfter):
		t.Fatalf("a read of commit %d, written while the snapshot encodes, waited behind the encoding", after)
	}
	if e, ok := got["error"]; ok {
		t.Fatal(e)
	}

	fresh := NewRunner(store, newSetKeeping(1<<30), Options{})
	if _, err := fresh.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	wantAnswers := answers(t, fresh, g)
	fresh.Read(func(s *Set) { wantAnswers["register"] = string(must(json.Marshal(s.typed.Register.Current()))) })
	for k, w := range wantAnswers {
		if got[k] != w {
			t.Errorf("%s read during the encoding differs from a replay:\n got %s\nwant %s", k, got[k], w)
		}
	}

	free()
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	var snap snapshotFile
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(dir, "read-models.json"))), &snap); err != nil {
		t.Fatal(err)
	}
	if snap.Position != before {
		t.Fatalf("snapshot at %d, want %d, where it began", snap.Position, before)
	}
	for name, b := range want {
		// The file's heads have room after them (spaces; see snapwrite.go).
		var got bytes.Buffer
		if err := json.Compact(&got, snap.Models[name]); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), b) {
			t.Errorf("the snapshot's %s differs from the model as it stood when the snapshot began", name)
		}
	}
}

func lastSeqOf(t *testing.T, r *Runner) uint64 {
	t.Helper()
	n, err := r.store.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func waitUntil(t *testing.T, r *Runner, seq uint64) {
	t.Helper()
	if err := r.WaitFor(context.Background(), seq); err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestASnapshotWhosePartsAreNotWhereItsHeadSaysIsNotUsed: a start cuts the
// models (and the cases' and decisions' chunks) out of the snapshot by the
// sizes its head gives, without decoding the file as one; a file whose
// parts do not fit them (cut short, or a size changed) is refused, and the
// start replays from zero to the same models.
func TestASnapshotWhosePartsAreNotWhereItsHeadSaysIsNotUsed(t *testing.T) {
	store, r, dir := savedSnapshot(t, 4, 20, 300)
	want := modelBytes(t, r)
	path := filepath.Join(dir, "read-models.json")
	good := must(os.ReadFile(path))
	if !json.Valid(good) {
		t.Fatal("the snapshot is not valid JSON")
	}
	start := func(file []byte) *Runner {
		t.Helper()
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		s := NewRunner(store, NewSet, Options{SnapshotDir: dir, Schema: Schema})
		s.Start()
		t.Cleanup(func() { _ = s.Shutdown(canceledContext()) })
		waitUntil(t, s, r.Position())
		for name, b := range modelBytes(t, s) {
			if !bytes.Equal(b, want[name]) {
				t.Errorf("model %s differs from the one saved", name)
			}
		}
		return s
	}
	if s := start(good); s.Resumed() != r.Position() {
		t.Fatalf("resumed at %d from an intact snapshot, want %d", s.Resumed(), r.Position())
	}
	sizes := regexp.MustCompile(`"sizes":\[(\d+)`)
	bad := map[string][]byte{
		"cut short": good[:len(good)-100],
		"a chunk's size one less": sizes.ReplaceAllFunc(good, func(m []byte) []byte {
			n, _ := strconv.Atoi(string(sizes.FindSubmatch(m)[1]))
			return []byte(`"sizes":[` + strconv.Itoa(n-1))
		}),
	}
	head := regexp.MustCompile(`"sizes":\{"calibration":(\d+)`)
	bad["a model's size one more"] = head.ReplaceAllFunc(good, func(m []byte) []byte {
		n, _ := strconv.Atoi(string(head.FindSubmatch(m)[1]))
		return []byte(`"sizes":{"calibration":` + strconv.Itoa(n+1))
	})
	for what, file := range bad {
		if bytes.Equal(file, good) {
			t.Fatalf("%s: the file is unchanged", what)
		}
		if s := start(file); s.Resumed() != 0 {
			t.Errorf("%s: resumed at %d, want a replay from zero", what, s.Resumed())
		}
	}
}

// savedSnapshot makes up a history (seed, cases opened, steps taken), builds
// the read models from it and saves their snapshot in dir.
func savedSnapshot(t *testing.T, seed uint64, cases, steps int) (eventstore.Store, *Runner, string) {
	t.Helper()
	store := eventstore.NewMemory()
	g := historygen.New(t, store, seed)
	defer g.Close()
	g.OpenCases(t, cases)
	g.Steps(t, steps)
	dir := t.TempDir()
	r := NewRunner(store, NewSet, Options{SnapshotDir: dir, Schema: Schema})
	if _, err := r.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := r.SaveSnapshot(); err != nil {
		t.Fatal(err)
	}
	return store, r, dir
}

func canceledContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// TestRestoredModelsKeepNothingOfTheFile: a start reads the snapshot from
// the file mapped into memory, which is unmapped once the models are
// restored, so no model may keep a slice of it. Every byte of the models'
// parts is overwritten after they are restored: each model encodes as it
// did before, and the overwritten parts no longer restore (the overwriting
// reached what the models were read from).
func TestRestoredModelsKeepNothingOfTheFile(t *testing.T) {
	t.Parallel()
	_, _, dir := savedSnapshot(t, 5, 30, 600)
	_, models, release, err := readSnapshotFile(filepath.Join(dir, "read-models.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	set := NewSet()
	for _, m := range set.Models {
		if err := m.Restore(models[m.Name()]); err != nil {
			t.Fatalf("restore %s: %v", m.Name(), err)
		}
	}
	if typed := set.Typed(); typed.Decisions.Len() == 0 || len(typed.Register.Entries) == 0 || len(typed.Cases.sums) == 0 {
		t.Fatalf("the history holds %d decisions, %d register entries and %d cases: too little to show anything",
			typed.Decisions.Len(), len(typed.Register.Entries), len(typed.Cases.sums))
	}
	encoded := func() map[string][]byte {
		out := map[string][]byte{}
		for _, m := range set.Models {
			out[m.Name()] = must(m.Snapshot())
		}
		return out
	}
	before := encoded()
	for _, part := range models {
		for i := range part {
			part[i] = 'x'
		}
	}
	for name, b := range encoded() {
		if !bytes.Equal(b, before[name]) {
			t.Errorf("model %s changed when the file it was restored from was overwritten", name)
		}
	}
	for _, m := range NewSet().Models {
		if len(models[m.Name()]) > 0 && m.Restore(models[m.Name()]) == nil {
			t.Errorf("model %s restored from its overwritten part", m.Name())
		}
	}
}

// TestAStopDoesNotWaitForASnapshotWrittenAhead: a snapshot written ahead
// that is still encoding when the stop comes (a minute at 1M events, and
// it cannot be interrupted) holds the stop no longer than the follower
// takes to end: the stop writes its own snapshot at the position reached
// within its budget, and the one it left behind writes nothing after.
func TestAStopDoesNotWaitForASnapshotWrittenAhead(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 9)
	defer g.Close()
	g.OpenCases(t, 10)
	g.Steps(t, 100)
	entered, release := make(chan struct{}), make(chan struct{})
	var first sync.Once
	encoding = func() {
		held := false
		first.Do(func() { held = true; close(entered) })
		if held {
			<-release // the snapshot written ahead, held in its encoding
		}
	}
	defer func() { encoding = nil }()
	var released sync.Once
	defer released.Do(func() { close(release) })
	dir := t.TempDir()
	r := NewRunner(store, NewSet, Options{SnapshotDir: dir, Schema: Schema, SnapshotEvery: 10 * time.Millisecond})
	r.Start()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	if err := r.Shutdown(ctx); err != nil {
		t.Fatalf("the stop waited for the snapshot written ahead: %v", err)
	}
	path := filepath.Join(dir, "read-models.json")
	head, _, unmap, err := readSnapshotFile(path)
	if err != nil {
		t.Fatal(err)
	}
	unmap()
	if head.Position != r.Position() || head.Position == 0 {
		t.Fatalf("the stop's snapshot is at %d, want the position reached, %d", head.Position, r.Position())
	}
	before := must(os.ReadFile(path))
	released.Do(func() { close(release) })
	// The one left behind ends; it must write nothing (were it slower than
	// the pause, this could only pass wrongly, never fail wrongly).
	time.Sleep(200 * time.Millisecond)
	if after := must(os.ReadFile(path)); !bytes.Equal(after, before) {
		t.Fatal("the snapshot left behind by the stop was written after it")
	}
}
