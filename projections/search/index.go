// Package search finds cases and users by what the office knows of them:
// names, emails, programmes and providers, case ids. Those are sealed in
// the store (see domain/pii), so the index opens them and keeps the words
// in memory only. It builds itself in the background, while the process
// serves, by reading the store from the start, or from a snapshot (see
// Persist) that holds every value sealed again under its person's key, so
// that erasing the person's key erases them from the snapshot too. An
// erased person's words drop out of it with the erasure event.
package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// Opener opens a sealed value; pii.ErrErased when its subject was erased.
type Opener func(ctx context.Context, s pii.Sealed) (string, error)

// Index is the in-memory search index. Its zero value is not usable: see New.
type Index struct {
	store eventstore.Store
	open  Opener
	log   *slog.Logger

	mu      sync.RWMutex
	users   map[string]*user
	userIDs []string // every user id, in order (ULIDs: oldest first)
	cases   map[string]*kase
	caseIDs []string // every case id, in order
	byOwner map[string][]string
	// userWords and caseWords find users and cases by their words'
	// starts; a case is also found by its applicant's words.
	userWords, caseWords wordIndex
	pos                  uint64
	target               uint64 // the store's end when the build began
	built                bool
	builtCh              chan struct{} // closed once built
	began                time.Time     // when Run began, for the log line at built
	changed              chan struct{}
	passedOver           uint64 // commits moved past undecoded (for tests)

	// The snapshot (Persist): where, how its values are sealed, the
	// commits applied that changed the index (edits) and how many of them
	// the last snapshot written or read holds, and the position a start
	// resumed from (for tests).
	path              string
	pass              func() Pass
	building          Pass // the build's pass, until built
	edits, savedEdits uint64
	resumedFrom       uint64
}

type user struct {
	role  domain.Role
	name  string
	email string
	// nameBy and emailBy are the subjects whose keys sealed the name and
	// the email in the store (the user's own): a snapshot seals them again
	// under the same keys.
	nameBy, emailBy string
	words           []string
	erased          bool
}

type kase struct {
	applicant string
	programme string
	provider  string
	// programmeBy and providerBy: whose keys sealed them in the store.
	programmeBy, providerBy string
	words                   []string // the case id and the programme's words
}

// New returns an index that Run fills from store.
func New(store eventstore.Store, open Opener, log *slog.Logger) *Index {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Index{store: store, open: open, log: log, users: map[string]*user{}, cases: map[string]*kase{},
		byOwner: map[string][]string{}, userWords: newWordIndex(), caseWords: newWordIndex(), changed: make(chan struct{}),
		builtCh: make(chan struct{})}
}

