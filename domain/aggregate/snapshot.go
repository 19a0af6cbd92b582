package aggregate

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
)

// SnapshotSchema is the version of the write-side snapshot's format and of
// what the appliers make of stored events. Change it when an Apply makes
// something else of events already stored; a change to the fields of a
// saved state changes the snapshot's shapes by itself (ShapeOf).
const SnapshotSchema = "2026-12-02.2"

// Snapshotter is a follower whose state the write-side snapshot holds.
//
// The snapshot is taken while the feed runs: the feed's position is read
// first, and a part may then hold commits past it. Follow must leave such a
// commit as it is when the feed, resumed from the position, hands it over
// again (a repository notes an old-layout commit once; an index
// that assigns is unchanged by assigning again).
type Snapshotter interface {
	Follower
	// SnapshotName names its part of the snapshot; unique within a feed.
	SnapshotName() string
	// SnapshotShape describes what it saves (see ShapeOf): a snapshot saved
	// by code of another shape is not read.
	SnapshotShape() string
	// SaveSnapshot writes its state with put, one JSON value per call,
	// and stops with ctx's error when ctx ends.
	SaveSnapshot(ctx context.Context, put func(v any) error) error
	// LoadSnapshot reads back what SaveSnapshot wrote: next decodes the
	// next value into v while more reports that one follows. It changes
	// nothing until the returned commit is called.
	LoadSnapshot(more func() bool, next func(v any) error) (commit func(), err error)
}

// Reindexer is a follower whose state is derived from what the snapshotters
// hold (an index of personal data in the clear, which is never written to
// disk, or one that is cheap to derive): after a snapshot is loaded, Reindex
// rebuilds it from them.
type Reindexer interface {
	Follower
	Reindex()
}

// ShapeOf describes the type of v as JSON sees it: every exported field,
// its tag and its type's shape, nested. Any change to a saved state's
// fields changes it, so that a snapshot of the old fields is not read into
// the new ones. The result is a short digest.
func ShapeOf(v any) string {
	var b strings.Builder
	shape(&b, reflect.TypeOf(v), map[reflect.Type]bool{})
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

func shape(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if t == nil {
		b.WriteString("nil")
		return
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		fmt.Fprintf(b, "%s(", t.Kind())
		shape(b, t.Elem(), seen)
		b.WriteString(")")
	case reflect.Map:
		b.WriteString("map(")
		shape(b, t.Key(), seen)
		b.WriteString(")")
		shape(b, t.Elem(), seen)
	case reflect.Struct:
		b.WriteString(t.String())
		if seen[t] {
			return
		}
		seen[t] = true
		b.WriteString("{")
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue // JSON leaves it out: given by the factory
			}
			fmt.Fprintf(b, "%s %q ", f.Name, f.Tag.Get("json"))
			shape(b, f.Type, seen)
			b.WriteString(";")
		}
		b.WriteString("}")
	default:
		b.WriteString(t.String())
	}
}

// snapshotHeader opens the file; each part follows as a JSON array.
type snapshotHeader struct {
	Schema string `json:"schema"`
	// Shapes is each part's shape, by name, in the order of the parts.
	Shapes   []partShape `json:"parts"`
	Position uint64      `json:"position"`
	// At is the commit at Position, so that another store holding as many
	// commits is not taken for this one.
	At           commitMark     `json:"at"`
	SavedAt      time.Time      `json:"saved_at"`
	DecodeErrors int            `json:"decode_errors"`
	Commands     []savedCommand `json:"commands"` // within the window, oldest first
}

type partShape struct {
	Name  string `json:"name"`
	Shape string `json:"shape"`
}

// commitMark names a commit: its stream and its last event.
type commitMark struct {
	Stream  string `json:"stream,omitempty"`
	EventID string `json:"event_id,omitempty"`
}

func markOf(c eventstore.Commit) commitMark {
	m := commitMark{Stream: c.Stream}
	if n := len(c.Events); n > 0 {
		m.EventID = c.Events[n-1].ID
	}
	return m
}

type savedCommand struct {
	ID          string    `json:"id"`
	Stream      string    `json:"stream"`
	Version     uint64    `json:"version"`
	Seq         uint64    `json:"seq"`
	RequestHash string    `json:"request_hash,omitempty"`
	At          time.Time `json:"at"`
}

