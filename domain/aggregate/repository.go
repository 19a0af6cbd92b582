package aggregate

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
)

// Change is one event a command decided to record.
type Change struct {
	Type          string
	SchemaVersion int
	Data          any
}

// Root is an aggregate's state: evolved only by applying stored events.
type Root[S any] interface {
	// Apply evolves the state by one stored event; unknown types are ignored.
	Apply(e eventstore.Event) error
	// Clone returns a deep copy for a command to decide from.
	Clone() S
}

// Meta is who and what a command is, stamped on its events.
type Meta struct {
	// Command names the command, for metrics ("submit", "register").
	Command   string
	Actor     domain.Actor
	CommandID string // idempotency key; empty for none
	// RequestHash binds CommandID to one request: the same id with another
	// hash is refused (Unprocessable) instead of answering the first result.
	RequestHash   string
	CorrelationID string
	CausationID   string
	// IfVersion, when set, must equal the aggregate's version (If-Match).
	IfVersion *uint64
	// IfVersions, when not nil, must hold the aggregate's version (an
	// If-Match list; empty when it named only weak tags, which never match).
	IfVersions []uint64
}

// Unconditioned is m without its If-Match conditions, for a command it
// leads to on another aggregate, whose version they do not name.
func (m Meta) Unconditioned() Meta {
	m.IfVersion, m.IfVersions = nil, nil
	return m
}

// Result is what a command wrote.
type Result struct {
	Stream    string
	Version   uint64
	Seq       uint64
	Duplicate bool

	// state is the aggregate as the command left it (the state it decided
	// on, its own events applied), at Version; nil when the command was
	// answered as a duplicate of an earlier one. See StateOf.
	state any
}

// StateOf returns the aggregate as the command that returned r left it, so
// that its answer is built from what it decided rather than read again
// (when another write may already have followed). False for a duplicate,
// whose answer has to be read. Read only: the cache holds the same state
// until it applies a later commit (which copies it first).
func StateOf[S any](r Result) (S, bool) {
	s, ok := r.state.(S)
	return s, ok
}

// Repository runs the commands of one kind of aggregate (one stream
// prefix). It keeps the aggregates used last in memory, at most its cache
// size, current from the feed; any other is read from its own stream when
// needed (see load).
type Repository[S Root[S]] struct {
	prefix string
	fresh  func(id string) S
	store  eventstore.Store
	feed   *Feed
	now    func() time.Time
	size   int

	mu      sync.Mutex
	entries map[string]*entry[S]
	used    *list.List // ids, the one used last in front
	errs    int
	loads   int
	adopted int // commits whose state a command gave the cache (adopt)
	// upcast routes the events of streams outside prefix (an older layout
	// of the same aggregates) to the aggregate each belongs to; nil: none.
	upcast func(stream string, e eventstore.Event) (id string, ok bool)
	// old is the upcast index: the commits of the older layout that name
	// each aggregate, in store order, so that it is read without the rest.
	old map[string][]uint64

	// locks serialise the commands on one aggregate within this process,
	// so that its own writers never race each other to a conflict; only
	// another process's write makes a command decide again. One lock per
	// aggregate being written, dropped when no command holds or waits for
	// it: commands on different aggregates never queue behind each other's
	// fsync, and the map is as large as the commands in flight.
	locksMu sync.Mutex
	locks   map[string]*aggregateLock
}

type aggregateLock struct {
	sync.Mutex
	users int // holding or waiting
}

// lock takes aggregate id's lock and returns its release.
func (r *Repository[S]) lock(id string) (unlock func()) {
	r.locksMu.Lock()
	l := r.locks[id]
	if l == nil {
		l = &aggregateLock{}
		r.locks[id] = l
	}
	l.users++
	r.locksMu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		r.locksMu.Lock()
		if l.users--; l.users == 0 {
			delete(r.locks, id)
		}
		r.locksMu.Unlock()
	}
}

// NewRepository returns a repository of the streams "<prefix>.<id>" and
// registers it with feed. fresh makes the state of a new aggregate.
func NewRepository[S Root[S]](prefix string, store eventstore.Store, feed *Feed, now func() time.Time, fresh func(id string) S) *Repository[S] {
	r := &Repository[S]{prefix: prefix, fresh: fresh, store: store, feed: feed, now: now, size: feed.cacheSize,
		entries: map[string]*entry[S]{}, used: list.New(), old: map[string][]uint64{}, locks: map[string]*aggregateLock{}}
	feed.Add(r)
	return r
}

