package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// The read models' snapshot: one file, <dir>/read-models.json, with the
// position it reflects. It is written ahead of a stop (snapshotAhead), and
// on stop when the budget allows; a start loads it and replays the tail.

// Resumed is the position Start resumed from: its snapshot's, or 0.
func (r *Runner) Resumed() uint64 { return r.resumed }

// Replayed counts the commits applied since Start: after a start from a
// snapshot, the tail the store held beyond it, then whatever came since.
func (r *Runner) Replayed() uint64 { return r.replayed.Load() }

// Saved is the position of the snapshot on disk, 0 when there is none.
func (r *Runner) Saved() uint64 { return r.saved.Load() }

// DefaultSnapshotAfter is Options.SnapshotAfter's default: the read side
// replayed about 10k commits a second on a shared 2-core machine (10k
// cases), so a tail of this many costs a start about a second.
const DefaultSnapshotAfter = 10_000

// snapshotPace spaces the snapshots written ahead: after one that took d,
// the next waits snapshotPace*d, so that whatever the scale they take at
// most a tenth of the time (a core, and the memory of the encoding).
const snapshotPace = 9

// nearEnd is how close to the store's end the models are caught up, as
// /readyz counts ready: a snapshot in the middle of a replay holds the
// replay back for as long as it encodes.
const nearEnd = 1000

// returnMemoryAfter is the size of a snapshot (its file) from which the
// memory its encoding took is given back to the system at once (see
// snapshotAhead): the scavenger gives back less in its own time.
const returnMemoryAfter = 32 << 20

// snapshotAhead writes the snapshot ahead of a stop, which may find no time
// for it (encoding every case takes seconds at 10k cases): once
// SnapshotAfter commits have been applied since the last one and the
// models have caught up with the store (not in the middle of a long
// replay, which would only be slowed), and at the latest every
// SnapshotEvery in which the models moved, also after a replay with no
// commit after it. So a stop leaves at most about SnapshotAfter commits
// (or what came within the pacing) for the next start to replay.
func (r *Runner) snapshotAhead(ctx context.Context) {
	if r.dir == "" {
		return
	}
	t := time.NewTicker(min(time.Second, r.snapEvery))
	defer t.Stop()
	last := time.Now() // of the last snapshot, or of the start
	var rest time.Time // no snapshot before
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pos, saved := r.Position(), r.saved.Load()
		if pos <= saved || time.Now().Before(rest) {
			continue
		}
		due := time.Since(last) >= r.snapEvery
		if !due && pos-saved >= r.snapAfter {
			end, err := r.store.LastSeq(ctx)
			due = err == nil && end < pos+nearEnd
		}
		if !due {
			continue
		}
		began := time.Now()
		err := r.saveSnapshot(ctx)
		took := time.Since(began)
		last, rest = time.Now(), time.Now().Add(snapshotPace*took)
		if err != nil {
			// A disk that fails at once is not asked every second.
			rest = time.Now().Add(max(snapshotPace*took, time.Minute))
			r.log.Warn("read-model snapshot", "err", err)
			continue
		}
		// The encoding's buffers (a few hundred MB at 10k cases) go back
		// to the system now rather than at the scavenger's pace. Not after
		// a small one: under a steady load of commands a snapshot is
		// written every SnapshotAfter commits, and a forced collection and
		// release each time was 3% of the process's CPU (11 µs a command
		// in the commands' profile) to give back a few MiB.
		if r.savedBytes.Load() >= r.returnAfter {
			r.returnMemory()
		}
		r.log.Info("read-model snapshot written", "position", r.saved.Load(), "took_ms", took.Milliseconds(),
			"follower_held_ms", time.Duration(r.held.Load()).Milliseconds())
	}
}

type snapshotFile struct {
	Schema   string                     `json:"schema"`
	Position uint64                     `json:"position"`
	Models   map[string]json.RawMessage `json:"models"`
}

// snapshotHead is what the file says before its models: their sizes let a
// start cut them out without decoding the file as one (see sized.go).
type snapshotHead struct {
	Schema   string         `json:"schema"`
	Position uint64         `json:"position"`
	Sizes    map[string]int `json:"sizes"`
	// TookUS is how long encoding it took (µs): the next process's stop begins
	// none that its budget cannot hold (see Shutdown). 0 in older files.
	TookUS int64 `json:"took_us,omitempty"`
}