// parts returns the followers whose state the snapshot holds and those it
// rebuilds; an error names a follower that is neither, whose state a
// snapshot would lose.
func (f *Feed) parts() ([]Snapshotter, []Reindexer, error) {
	var snaps []Snapshotter
	var reindex []Reindexer
	names := map[string]bool{}
	for _, fl := range f.followers {
		switch s := fl.(type) {
		case Snapshotter:
			if names[s.SnapshotName()] {
				return nil, nil, fmt.Errorf("two snapshot parts named %q", s.SnapshotName())
			}
			names[s.SnapshotName()] = true
			snaps = append(snaps, s)
		case Reindexer:
			reindex = append(reindex, s)
		default:
			return nil, nil, fmt.Errorf("follower %T keeps state a snapshot does not hold", fl)
		}
	}
	return snaps, reindex, nil
}

// Snapshotters returns the followers whose state the snapshot holds, in
// the order they were added (tests compare them).
func (f *Feed) Snapshotters() []Snapshotter {
	var out []Snapshotter
	for _, fl := range f.followers {
		if s, ok := fl.(Snapshotter); ok {
			out = append(out, s)
		}
	}
	return out
}

// SaveSnapshot writes the feed's position, its remembered command ids and
// every part's state to path, atomically (a file beside it, synced, then
// renamed): a snapshot is whole or absent. It may run while the feed
// applies commits and commands run. When ctx ends first, nothing is
// written and the previous snapshot stays. It returns the position saved.
//
// It returns when ctx ends even while a part encodes one large value (the
// audit heads and the cases' index are one value each, 100k entries at 1M
// events, seconds on a busy machine): a stop waited for them past its
// budget. The save left behind ends on its own and writes nothing.
func (f *Feed) SaveSnapshot(ctx context.Context, path string) (uint64, error) {
	type saved struct {
		pos uint64
		err error
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("snapshot not written: %w", err)
	}
	done := make(chan saved, 1)
	go func() {
		pos, err := f.saveSnapshot(ctx, path)
		done <- saved{pos, err}
	}()
	select {
	case s := <-done:
		return s.pos, s.err
	case <-ctx.Done():
		return 0, fmt.Errorf("snapshot not written: %w", ctx.Err())
	}
}

func (f *Feed) saveSnapshot(ctx context.Context, path string) (uint64, error) {
	snaps, _, err := f.parts()
	if err != nil {
		return 0, err
	}
	h := snapshotHeader{Schema: SnapshotSchema, SavedAt: time.Now().UTC()}
	for _, s := range snaps {
		h.Shapes = append(h.Shapes, partShape{Name: s.SnapshotName(), Shape: s.SnapshotShape()})
	}
	f.mu.Lock()
	h.Position, h.At, h.DecodeErrors = f.pos, f.mark, f.decodeErr
	for _, c := range f.byTime {
		if cmd, ok := f.commands[c.id]; ok && cmd.at.Equal(c.at) {
			h.Commands = append(h.Commands, savedCommand{ID: c.id, Stream: cmd.Stream, Version: cmd.Version, Seq: cmd.Seq,
				RequestHash: cmd.requestHash, At: cmd.at})
		}
	}
	f.mu.Unlock()

	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, err
	}
	// A file of its own: a save left behind by its ctx may still be
	// writing beside the next one.
	file, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, err
	}
	tmp := file.Name()
	defer func() {
		if file != nil {
			file.Close()
			os.Remove(tmp)
		}
	}()
	w := bufio.NewWriterSize(file, 1<<20)
	enc := json.NewEncoder(w)
	if err := enc.Encode(h); err != nil {
		return 0, err
	}
	for _, s := range snaps {
		if err := savePart(ctx, w, enc, s); err != nil {
			return 0, fmt.Errorf("snapshot %s: %w", s.SnapshotName(), err)
		}
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("snapshot not written: %w", err)
	}
	if err := file.Sync(); err != nil {
		return 0, err
	}
	if err := file.Close(); err != nil {
		return 0, err
	}
	file = nil
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return h.Position, nil
}

// savePart writes one part as a JSON array of the values it puts.
func savePart(ctx context.Context, w *bufio.Writer, enc *json.Encoder, s Snapshotter) error {
	if _, err := w.WriteString("["); err != nil {
		return err
	}
	first := true
	n := 0
	err := s.SaveSnapshot(ctx, func(v any) error {
		// Every few hundred values the deadline is checked here, whatever
		// the part does (the audit heads and the cases' index, 100k
		// entries each at 1M events, do not look at it): a stop at 1M
		// events ran 2 s past its budget in this save, for a snapshot it
		// then threw away.
		if n++; n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("snapshot not written: %w", err)
			}
		}
		if !first {
			if _, err := w.WriteString(","); err != nil {
				return err
			}
		}
		first = false
		if raw, ok := v.(json.RawMessage); ok { // made by json.Marshal: no need to check it again
			if _, err := w.Write(raw); err != nil {
				return err
			}
			return w.WriteByte('\n')
		}
		return enc.Encode(v)
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("]\n")
	return err
}