// StreamID is the stream of aggregate id.
func (r *Repository[S]) StreamID(id string) string { return r.prefix + "." + id }

// Upcast makes the repository take the events of an older stream layout
// too: route names the aggregate an event of such a stream belongs to (false
// to leave it). Those events change the aggregate's state but not its head,
// which is always that of the aggregate's own stream, the one commands append
// to. Call it before the feed runs.
func (r *Repository[S]) Upcast(route func(stream string, e eventstore.Event) (id string, ok bool)) {
	r.upcast = route
}

// Find returns a copy of aggregate id and its version, reading it from
// its stream when it is not in memory; false when it does not exist.
// Errors: Unavailable when the store cannot be read.
func (r *Repository[S]) Find(ctx context.Context, id string) (S, uint64, bool, error) {
	s, head, ok, err := r.load(ctx, id)
	if err != nil || !ok {
		var zero S
		return zero, 0, false, err
	}
	return s, head.Version, true, nil
}

// CatchUpWith waits until this process has applied aggregate id's stream
// as far as the store holds it now, so that Find then returns it at least
// that current. A command decides on the aggregate as this process holds
// it, and finds that another process wrote since only when its append is
// refused: one with a costly step before its decision (a password hash)
// asks this first, then checks what its decision would refuse on, to
// refuse without that step. It costs one read of the store (the stream's
// head) and waits at most CommandTimeout. Errors: Unavailable.
func (r *Repository[S]) CatchUpWith(ctx context.Context, id string) error {
	if !eventstore.ValidStreamIDIn(r.prefix, id) {
		return nil // nothing was ever stored under it (see load)
	}
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	head, err := r.store.Head(ctx, r.StreamID(id))
	if err != nil {
		return storeUnavailable(err)
	}
	return r.feed.WaitFor(ctx, head.Seq)
}

