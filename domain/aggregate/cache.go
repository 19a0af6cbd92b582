package aggregate

import (
	"container/list"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
)

// DefaultCacheSize is how many aggregates of one kind a repository keeps in
// memory unless the feed says otherwise (Feed.CacheSize): the ones used
// last. The others are read from their own streams when next needed.
const DefaultCacheSize = 10_000

// entry is one aggregate in the cache.
type entry[S any] struct {
	state S
	head  eventstore.Head
	// oldSeq is the last commit of an older stream layout applied (see
	// Upcast), which head does not count.
	oldSeq uint64
	// exists is set once a commit of the aggregate has been applied.
	exists bool

	// While the aggregate is read from the store, the feed's commits for
	// it wait in pending, and ready is open; whoever else wants it waits
	// for ready. err is why the read failed (the entry is gone then).
	loading bool
	pending []eventstore.Commit
	ready   chan struct{}
	err     error

	// While a command of this process appends to the aggregate (hold),
	// the feed's commits for it wait in held: the command's own one is
	// then taken as the state the command made (settle), not decoded and
	// applied again. With fsync always the feed often brings a commit
	// before its append returns: 7 µs of a command's CPU went to that.
	writing bool
	held    []eventstore.Commit
	// shared is set while state is also a command's answer (adopt,
	// settle): the first commit applied after copies it, rather than every
	// command copy the state it gives (700 B a command).
	shared bool

	elem *list.Element // its place in the cache's use order
}

// load returns a copy of aggregate id, its head and whether it exists,
// reading it from the store when it is not in memory, and marks it used.
// Errors: Unavailable when the store cannot be read.
func (r *Repository[S]) load(ctx context.Context, id string) (S, eventstore.Head, bool, error) {
	var zero S
	if !eventstore.ValidStreamIDIn(r.prefix, id) {
		// No stream can have that name ("", "a b"): nothing was ever
		// stored under it. The store would refuse the read as an error,
		// and a command naming such an id would read as an outage (503).
		return zero, eventstore.Head{}, false, nil
	}
	for {
		r.mu.Lock()
		e := r.entries[id]
		if e == nil {
			break
		}
		if !e.loading && r.currentLocked(id, e) {
			r.used.MoveToFront(e.elem)
			defer r.mu.Unlock()
			return e.state.Clone(), e.head, e.exists, nil
		}
		if !e.loading { // a held commit did not follow on: dropped, read afresh
			r.mu.Unlock()
			continue
		}
		ready := e.ready
		r.mu.Unlock()
		select {
		case <-ready:
			if e.err != nil {
				return zero, eventstore.Head{}, false, e.err
			}
		case <-ctx.Done():
			return zero, eventstore.Head{}, false, storeUnavailable(ctx.Err())
		}
	}
	// Not in memory: from here the feed holds its commits for this one in
	// pending, so none falls between what the store gives and what the
	// feed applies after.
	e := &entry[S]{loading: true, ready: make(chan struct{})}
	r.entries[id] = e
	r.mu.Unlock()

	state, head, oldSeq, exists, err := r.replay(ctx, id)

	r.mu.Lock()
	defer r.mu.Unlock()
	defer close(e.ready)
	if err != nil {
		delete(r.entries, id)
		e.err = storeUnavailable(fmt.Errorf("load %s: %w", r.StreamID(id), err))
		return zero, eventstore.Head{}, false, e.err
	}
	e.state, e.head, e.oldSeq, e.exists, e.loading = state, head, oldSeq, exists, false
	pending := e.pending
	e.pending = nil
	for _, c := range pending {
		r.applyLocked(id, e, c)
	}
	r.loads++
	if r.entries[id] != e { // a pending commit did not follow on: read again next time
		return e.state.Clone(), e.head, e.exists, nil
	}
	e.elem = r.used.PushFront(id)
	for r.used.Len() > r.size {
		last := r.used.Back()
		r.used.Remove(last)
		delete(r.entries, last.Value.(string))
	}
	return e.state.Clone(), e.head, e.exists, nil
}

// adopt gives the cached aggregate id the state a command made by
// appending the commit at after to the one it decided on at head, when the
// cache still holds it at head: the feed, once it brings that commit, then
// finds it applied, rather than decode and apply it again (a command's
// commit applied from its JSON was 6 µs of its CPU). The cache shares
// state with the command's answer until it applies a later commit, which
// copies it first (shared): the answer is not changed under its reader.
func (r *Repository[S]) adopt(id string, head, after eventstore.Head, state S) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[id]
	if e == nil || e.loading || e.head != head || after.Seq <= head.Seq {
		return // not cached, being read, or the feed has moved it on
	}
	e.state, e.shared, e.head, e.exists = state, true, after, true
	r.adopted++
}