// ErrNoSnapshot is returned by LoadSnapshot when there is no snapshot file.
var ErrNoSnapshot = errors.New("no write-side snapshot")

// LoadSnapshot restores the feed and its followers from the snapshot at
// path, so that Run resumes from its position; call it before Run. The
// snapshot is not used (an error saying why, and nothing changed) when it
// is missing (ErrNoSnapshot), unreadable, of another schema or shape, or
// does not match the store (ahead of it, or another commit at its
// position: a store reset or restored). It returns the position resumed
// from.
func (f *Feed) LoadSnapshot(ctx context.Context, path string) (uint64, error) {
	snaps, reindex, err := f.parts()
	if err != nil {
		return 0, err
	}
	removeUnfinished(path)
	file, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, ErrNoSnapshot
	}
	if err != nil {
		return 0, err
	}
	defer file.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(file, 1<<20))
	var h snapshotHeader
	if err := dec.Decode(&h); err != nil {
		return 0, fmt.Errorf("snapshot header: %w", err)
	}
	if h.Schema != SnapshotSchema {
		return 0, fmt.Errorf("snapshot schema %q, code schema %q", h.Schema, SnapshotSchema)
	}
	if len(h.Shapes) != len(snaps) {
		return 0, fmt.Errorf("snapshot of %d parts, the code has %d", len(h.Shapes), len(snaps))
	}
	for i, s := range snaps {
		if got := (partShape{Name: s.SnapshotName(), Shape: s.SnapshotShape()}); h.Shapes[i] != got {
			return 0, fmt.Errorf("snapshot part %d is %s of shape %s, the code's is %s of shape %s", i, h.Shapes[i].Name, h.Shapes[i].Shape, got.Name, got.Shape)
		}
	}
	if err := f.matchStore(ctx, h); err != nil {
		return 0, err
	}
	commits := make([]func(), 0, len(snaps))
	for _, s := range snaps {
		commit, err := loadPart(dec, s)
		if err != nil {
			return 0, fmt.Errorf("snapshot %s: %w", s.SnapshotName(), err)
		}
		commits = append(commits, commit)
	}
	if _, err := dec.Token(); err != io.EOF {
		return 0, fmt.Errorf("snapshot: something after its last part (%v)", err)
	}
	// Whole and matching: only now is anything changed.
	for _, commit := range commits {
		commit()
	}
	for _, r := range reindex {
		r.Reindex()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pos, f.mark, f.decodeErr = h.Position, h.At, h.DecodeErrors
	f.commands, f.byTime = map[string]command{}, nil
	for _, c := range h.Commands {
		f.commands[c.ID] = command{Result: Result{Stream: c.Stream, Version: c.Version, Seq: c.Seq, Duplicate: true},
			requestHash: c.RequestHash, at: c.At}
		f.byTime = append(f.byTime, commandAt{id: c.ID, at: c.At})
	}
	f.pruneLocked()
	return h.Position, nil
}

// matchStore checks that the store holds the commit the snapshot was
// taken at.
func (f *Feed) matchStore(ctx context.Context, h snapshotHeader) error {
	last, err := f.store.LastSeq(ctx)
	if err != nil {
		return err
	}
	if h.Position > last {
		return fmt.Errorf("snapshot at %d is ahead of the store at %d (a store reset, restored or replaced)", h.Position, last)
	}
	if h.Position == 0 {
		return nil
	}
	c, err := f.store.Get(ctx, h.Position)
	if err != nil {
		return fmt.Errorf("the commit the snapshot was taken at (%d): %w", h.Position, err)
	}
	if got := markOf(c); got.Stream != h.At.Stream || (c.Err == nil && got.EventID != h.At.EventID) {
		return fmt.Errorf("the store's commit %d is %s/%s, the snapshot was taken at %s/%s (another store)", h.Position, got.Stream, got.EventID, h.At.Stream, h.At.EventID)
	}
	return nil
}

// loadPart reads one part's JSON array.
func loadPart(dec *json.Decoder, s Snapshotter) (func(), error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("want the start of a part, got %v (%v)", tok, err)
	}
	commit, err := s.LoadSnapshot(dec.More, dec.Decode)
	if err != nil {
		return nil, err
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return nil, fmt.Errorf("want the end of the part, got %v (%v)", tok, err)
	}
	return commit, nil
}

// sortedKeys returns m's keys in order, so that a snapshot of the same
// state is the same file.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// removeUnfinished removes the files of saves to path that a crash or a
// stop cut short (each save writes a file of its own beside path), before
// any save of this process begins.
func removeUnfinished(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if name := e.Name(); strings.HasPrefix(name, base+".") && strings.HasSuffix(name, ".tmp") {
			_ = os.Remove(filepath.Join(dir, name))
		}
	}
}
