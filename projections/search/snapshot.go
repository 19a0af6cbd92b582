package search

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// Why a snapshot: the build reads the whole store, and after every restart
// at 1M events that was 11 s of a core and 700 MiB of garbage (RSS 470 →
// 1,150 MiB with no soft limit), though the index itself is small.
// Why sealed: the index holds names in the clear, and a file of them would
// outlive an erasure. Each value is sealed again under the key that
// sealed it in the store, so erasing a person's key leaves their values
// in any copy of the file as unreadable as in the store.

// Pass is one pass over everyone's values (pii.Vault.Pass): a snapshot's
// save seals each value again with SealExisting, pii.ErrErased when its
// subject has no key (a snapshot never makes one); its load opens them.
// Every person's key is needed, and a pass reads them from the key store
// at once rather than one round trip each.
type Pass interface {
	SealExisting(ctx context.Context, subject, plain string) (pii.Sealed, error)
	Open(ctx context.Context, s pii.Sealed) (string, error)
	Stats() pii.PassStats
}

// snapshotFormat names the file's form; a file of another is not used.
const snapshotFormat = "accredit-search-index/1"

type snapshotFile struct {
	snapshotHead
	Users []savedUser `json:"users"`
	Cases []savedCase `json:"cases"`
}

type snapshotHead struct {
	Format   string `json:"format"`
	Position uint64 `json:"position"`
	// The commit at Position, by its stream and last event id: a file of
	// another store with as many commits is not used.
	Stream  string `json:"stream,omitempty"`
	EventID string `json:"event_id,omitempty"`
}

type savedUser struct {
	ID     string      `json:"id"`
	Role   domain.Role `json:"role,omitempty"`
	Name   pii.Sealed  `json:"name,omitzero"`
	Email  pii.Sealed  `json:"email,omitzero"`
	Erased bool        `json:"erased,omitempty"`
}

type savedCase struct {
	ID        string     `json:"id"`
	Applicant string     `json:"applicant,omitempty"`
	Programme pii.Sealed `json:"programme,omitzero"`
	Provider  pii.Sealed `json:"provider,omitzero"`
}

// Persist makes Run start from the snapshot at path when a usable one is
// there (of this store, not ahead of it, its values opened), and
// SaveSnapshot write it. Each save, each load and a build from the store
// runs in a pass of its own, begun with pass. Call it before Run.
func (x *Index) Persist(path string, pass func() Pass) {
	x.path, x.pass = path, pass
}

// SaveSnapshot writes the index as it stands to the Persist path and
// returns the position saved, unless no commit changed it since the last
// one written or read (written is false): a stop after commits the index
// only passed over (logins, a case's steps) writes nothing, and the next
// start passes over them again, which costs little. A value whose key is
// gone (its person erased, the erasure not yet read) is left out. On error
// the last file stays.
func (x *Index) SaveSnapshot(ctx context.Context) (pos uint64, written bool, err error) {
	if x.path == "" {
		return 0, false, errors.New("search index: no snapshot path (Persist)")
	}
	x.mu.RLock()
	if x.edits == x.savedEdits {
		x.mu.RUnlock()
		return 0, false, nil
	}
	edits := x.edits
	head := snapshotHead{Format: snapshotFormat, Position: x.pos}
	// The clear values are copied under the lock, then sealed and written
	// one at a time: the whole file held in memory at once added 50 MiB to
	// the peak of a start at 1M events.
	type userAt struct {
		id string
		u  user
	}
	type caseAt struct {
		id string
		c  kase
	}
	users := make([]userAt, 0, len(x.userIDs))
	for _, id := range x.userIDs {
		users = append(users, userAt{id, *x.users[id]})
	}
	cases := make([]caseAt, 0, len(x.caseIDs))
	for _, id := range x.caseIDs {
		cases = append(cases, caseAt{id, *x.cases[id]})
	}
	x.mu.RUnlock()

	if head.Position > 0 {
		c, err := x.store.Get(ctx, head.Position)
		if err != nil {
			return 0, false, fmt.Errorf("search index snapshot: the commit at %d: %w", head.Position, err)
		}
		head.Stream, head.EventID = markOf(c)
	}
	var sealErr error // the first value that could not be sealed
	pass := x.pass()
	sealed := func(subject, plain string) pii.Sealed {
		if sealErr != nil || plain == "" {
			return pii.Sealed{}
		}
		s, err := pass.SealExisting(ctx, subject, plain)
		if err != nil && !errors.Is(err, pii.ErrErased) {
			sealErr = fmt.Errorf("seal: %w", err)
		}
		return s
	}
	record := func(w *bufio.Writer, i int, rec any) error {
		if sealErr != nil {
			return sealErr
		}
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err() // the stop's budget is spent: the last file stays
		}
		b, merr := json.Marshal(rec)
		if merr != nil {
			return merr
		}
		if i > 0 {
			w.WriteByte(',')
		}
		_, werr := w.Write(b)
		return werr
	}
	// Written as snapshotFile reads: the head's fields, then the lists.
	write := func(w *bufio.Writer) error {
		b, err := json.Marshal(head)
		if err != nil {
			return err
		}
		w.Write(b[:len(b)-1])
		w.WriteString(`,"users":[`)
		for i, u := range users {
			rec := savedUser{ID: u.id, Role: u.u.role, Erased: u.u.erased,
				Name: sealed(u.u.nameBy, u.u.name), Email: sealed(u.u.emailBy, u.u.email)}
			if err := record(w, i, rec); err != nil {
				return err
			}
		}
		w.WriteString(`],"cases":[`)
		for i, c := range cases {
			rec := savedCase{ID: c.id, Applicant: c.c.applicant,
				Programme: sealed(c.c.programmeBy, c.c.programme), Provider: sealed(c.c.providerBy, c.c.provider)}
			if err := record(w, i, rec); err != nil {
				return err
			}
		}
		_, err = w.WriteString("]}\n")
		return err
	}
	if err := writeFileAtomically(x.path, write); err != nil {
		return 0, false, fmt.Errorf("search index snapshot: %w", err)
	}
	x.mu.Lock()
	x.savedEdits = max(x.savedEdits, edits)
	x.mu.Unlock()
	return head.Position, true, nil
}