// hold marks the cached aggregate id, when the cache holds it at head, as
// being appended to by the caller, which must then settle; the feed's
// commits for it wait until then. Nil when it is not cached at head.
func (r *Repository[S]) hold(id string, head eventstore.Head) *entry[S] {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[id]
	if e == nil || e.loading || e.writing || e.head != head {
		return nil
	}
	e.writing = true
	return e
}

// currentLocked applies the commits held for a command (hold) before the
// entry is read: a reader after the feed brought a commit sees it, as it
// would without the hold (a follower after the repository reads the
// aggregate in its Follow: the rule sets' list of versions does). The
// command's state is then not taken (settle finds the head moved on).
// False when a commit did not follow on and the entry was dropped.
func (r *Repository[S]) currentLocked(id string, e *entry[S]) bool {
	if len(e.held) == 0 {
		return true
	}
	held := e.held
	e.writing, e.held = false, nil
	for _, c := range held {
		if r.entries[id] != e {
			return false
		}
		r.applyLocked(id, e, c)
	}
	e.writing = true
	return r.entries[id] == e
}

// settle ends a hold: when made, state is what the append at after made
// of the aggregate at head, and the cache takes it (as adopt does); then
// the commits the feed brought meanwhile are applied, the command's own
// skipped as already there. Whatever the append's fate, none is lost: not
// made, they are applied as the feed would have.
func (r *Repository[S]) settle(id string, e *entry[S], head, after eventstore.Head, state S, made bool) {
	if e == nil {
		if made {
			r.adopt(id, head, after, state)
		}
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	held := e.held
	e.writing, e.held = false, nil
	if r.entries[id] != e {
		return // dropped meanwhile: read afresh next time
	}
	if made && e.head == head && after.Seq > head.Seq {
		e.state, e.shared, e.head, e.exists = state, true, after, true // as adopt
		r.adopted++
	}
	for _, c := range held {
		if r.entries[id] != e {
			return // a commit did not follow on: dropped
		}
		r.applyLocked(id, e, c)
	}
}

// replay folds aggregate id from the store: its own stream's events, and
// those of the older layout that the upcast index names, in store order.
func (r *Repository[S]) replay(ctx context.Context, id string) (state S, head eventstore.Head, oldSeq uint64, exists bool, err error) {
	state = r.fresh(id)
	own, events, oldSeq, err := r.read(ctx, id)
	if err != nil {
		return state, head, 0, false, err
	}
	for _, ev := range events {
		if err := state.Apply(ev); err != nil {
			r.mu.Lock()
			r.errs++
			r.mu.Unlock()
		}
	}
	if n := len(own); n > 0 {
		last := own[n-1]
		head = eventstore.Head{Version: last.Version, Seq: last.Seq, Hash: last.Hash}
	}
	return state, head, oldSeq, len(events) > 0, nil
}

// read returns aggregate id's own stream and all its events: those and
// the ones of the older layout that the upcast index names, in store
// order; oldSeq is the last of those older commits read.
func (r *Repository[S]) read(ctx context.Context, id string) (own, events []eventstore.Event, oldSeq uint64, err error) {
	own, err = r.store.Load(ctx, r.StreamID(id))
	if err != nil {
		return nil, nil, 0, err
	}
	events = own
	if r.upcast == nil {
		return own, events, 0, nil
	}
	r.mu.Lock()
	seqs := slices.Clone(r.old[id])
	r.mu.Unlock()
	for _, seq := range seqs {
		c, err := r.store.Get(ctx, seq)
		if err != nil {
			return nil, nil, 0, err
		}
		for _, ev := range c.Events {
			if to, ok := r.upcast(c.Stream, ev); ok && to == id {
				ev.Seq = c.Seq
				events = append(events, ev)
			}
		}
		oldSeq = seq
	}
	if len(seqs) > 0 {
		events = slices.Clone(events)
		sort.SliceStable(events, func(i, j int) bool { return events[i].Seq < events[j].Seq })
	}
	return own, events, oldSeq, nil
}

// Events returns every event of aggregate id in store order, those of an
// older layout (Upcast) included: its whole history, as replay folds it.
// Errors: Unavailable when the store cannot be read.
func (r *Repository[S]) Events(ctx context.Context, id string) ([]eventstore.Event, error) {
	if !eventstore.ValidStreamIDIn(r.prefix, id) {
		return nil, nil // no stream can have that name (see load)
	}
	_, events, _, err := r.read(ctx, id)
	if err != nil {
		return nil, storeUnavailable(err)
	}
	return events, nil
}

// Follow implements Follower: a commit is applied to its aggregate when
// that one is in memory, and otherwise left to be read with the rest of
// its stream when next needed. Commits of an older layout are noted in the
// upcast index.
func (r *Repository[S]) Follow(c eventstore.Commit) {
	if len(c.Events) == 0 {
		return
	}
	id, ok := strings.CutPrefix(c.Stream, r.prefix+".")
	if !ok {
		if r.upcast != nil {
			r.followOld(c)
		}
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.entries[id]; e != nil {
		r.applyLocked(id, e, c)
	}
}

func (r *Repository[S]) followOld(c eventstore.Commit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, ev := range c.Events {
		if id, ok := r.upcast(c.Stream, ev); ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if seqs := r.old[id]; len(seqs) == 0 || seqs[len(seqs)-1] < c.Seq {
			r.old[id] = append(seqs, c.Seq)
		}
		if e := r.entries[id]; e != nil {
			r.applyLocked(id, e, c)
		}
	}
}

// applyLocked applies commit c to the entry of id: held back while the
// entry is read from the store, skipped when the entry has it already. An
// entry that a commit does not follow on (one it never saw came between) is
// dropped, to be read afresh.
func (r *Repository[S]) applyLocked(id string, e *entry[S], c eventstore.Commit) {
	if e.loading {
		e.pending = append(e.pending, c)
		return
	}
	if e.writing {
		e.held = append(e.held, c)
		return
	}
	own := strings.HasPrefix(c.Stream, r.prefix+".")
	if own && c.Seq <= e.head.Seq || !own && c.Seq <= e.oldSeq {
		return
	}
	if own && c.Events[0].Version != e.head.Version+1 {
		r.dropLocked(id, e)
		return
	}
	if e.shared {
		e.state, e.shared = e.state.Clone(), false
	}
	for _, ev := range c.Events {
		if !own {
			if to, ok := r.upcast(c.Stream, ev); !ok || to != id {
				continue
			}
		}
		if err := e.state.Apply(ev); err != nil {
			r.errs++
		}
	}
	e.exists = true
	if own {
		e.head = e.head.Advance(c)
	} else {
		e.oldSeq = c.Seq
	}
}

func (r *Repository[S]) dropLocked(id string, e *entry[S]) {
	if e.elem != nil {
		r.used.Remove(e.elem)
	}
	delete(r.entries, id)
}

// forget drops aggregate id from memory, to be read afresh next time.
// seeDuplicate makes sure that the aggregate a retry was answered with is
// read at least as far as the first attempt's write, before the caller
// reads it back. The first attempt may have gone to another process, so
// the aggregate may not be in memory, and on a cluster a replica a little
// behind answers the read of its stream with nothing yet: the retry was
// then answered 404 for the case the first attempt had opened (seen in
// deploy's TestNATSClusterRunsAccreditd). Such a read is made again,
// briefly, until ctx ends.
func (r *Repository[S]) seeDuplicate(ctx context.Context, res Result) error {
	id, ok := strings.CutPrefix(res.Stream, r.prefix+".")
	if !ok || res.Seq == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	pause := 5 * time.Millisecond
	for {
		_, head, _, err := r.load(ctx, id)
		if err != nil {
			return err
		}
		if head.Seq >= res.Seq {
			return nil
		}
		r.forget(id) // read from a replica behind: read again
		select {
		case <-ctx.Done():
			return storeUnavailable(ctx.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

func (r *Repository[S]) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.entries[id]; e != nil && !e.loading {
		r.dropLocked(id, e)
	}
}

// Cached counts the aggregates in memory now; never more than the cache
// size.
func (r *Repository[S]) Cached() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.used.Len()
}

// Loads counts the aggregates read from the store so far (a figure for
// tests and metrics).
func (r *Repository[S]) Loads() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loads
}

// Adopted reports how many commands gave the cache the state they made
// (adopt), rather than leave their commit to the feed to apply.
func (r *Repository[S]) Adopted() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.adopted
}
