package projections

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
		// to the system now rather than at the scavenger's pace.
		debug.FreeOSMemory()
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

// snapshotParts is a snapshot to write: each model's JSON in parts.
type snapshotParts struct {
	Schema   string
	Position uint64
	Models   map[string]parts
	Took     time.Duration // encoding it
}

func sizesOf(models map[string]parts) map[string]int {
	sizes := make(map[string]int, len(models))
	for name, p := range models {
		sizes[name] = p.size()
	}
	return sizes
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
// ends before the file is complete.
func (r *Runner) saveSnapshot(ctx context.Context) error {
	if r.dir == "" {
		return nil
	}
	defer tightenGC()()
	began := time.Now()
	snap, err := r.encodeModels(ctx)
	if err != nil {
		return err
	}
	snap.Took = time.Since(began)
	r.filesMu.Lock()
	defer r.filesMu.Unlock()
	if r.filesClosed {
		return errors.New("snapshot not written: the read side has stopped")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("snapshot not written: %w", err)
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(r.dir, "read-models.json.tmp")
	if err := writeSnapshotFile(tmp, snap); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(r.dir, "read-models.json")); err != nil {
		return err
	}
	r.saved.Store(snap.Position)
	r.took.Store(int64(snap.Took))
	return nil
}

// writeSnapshotFile writes snap as json.Marshal would, without it: it
// would scan and copy each model's JSON again (hundreds of megabytes at
// scale, within a stop's budget).
func writeSnapshotFile(path string, snap snapshotParts) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	head, err := json.Marshal(snapshotHead{snap.Schema, snap.Position, sizesOf(snap.Models), snap.Took.Microseconds()})
	if err != nil {
		f.Close()
		return err
	}
	w.Write(head[:len(head)-1])
	w.WriteString(`,"models":{`)
	for i, name := range slices.Sorted(maps.Keys(snap.Models)) {
		if i > 0 {
			w.WriteByte(',')
		}
		key, _ := json.Marshal(name)
		w.Write(key)
		w.WriteByte(':')
		if err := snap.Models[name].writeTo(w); err != nil {
			f.Close()
			return err
		}
	}
	w.WriteString("}}")
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// capturer is a read model that hands its state at one position to an
// encoder that runs later, while the follower goes on applying: capture
// runs with the follower held and the readers going on, costs copies of
// the model's indexes (not an encoding), and what it returns encodes the
// state as it was captured, reading nothing the follower changes after.
type capturer interface {
	capture() (encode func() (parts, error))
}

// encodeModels encodes every model at one position. The models are
// captured with the follower held (writing) under the read lock, so
// readers go on; the models that can be captured (the cases and the
// decisions, most of the snapshot) are then encoded with no lock held, so
// that the follower goes on too and a read waiting for a fresh write
// (min_seq) is not kept behind the encoding; any other model is encoded
// during the capture.
func (r *Runner) encodeModels(ctx context.Context) (snapshotParts, error) {
	began := time.Now()
	snap, later, err := r.captureModels(ctx)
	r.held.Store(int64(time.Since(began)))
	if err != nil {
		return snap, err
	}
	if encoding != nil {
		encoding()
	}
	for _, name := range slices.Sorted(maps.Keys(later)) {
		if err := ctx.Err(); err != nil {
			return snap, fmt.Errorf("snapshot not written: %w", err)
		}
		b, err := later[name]()
		if err != nil {
			return snap, fmt.Errorf("snapshot %s: %w", name, err)
		}
		snap.Models[name] = b
	}
	return snap, nil
}

// encoding, when set (by tests), runs between a snapshot's capture and
// its encoding: it holds a snapshot in the middle.
var encoding func()

// captureModels captures the models at the current position: the
// encoders of those that can be captured, by name, and the others encoded.
func (r *Runner) captureModels(ctx context.Context) (snapshotParts, map[string]func() (parts, error), error) {
	r.writing.Lock()
	defer r.writing.Unlock()
	r.mu.RLock()
	defer r.mu.RUnlock()
	snap := snapshotParts{Schema: r.schema, Position: r.cur.pos, Models: map[string]parts{}}
	later := map[string]func() (parts, error){}
	for _, m := range r.cur.Models {
		if err := ctx.Err(); err != nil {
			return snap, nil, fmt.Errorf("snapshot not written: %w", err)
		}
		if c, ok := m.(capturer); ok {
			later[m.Name()] = c.capture()
			continue
		}
		b, err := m.Snapshot()
		if err != nil {
			return snap, nil, fmt.Errorf("snapshot %s: %w", m.Name(), err)
		}
		snap.Models[m.Name()] = parts{b}
	}
	return snap, later, nil
}

// closeFiles waits for a snapshot write in progress, then stops any later
// one: an encoding Shutdown gave up on finds the files closed.
func (r *Runner) closeFiles() {
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
	r.cur = set
	// The file and what decoding it left (its size twice over) go back to
	// the system at once: a restart stood 100 MiB above a cold start.
	debug.FreeOSMemory()
	r.saved.Store(snap.Position)
	r.took.Store(int64(time.Duration(snap.TookUS) * time.Microsecond))
	r.log.Info("read models resumed from snapshot", "position", snap.Position, "store_seq", last,
		"took_ms", time.Since(began).Milliseconds())
	return nil
}