// Run reads the store from its start and then follows it until ctx ends.
// A commit it cannot read (the key store did not answer) is read again
// after a pause: nothing is skipped.
func (x *Index) Run(ctx context.Context) {
	// The store's end is what the build is done at: without it the index
	// would say it is built after its first commit.
	for {
		end, err := x.store.LastSeq(ctx)
		if err == nil {
			x.mu.Lock()
			x.target = end
			x.began = time.Now()
			if end == 0 {
				x.markBuiltLocked()
			}
			x.mu.Unlock()
			break
		}
		x.log.Warn("search index: the store's end could not be read; trying again", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
	if x.path != "" {
		x.resume(ctx)
	}
	x.mu.Lock()
	if !x.built && x.pass != nil {
		// The build opens everyone's values: in a pass, which soon reads
		// the keys at once (a round trip each: a build at 200k people
		// took 21 to 30 s, and 14 s in a pass).
		x.building = x.pass()
	}
	x.mu.Unlock()
	for ctx.Err() == nil {
		err := eventstore.SubscribeDeferred(ctx, x.store, x.Position(), func(d eventstore.Deferred) error {
			if seq, body, ok := d.Peek(); ok && !mayConcern(body) {
				x.passed(seq)
				return nil
			}
			return x.apply(ctx, d.Decode())
		})
		if ctx.Err() != nil {
			return
		}
		x.log.Warn("search index interrupted; resuming", "position", x.Position(), "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (x *Index) markBuiltLocked() {
	if !x.built {
		x.built = true
		x.building = nil // what it read is dropped with it
		close(x.builtCh)
	}
}

// Built is closed once the index has reached the store's end as it was
// when Run began.
func (x *Index) Built() <-chan struct{} { return x.builtCh }

// Position is the seq of the last commit the index holds.
func (x *Index) Position() uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.pos
}

// Status says how far the build is: the commits read and the store's end
// when it began. Built is true once it reached that end.
type Status struct {
	Built   bool   `json:"built"`
	Indexed uint64 `json:"indexed"`
	Of      uint64 `json:"of"`
}

// Status reports the build's progress.
func (x *Index) Status() Status {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return Status{Built: x.built, Indexed: min(x.pos, x.target), Of: x.target}
}

// WaitFor waits until the index holds the commit at seq, or ctx ends.
func (x *Index) WaitFor(ctx context.Context, seq uint64) error {
	for {
		x.mu.RLock()
		pos, ch := x.pos, x.changed
		x.mu.RUnlock()
		if pos >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// apply takes what the index needs from one commit. The sealed values are
// opened before the lock is taken.
func (x *Index) apply(ctx context.Context, c eventstore.Commit) error {
	var edits []func()
	for _, e := range c.Events {
		edit, err := x.edit(ctx, e)
		if err != nil {
			return err
		}
		if edit != nil {
			edits = append(edits, edit)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, edit := range edits {
		edit()
	}
	if len(edits) > 0 {
		x.edits++
	}
	x.movedLocked(c.Seq)
	return nil
}

// passed moves the index past the commit at seq, which holds nothing it
// reads.
func (x *Index) passed(seq uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.passedOver++
	x.movedLocked(seq)
}

func (x *Index) movedLocked(seq uint64) {
	x.pos = seq
	if !x.built && x.pos >= x.target {
		x.markBuiltLocked()
		x.log.Info("search index built", "position", x.pos, "users", len(x.users), "cases", len(x.cases),
			"took_ms", time.Since(x.began).Milliseconds())
	}
	close(x.changed)
	x.changed = make(chan struct{})
}

// readTails is the types of event edit reads, each from its last dot on:
// a stored commit holding one of those events holds its tail.
var readTails = tails(accounts.EventUserRegistered, accounts.EventEmailChanged, accounts.EventUserErased,
	string(accreditation.EventCaseOpened))

func tails(types ...string) [][]byte {
	out := make([][]byte, len(types))
	for i, t := range types {
		out[i] = []byte(t[strings.LastIndexByte(t, '.'):])
	}
	return out
}

// mayConcern reports whether a commit's stored body may hold an event that
// edit reads: a type's tail written out, or a \u escape, with which a type
// could be written in other letters (encoding/json writes none in these
// names, but the test is on the bytes, not on who wrote them). Most
// commits are a case's steps: passed over undecoded, a build after a
// start no longer decodes the whole store. It looks at each dot and each
// backslash, both rare in a commit, rather than searching for each type.
func mayConcern(body []byte) bool {
	if bytes.Contains(body, []byte(`\u`)) {
		return true
	}
	for i := 0; ; i++ {
		j := bytes.IndexByte(body[i:], '.')
		if j < 0 {
			return false
		}
		i += j
		for _, t := range readTails {
			if bytes.HasPrefix(body[i:], t) {
				return true
			}
		}
	}
}

// edit returns what e changes in the index (nil when nothing), to be done
// under the lock. A type it comes to read goes in readTails too, or the
// commits holding it are passed over.
func (x *Index) edit(ctx context.Context, e eventstore.Event) (func(), error) {
	switch e.Type {
	case accounts.EventUserRegistered:
		var p accounts.UserRegistered
		if json.Unmarshal(e.Data, &p) != nil {
			return nil, nil
		}
		name, err := x.opened(ctx, p.Name)
		if err != nil {
			return nil, err
		}
		email, err := x.opened(ctx, p.Email)
		if err != nil {
			return nil, err
		}
		return func() {
			x.putUser(p.UserID, p.Role, name, email, subjectOf(p.Name, p.UserID), subjectOf(p.Email, p.UserID))
		}, nil
	case accounts.EventEmailChanged:
		var p accounts.EmailChanged
		if json.Unmarshal(e.Data, &p) != nil {
			return nil, nil
		}
		email, err := x.opened(ctx, p.Email)
		if err != nil {
			return nil, err
		}
		return func() {
			if u, ok := x.users[p.UserID]; ok && !u.erased {
				x.putUser(p.UserID, u.role, u.name, email, u.nameBy, subjectOf(p.Email, p.UserID))
			}
		}, nil
	case accounts.EventUserErased:
		var p accounts.UserErased
		if json.Unmarshal(e.Data, &p) != nil {
			return nil, nil
		}
		return func() { x.erase(p.UserID) }, nil
	case string(accreditation.EventCaseOpened):
		var p accreditation.CaseOpened
		if json.Unmarshal(e.Data, &p) != nil {
			return nil, nil
		}
		programme, err := x.opened(ctx, p.ProgrammeName)
		if err != nil {
			return nil, err
		}
		provider, err := x.opened(ctx, p.ProgrammeProvider)
		if err != nil {
			return nil, err
		}
		programmeBy, providerBy := subjectOf(p.ProgrammeName, p.ApplicantID), subjectOf(p.ProgrammeProvider, p.ApplicantID)
		return func() { x.putCase(p.CaseID, p.ApplicantID, programme, provider, programmeBy, providerBy) }, nil
	}
	return nil, nil
}

// opened opens s; an erased value opens as nothing.
func (x *Index) opened(ctx context.Context, s pii.Sealed) (string, error) {
	x.mu.RLock()
	building := x.building
	x.mu.RUnlock()
	if building != nil {
		return openedBy(ctx, building.Open, s)
	}
	return openedBy(ctx, x.open, s)
}

func openedBy(ctx context.Context, open Opener, s pii.Sealed) (string, error) {
	v, err := open(ctx, s)
	if errors.Is(err, pii.ErrErased) {
		return "", nil
	}
	return v, err
}

// subjectOf is whose key sealed s, as the string owner when it is the
// same (one string kept per user, not three).
func subjectOf(s pii.Sealed, owner string) string {
	if s.Subject == owner {
		return owner
	}
	return s.Subject
}

func (x *Index) putUser(id string, role domain.Role, name, email, nameBy, emailBy string) {
	u, ok := x.users[id]
	if !ok {
		u = &user{}
		x.users[id] = u
		x.userIDs = insertSorted(x.userIDs, id)
	}
	if u.erased {
		return
	}
	x.userWords.remove(id, u.words)
	u.role, u.name, u.email, u.nameBy, u.emailBy = role, name, email, nameBy, emailBy
	u.words = words(name, email)
	x.userWords.add(id, u.words)
}

func (x *Index) putCase(id, applicant, programme, provider, programmeBy, providerBy string) {
	c, ok := x.cases[id]
	if !ok {
		c = &kase{}
		x.cases[id] = c
		x.caseIDs = insertSorted(x.caseIDs, id)
		x.byOwner[applicant] = append(x.byOwner[applicant], id)
	}
	c.applicant = applicant
	if u, ok := x.users[applicant]; ok && u.erased {
		programme, provider = "", ""
	}
	x.caseWords.remove(id, c.words)
	c.programme, c.provider, c.programmeBy, c.providerBy = programme, provider, programmeBy, providerBy
	c.words = append(words(programme, provider), strings.ToLower(id))
	x.caseWords.add(id, c.words)
}

// erase drops a person's words, and those of their programmes (sealed
// under their key, so gone from the store too).
func (x *Index) erase(id string) {
	u, ok := x.users[id]
	if !ok {
		u = &user{}
		x.users[id] = u
		x.userIDs = insertSorted(x.userIDs, id)
	}
	x.userWords.remove(id, u.words)
	*u = user{role: u.role, erased: true}
	for _, cid := range x.byOwner[id] {
		if c := x.cases[cid]; c != nil {
			x.caseWords.remove(cid, c.words)
			c.programme, c.provider = "", ""
			c.words = []string{strings.ToLower(cid)}
			x.caseWords.add(cid, c.words)
		}
	}
}

func insertSorted(ids []string, id string) []string {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}