// markOf is how a snapshot names the commit it was taken at.
func markOf(c eventstore.Commit) (stream, eventID string) {
	if n := len(c.Events); n > 0 {
		eventID = c.Events[n-1].ID
	}
	return c.Stream, eventID
}

// writeFileAtomically writes path through a file beside it, synced and
// renamed over it: a crash leaves the old file or the new, never half.
func writeFileAtomically(path string, write func(*bufio.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is none
	w := bufio.NewWriterSize(tmp, 1<<16)
	if err := write(w); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// resume loads the snapshot, if a usable one is there; any other (none,
// another form, another store, a value that cannot be opened) is logged
// and the index builds from the store's start, as without one.
func (x *Index) resume(ctx context.Context) {
	began := time.Now()
	snap, err := x.readSnapshot(ctx)
	switch {
	case errors.Is(err, os.ErrNotExist):
		x.log.Info("no search index snapshot; building from the store's start")
		return
	case err != nil:
		x.log.Warn("search index snapshot not used; building from the store's start", "err", err)
		return
	}
	// The values are opened before the lock is taken, by several at once:
	// most of an open's time was its person's key read from the key store
	// (a round trip), and one at a time took 4 s at 50k users. The pass
	// soon reads the keys in bulk.
	pass := x.pass()
	type opened struct{ a, b string }
	users, cases := make([]opened, len(snap.Users)), make([]opened, len(snap.Cases))
	err = eachAtOnce(ctx, len(users)+len(cases), func(i int) error {
		var two [2]pii.Sealed
		var out *opened
		if i < len(users) {
			two, out = [2]pii.Sealed{snap.Users[i].Name, snap.Users[i].Email}, &users[i]
		} else {
			c := snap.Cases[i-len(users)]
			two, out = [2]pii.Sealed{c.Programme, c.Provider}, &cases[i-len(users)]
		}
		a, err := openedBy(ctx, pass.Open, two[0])
		if err != nil {
			return err
		}
		b, err := openedBy(ctx, pass.Open, two[1])
		*out = opened{a, b}
		return err
	})
	if err != nil {
		x.log.Warn("search index snapshot not used; building from the store's start", "err", err)
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, u := range snap.Users {
		x.putUser(u.ID, u.Role, users[i].a, users[i].b, subjectOf(u.Name, u.ID), subjectOf(u.Email, u.ID))
		if u.Erased {
			x.erase(u.ID)
		}
	}
	for i, c := range snap.Cases {
		x.putCase(c.ID, c.Applicant, cases[i].a, cases[i].b, subjectOf(c.Programme, c.Applicant), subjectOf(c.Provider, c.Applicant))
	}
	x.resumedFrom = snap.Position // edits stays 0: the file holds them all
	keys := pass.Stats()
	x.log.Info("search index resumed from its snapshot", "position", snap.Position, "users", len(snap.Users),
		"cases", len(snap.Cases), "took_ms", time.Since(began).Milliseconds(),
		"keys_read_one_by_one", keys.OneByOne, "keys_read_in_bulk", keys.InBulk)
	x.movedLocked(snap.Position)
}

// openers is how many values a resume opens at once.
const openers = 16

// eachAtOnce calls fn for 0..n-1, openers at a time, until one fails; it
// returns the first error.
func eachAtOnce(ctx context.Context, n int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(openers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n)) // the others stop at their next
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// readSnapshot reads the file and checks it belongs to this store.
func (x *Index) readSnapshot(ctx context.Context) (snapshotFile, error) {
	var snap snapshotFile
	f, err := os.Open(x.path)
	if err != nil {
		return snap, err
	}
	defer f.Close()
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<16)).Decode(&snap); err != nil {
		return snap, fmt.Errorf("read %s: %w", x.path, err)
	}
	if snap.Format != snapshotFormat {
		return snap, fmt.Errorf("%s is of form %q, this process reads %q", x.path, snap.Format, snapshotFormat)
	}
	last, err := x.store.LastSeq(ctx)
	if err != nil {
		return snap, err
	}
	if snap.Position > last {
		return snap, fmt.Errorf("snapshot at %d is ahead of the store at %d (a store reset, restored or replaced)", snap.Position, last)
	}
	if snap.Position == 0 {
		return snap, nil
	}
	c, err := x.store.Get(ctx, snap.Position)
	if err != nil {
		return snap, fmt.Errorf("the commit the snapshot was taken at (%d): %w", snap.Position, err)
	}
	if stream, id := markOf(c); stream != snap.Stream || (c.Err == nil && id != snap.EventID) {
		return snap, fmt.Errorf("the store's commit %d is %s/%s, the snapshot was taken at %s/%s (another store)",
			snap.Position, stream, id, snap.Stream, snap.EventID)
	}
	return snap, nil
}