// capturedSnapshot is a snapshot to write: each model's encoder, by name,
// at one position.
type capturedSnapshot struct {
	Schema   string
	Position uint64
	Models   map[string]func(w *snapWriter) error
}

// readSnapshotFile reads the head and the models of the snapshot at path.
// The models are slices of the file mapped into memory: they are read
// before release is called, and nothing of them is kept after.
func readSnapshotFile(path string) (_ snapshotHead, _ map[string][]byte, release func(), err error) {
	var head snapshotHead
	b, unmap, err := mapFile(path)
	if err != nil {
		return head, nil, nil, err
	}
	defer func() {
		if err != nil {
			unmap()
		}
	}()
	h, _, err := cutHead(b, "models", '{')
	if err != nil {
		return head, nil, nil, err
	}
	if err := json.Unmarshal(h, &head); err != nil {
		return head, nil, nil, err
	}
	names := slices.Sorted(maps.Keys(head.Sizes))
	sizes := make([]int, len(names))
	for i, name := range names {
		sizes[i] = head.Sizes[name]
	}
	parts, err := splitSized(b, "models", '{', '}', names, sizes)
	if err != nil {
		return head, nil, nil, err
	}
	models := make(map[string][]byte, len(names))
	for i, name := range names {
		models[name] = parts[i]
	}
	return head, models, unmap, nil
}

// SaveSnapshot writes the current read models and position atomically.
func (r *Runner) SaveSnapshot() error { return r.saveSnapshot(context.Background()) }