// Peek calls see with aggregate id as memory holds it, without the copy
// Find makes, reading it from its stream first when it is not in memory;
// exists is false when it does not exist. For a check before a command (may
// the caller see it?): see runs under the repository's lock, so it must be
// quick, must not change the state or keep it, and must not call the
// repository. A read from the store is bounded by CommandTimeout (the one
// from memory makes no timer). Errors: Unavailable when the store cannot be
// read.
func (r *Repository[S]) Peek(ctx context.Context, id string, see func(s S, version uint64, exists bool)) error {
	r.mu.Lock()
	if e := r.entries[id]; e != nil && !e.loading && r.currentLocked(id, e) {
		r.used.MoveToFront(e.elem)
		see(e.state, e.head.Version, e.exists)
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	s, head, ok, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	see(s, head.Version, ok)
	return nil
}

var errRetries = errors.New("too many concurrent changes")

// CommandTimeout bounds a command's store calls and its wait for its own
// write: shorter than a client's usual 5 s, so that a slow store is
// answered with 503 and Retry-After rather than the client's own time-out.
const CommandTimeout = 4 * time.Second

// ErrNotCaughtUp is wrapped in the Unavailable error of a command that was
// stored but that this process has not applied yet within CommandTimeout.
var ErrNotCaughtUp = errors.New("stored, not yet applied here")

func notCaughtUp(res Result) error {
	e := domain.Wrap(domain.Unavailable, ErrNotCaughtUp,
		"the command was recorded (seq %d) but this process has not caught up with it yet; retry it with the same Idempotency-Key, or read with min_seq=%d", res.Seq, res.Seq)
	e.RetryAfter = 1
	return e
}

func storeUnavailable(err error) error {
	e := domain.Wrap(domain.Unavailable, err, "event store unavailable")
	e.RetryAfter = 1
	return e
}

// ErrKeyReused is wrapped in the Unprocessable error of a command id sent
// again with a different request.
var ErrKeyReused = errors.New("idempotency key reused")

func keyReused() error {
	e := domain.Wrap(domain.Unprocessable, ErrKeyReused, "this Idempotency-Key was already used for a different request; use a new key for a new request")
	e.Fields = []domain.FieldError{{Field: "Idempotency-Key", Reason: "already used with another method, path or body"}}
	return e
}

// applied returns what command meta already wrote, if the feed has it.
func (r *Repository[S]) applied(meta Meta) (Result, bool, error) {
	if meta.CommandID == "" {
		return Result{}, false, nil
	}
	res, hash, ok := r.feed.Command(meta.CommandID)
	if !ok {
		return Result{}, false, nil
	}
	if hash != "" && meta.RequestHash != "" && hash != meta.RequestHash {
		return Result{}, true, keyReused()
	}
	return res, true, nil
}

// appliedUpTo returns what command meta already wrote, once the feed has
// applied seq. A state read from the store can be ahead of the feed, and
// hold this very command, written by another process it was also sent to
// (or by an earlier attempt): refused on a state that holds its own effect,
// it must answer as its first write did. False when the feed does not
// reach seq in time (see update's refuse: a command with an id then
// answers not-caught-up rather than the refusal).
func (r *Repository[S]) appliedUpTo(ctx context.Context, meta Meta, seq uint64) (Result, bool, error) {
	if meta.CommandID == "" || r.feed.WaitFor(ctx, seq) != nil {
		return Result{}, false, nil
	}
	return r.applied(meta)
}

// Applied returns what command meta wrote, when this process has applied
// it (ok; the aggregate is then read at least that far), for a service
// whose checks before its command would refuse a retry of one recorded
// already (a current password it changed, a link it used, a case that has
// moved on since): it answers that first, as Update would. ok false when
// meta has no command id or it is not recorded here. Errors: Unprocessable
// (ErrKeyReused) when the id was recorded for another request (another
// RequestHash; none given matches any).
func (r *Repository[S]) Applied(ctx context.Context, meta Meta) (Result, bool, error) {
	res, ok, err := r.applied(meta)
	if !ok || err != nil {
		return res, ok, err
	}
	return res, true, r.seeDuplicate(ctx, res)
}

// AppliedOn is Applied for a command on aggregate id, asked by a page that
// read id's state and found it moved on: that state, read from the store,
// can be ahead of this process's feed, and be moved on by this very
// command (the same form sent twice at once, the other copy's write just
// stored). Not found at once, it is asked again once the feed has applied
// what the store holds of id, within CommandTimeout.
func (r *Repository[S]) AppliedOn(ctx context.Context, id string, meta Meta) (Result, bool, error) {
	if res, ok, err := r.Applied(ctx, meta); ok || err != nil || meta.CommandID == "" {
		return res, ok, err
	}
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	_, head, _, err := r.load(ctx, id)
	if err != nil {
		return Result{}, false, err
	}
	res, ok, err := r.appliedUpTo(ctx, meta, head.Seq)
	if !ok || err != nil {
		return res, ok, err
	}
	return res, true, r.seeDuplicate(ctx, res)
}

// Recorded returns the events of the commit a command wrote, res being
// its answer: for a retry answered as a duplicate (no state to answer
// with) to name what its first attempt recorded, such as an id that
// attempt chose. Errors: Unavailable when the store cannot be read;
// Internal when the commit at res.Seq is not of res.Stream.
func (r *Repository[S]) Recorded(ctx context.Context, res Result) ([]eventstore.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	c, err := r.store.Get(ctx, res.Seq)
	if err != nil {
		return nil, storeUnavailable(err)
	}
	if c.Stream != res.Stream || c.Err != nil {
		return nil, domain.Errorf(domain.Internal, "the commit at %d is not the one recorded on %s", res.Seq, res.Stream)
	}
	return c.Events, nil
}

// Update runs decide on aggregate id (a fresh state when it does not exist
// yet) and appends what it decided, retrying on a concurrent write. decide
// returns a domain error to refuse; it must not change the state it is given.
func (r *Repository[S]) Update(ctx context.Context, id string, meta Meta, decide func(S, uint64) ([]Change, error)) (Result, error) {
	res, appended, err := r.update(ctx, id, meta, decide)
	if err == nil && res.Duplicate {
		err = r.seeDuplicate(ctx, res)
	}
	outcome := "accepted"
	switch {
	case domain.Is(err, domain.Conflict) || domain.Is(err, domain.PreconditionFailed):
		outcome = "conflict"
	case err != nil:
		outcome = "rejected"
	}
	if errors.Is(err, ErrNotCaughtUp) {
		outcome = "accepted"
	}
	r.feed.observe(meta.Command, outcome, appended)
	return res, err
}

func (r *Repository[S]) update(ctx context.Context, id string, meta Meta, decide func(S, uint64) ([]Change, error)) (Result, int, error) {
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	stream := r.StreamID(id)
	if res, ok, err := r.applied(meta); ok {
		return res, 0, err
	}
	defer r.lock(id)()
	for attempt := 0; attempt < 20; attempt++ {
		if attempt > 0 {
			// Another process keeps writing this aggregate: back off a little.
			time.Sleep(time.Duration(rand.IntN(1+attempt*2)) * time.Millisecond)
		}
		// It may have been applied while we waited for the lock, or be the
		// write that beat ours (the same command sent to another process).
		if res, ok, err := r.applied(meta); ok {
			return res, 0, err
		}
		state, head, _, err := r.load(ctx, id)
		if err != nil {
			return Result{}, 0, err
		}
		refuse := func(err error) (Result, int, error) {
			if res, ok, aerr := r.appliedUpTo(ctx, meta, head.Seq); ok {
				return res, 0, aerr
			}
			if meta.CommandID != "" && r.feed.Position() < head.Seq {
				// Decided on a state this process has not applied: it may
				// hold this very command; say so rather than refuse it.
				return Result{}, 0, notCaughtUp(Result{Seq: head.Seq})
			}
			return Result{}, 0, err
		}
		if meta.IfVersion != nil && *meta.IfVersion != head.Version {
			return refuse(domain.Errorf(domain.PreconditionFailed, "version %d does not match the current version %d", *meta.IfVersion, head.Version))
		}
		if meta.IfVersions != nil && !slices.Contains(meta.IfVersions, head.Version) {
			return refuse(domain.Errorf(domain.PreconditionFailed, "none of the versions %v is the current version %d", meta.IfVersions, head.Version))
		}
		changes, err := decide(state, head.Version)
		if err != nil {
			return refuse(err)
		}
		if len(changes) == 0 {
			return Result{Stream: stream, Version: head.Version, Seq: head.Seq, state: state}, 0, nil
		}
		events, err := r.events(meta, changes)
		if err != nil {
			return Result{}, 0, err
		}
		res, made, err := r.append(ctx, id, eventstore.AppendRequest{Stream: stream, Expected: head, CommandID: meta.CommandID,
			RequestHash: meta.RequestHash, Events: events}, state, changes)
		if errors.Is(err, eventstore.ErrCommandReused) {
			return Result{}, 0, keyReused()
		}
		if errors.Is(err, eventstore.ErrConflict) {
			// Someone else wrote first: wait until the feed has their events.
			cur, herr := r.store.Head(ctx, stream)
			if herr != nil {
				return Result{}, 0, storeUnavailable(herr)
			}
			if werr := r.feed.WaitFor(ctx, cur.Seq); werr != nil {
				return Result{}, 0, werr
			}
			// Decide again from the stream itself, whatever memory holds.
			r.forget(id)
			continue
		}
		var tle *eventstore.TooLargeError
		if errors.As(err, &tle) {
			// Too large now is too large on every retry: the caller's input.
			return Result{}, 0, &domain.Error{Code: domain.TooLarge,
				Message: fmt.Sprintf("this change takes %d bytes in the record, over the %d bytes one change may take: send less at once", tle.Size, tle.Max),
				Extra:   map[string]any{"max_commit_bytes": tle.Max, "commit_bytes": tle.Size}}
		}
		if err != nil {
			return Result{}, 0, storeUnavailable(err)
		}
		appended := len(events)
		if res.Duplicate {
			appended = 0
		}
		out := Result{Stream: stream, Version: res.Head.Version, Seq: res.Head.Seq, Duplicate: res.Duplicate}
		if res.Stream != "" {
			out.Stream = res.Stream // a duplicate answers where the first attempt wrote
		}
		if made {
			out.state = state
		}
		// Show the caller their own write: a caller reads it back next, and
		// must never be told it does not exist.
		if err := r.feed.WaitFor(ctx, res.Head.Seq); err != nil {
			return out, appended, notCaughtUp(out)
		}
		return out, appended, nil
	}
	return Result{}, 0, domain.Wrap(domain.Conflict, errRetries, "the case changed concurrently too often; try again")
}

// append appends req, decided on state at req.Expected, with the cached
// aggregate held (hold) until it settles, panic or not. made reports that
// state is now the stream's at the result's head: appended right after
// the head decided on, the events as the store wrote them (command id,
// version, seq, hash) are exactly what lies between, and applied to state
// they make it the stream's, to answer with and for the cache to take.
// Without them (a duplicate) the answer reads the aggregate.
func (r *Repository[S]) append(ctx context.Context, id string, req eventstore.AppendRequest, state S, changes []Change) (res eventstore.Result, made bool, err error) {
	held := r.hold(id, req.Expected)
	defer func() { r.settle(id, held, req.Expected, res.Head, state, made) }()
	res, err = r.store.Append(ctx, req)
	made = err == nil && !res.Duplicate && len(res.Events) == len(changes) && applyAll(state, res.Events, changes)
	return res, made, err
}

// applyAll applies the events a command recorded to the state it decided
// on (a copy of its own); false if one cannot be applied, and then the
// state is not the command's to answer with. A root that can take the
// payloads as the command made them (DecidedApplier) is given them rather
// than their JSON to decode again.
func applyAll[S Root[S]](state S, events []eventstore.Event, changes []Change) bool {
	decided, ok := any(state).(DecidedApplier)
	for i, e := range events {
		var err error
		if ok {
			err = decided.ApplyDecided(e, changes[i].Data)
		} else {
			err = state.Apply(e)
		}
		if err != nil {
			return false
		}
	}
	return true
}

// DecidedApplier is a root that applies an event its command has just
// decided from the payload as the command made it (the Change's Data),
// changing the state as Apply does from the stored JSON.
type DecidedApplier interface {
	ApplyDecided(e eventstore.Event, payload any) error
}

func (r *Repository[S]) events(meta Meta, changes []Change) ([]eventstore.Event, error) {
	now := r.now().UTC()
	out := make([]eventstore.Event, len(changes))
	for i, c := range changes {
		data, err := json.Marshal(c.Data)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", c.Type, err)
		}
		sv := c.SchemaVersion
		if sv == 0 {
			sv = 1
		}
		out[i] = eventstore.Event{
			ID: ulid.Make().String(), Type: c.Type, SchemaVersion: sv, OccurredAt: now,
			Actor: meta.Actor, CorrelationID: meta.CorrelationID, CausationID: meta.CausationID, Data: data,
		}
	}
	return out, nil
}

// SnapshotName implements Snapshotter: the stream prefix.
func (r *Repository[S]) SnapshotName() string { return r.prefix }

// SnapshotShape implements Snapshotter: the upcast index is what is saved;
// the aggregates are read from their streams when needed.
func (r *Repository[S]) SnapshotShape() string { return ShapeOf(savedOld{}) }

// savedOld is one aggregate's place in the upcast index.
type savedOld struct {
	ID   string   `json:"id"`
	Seqs []uint64 `json:"seqs"`
}

// SaveSnapshot implements Snapshotter: the upcast index, in id order.
func (r *Repository[S]) SaveSnapshot(ctx context.Context, put func(any) error) error {
	r.mu.Lock()
	saved := make([]savedOld, 0, len(r.old))
	for _, id := range sortedKeys(r.old) {
		saved = append(saved, savedOld{ID: id, Seqs: slices.Clone(r.old[id])})
	}
	r.mu.Unlock()
	for _, o := range saved {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := put(o); err != nil {
			return err
		}
	}
	return nil
}

// LoadSnapshot implements Snapshotter. Whatever is in memory is dropped:
// it is read again from the store.
func (r *Repository[S]) LoadSnapshot(more func() bool, next func(any) error) (func(), error) {
	old := map[string][]uint64{}
	for more() {
		var o savedOld
		if err := next(&o); err != nil {
			return nil, err
		}
		if o.ID == "" || !slices.IsSorted(o.Seqs) {
			return nil, fmt.Errorf("upcast index entry %q out of order", o.ID)
		}
		old[o.ID] = o.Seqs
	}
	return func() {
		r.mu.Lock()
		r.old = old
		r.entries, r.used = map[string]*entry[S]{}, list.New()
		r.mu.Unlock()
	}, nil
}