// saveSnapshot gives up, leaving the previous snapshot in place, when ctx
// ends before the file is complete, or when Shutdown closes the files.
func (r *Runner) saveSnapshot(ctx context.Context) error {
	if r.dir == "" {
		return nil
	}
	defer tightenGC()()
	began := time.Now()
	snap, err := r.captureModels(ctx)
	r.held.Store(int64(time.Since(began)))
	if err != nil {
		return err
	}
	if encoding != nil {
		encoding()
	}
	// The file is written while the models are encoded, with no lock the
	// follower or a reader waits for; only one save writes at a time, and
	// Shutdown waits for it to stop (see closeFiles).
	r.filesMu.Lock()
	defer r.filesMu.Unlock()
	if r.filesClosed {
		return errors.New("snapshot not written: the read side has stopped")
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(r.dir, "read-models.json.tmp")
	closing := func() error {
		if r.closing.Load() {
			return errors.New("snapshot not written: the read side is stopping")
		}
		return nil
	}
	took, err := writeSnapshotFile(ctx, tmp, snap, began, closing)
	if err == nil {
		err = closing()
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	final := filepath.Join(r.dir, "read-models.json")
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	// The rename itself is on disk once the directory is. Best effort:
	// the snapshot is in place either way, and one lost to a power cut
	// costs a longer start (the last one, or a replay), nothing else.
	_ = syncDir(r.dir)
	if fi, err := os.Stat(final); err == nil {
		r.savedBytes.Store(fi.Size())
	}
	r.saved.Store(snap.Position)
	r.took.Store(int64(took))
	return nil
}

// syncDir fsyncs a directory, so that a rename in it is on disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// writeSnapshotFile writes snap to path, encoding each model into the file
// as it goes (see snapwrite.go); the head gives the time since began, the
// snapshot's capture, which it returns.
func writeSnapshotFile(ctx context.Context, path string, snap capturedSnapshot, began time.Time, stop func() error) (took time.Duration, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	names := slices.Sorted(maps.Keys(snap.Models))
	headOf := func(sizes map[string]int, took time.Duration) ([]byte, error) {
		return openObject(json.Marshal(snapshotHead{snap.Schema, snap.Position, sizes, took.Microseconds()}))
	}
	widest := map[string]int{}
	for _, name := range names {
		widest[name] = math.MaxInt64
	}
	room, err := headOf(widest, math.MaxInt64)
	if err != nil {
		return 0, err
	}
	w := toFile(ctx, f, stop)
	head, err := w.reserve(len(room))
	if err != nil {
		return 0, err
	}
	w.WriteString(`,"models":{`)
	sizes := make(map[string]int, len(names))
	for i, name := range names {
		if err := w.goOn(); err != nil {
			return 0, err
		}
		if i > 0 {
			w.WriteString(",")
		}
		key, _ := json.Marshal(name)
		w.Write(key)
		w.WriteString(":")
		from := w.written()
		if err := snap.Models[name](w); err != nil {
			return 0, fmt.Errorf("snapshot %s: %w", name, err)
		}
		sizes[name] = int(w.written() - from)
	}
	if _, err := w.WriteString("}}"); err != nil {
		return 0, err
	}
	took = time.Since(began)
	h, err := headOf(sizes, took)
	if err != nil {
		return 0, err
	}
	if err := w.fill(head, h); err != nil {
		return 0, err
	}
	if err := w.finish(); err != nil {
		return 0, err
	}
	// On disk before the rename puts it in place of the last one: renamed
	// unsynced, a power loss could leave an empty or partial file where a
	// whole snapshot was (the aggregates' and the search index's sync too).
	return took, f.Sync()
}

// capturer is a read model that hands its state at one position to an
// encoder that runs later, while the follower goes on applying: capture
// runs with the follower held and the readers going on, costs copies of
// the model's indexes (not an encoding), and what it returns encodes the
// state as it was captured, reading nothing the follower changes after.
type capturer interface {
	capture() (encode func(w *snapWriter) error)
}

// encoding, when set (by tests), runs between a snapshot's capture and
// its encoding: it holds a snapshot in the middle.
var encoding func()

// captureModels captures the models at the current position, with the
// follower held (writing) under the read lock, so readers go on: those
// that can be captured (the cases and the decisions, most of the
// snapshot) are then encoded with no lock held, so that the follower goes
// on too and a read waiting for a fresh write (min_seq) is not kept behind
// the encoding; any other model is encoded during the capture.
func (r *Runner) captureModels(ctx context.Context) (capturedSnapshot, error) {
	r.writing.Lock()
	defer r.writing.Unlock()
	r.mu.RLock()
	defer r.mu.RUnlock()
	snap := capturedSnapshot{Schema: r.schema, Position: r.cur.pos, Models: map[string]func(*snapWriter) error{}}
	for _, m := range r.cur.Models {
		if err := ctx.Err(); err != nil {
			return snap, fmt.Errorf("snapshot not written: %w", err)
		}
		if c, ok := m.(capturer); ok {
			snap.Models[m.Name()] = c.capture()
			continue
		}
		b, err := m.Snapshot()
		if err != nil {
			return snap, fmt.Errorf("snapshot %s: %w", m.Name(), err)
		}
		snap.Models[m.Name()] = writeWhole(func() ([]byte, error) { return b, nil })
	}
	return snap, nil
}

// closeFiles stops a snapshot write in progress (between two batches of
// its chunks) and waits for it, then stops any later one: a save
// Shutdown gave up on writes nothing once Shutdown has returned.
func (r *Runner) closeFiles() {
	r.closing.Store(true)
	r.filesMu.Lock()
	r.filesClosed = true
	r.filesMu.Unlock()
}

func (r *Runner) loadSnapshot() error {
	if r.dir == "" {
		return nil
	}
	began := time.Now()
	snap, models, release, err := readSnapshotFile(filepath.Join(r.dir, "read-models.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer release()
	if snap.Schema != r.schema {
		return fmt.Errorf("snapshot schema %q, code schema %q", snap.Schema, r.schema)
	}
	last, err := r.store.LastSeq(context.Background())
	if err != nil {
		return err
	}
	if snap.Position > last {
		return fmt.Errorf("snapshot at %d is ahead of the store at %d (a restored or different store)", snap.Position, last)
	}
	set := r.makeSet()
	for _, m := range set.Models {
		if _, ok := models[m.Name()]; !ok {
			return fmt.Errorf("snapshot lacks %s", m.Name())
		}
	}
	// The models are restored at once: one after the other, a core sat
	// idle through each model's parts that decode on one (at 1M events,
	// in one process with its heap grown: 2.6 s one after the other, 1.6 s
	// at once).
	errs := make([]error, len(set.Models))
	var wg sync.WaitGroup
	for i, m := range set.Models {
		wg.Go(func() {
			errs[i] = m.Restore(models[m.Name()])
			dropPages(models[m.Name()])
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("restore %s: %w", set.Models[i].Name(), err)
		}
	}
	set.pos = snap.Position
	r.publish(set)
	// The file and what decoding it left (its size twice over) go back to
	// the system at once: a restart stood 100 MiB above a cold start.
	debug.FreeOSMemory()
	r.saved.Store(snap.Position)
	r.took.Store(int64(time.Duration(snap.TookUS) * time.Microsecond))
	r.log.Info("read models resumed from snapshot", "position", snap.Position, "store_seq", last,
		"took_ms", time.Since(began).Milliseconds())
	return nil
}
