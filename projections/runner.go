package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
)

// ReadModel is one view built from events.
type ReadModel interface {
	// Name identifies the read model (metrics, snapshots).
	Name() string
	// Apply evolves the model by one event. It must not fail: events of
	// unknown types are skipped, undecodable payloads are counted by the
	// model and skipped.
	Apply(e eventstore.Event)
	// Snapshot returns the model's state as JSON; Restore loads it. The
	// models of a set are restored at once, each on its own goroutine:
	// Restore changes its own model only.
	Snapshot() ([]byte, error)
	Restore(data []byte) error
}

// Set is one generation of read models, built together.
type Set struct {
	Models []ReadModel
	pos    uint64
	typed  *Models
}

// Position is the seq of the last commit applied to the set.
func (s *Set) Position() uint64 { return s.pos }

// Runner feeds a Set of read models from the store.
type Runner struct {
	store     eventstore.Store
	newSet    func() *Set
	dir       string // snapshot directory ("" for none)
	schema    string // snapshots of another schema are ignored
	log       *slog.Logger
	waitBound time.Duration
	snapEvery time.Duration
	snapAfter uint64

	mu sync.RWMutex // guards cur and the models' state
	// writing is held by whoever changes the models (before mu) and by a
	// snapshot while it captures them under the read lock: a writer
	// waiting on mu would stop every new reader until the capture ended,
	// so the follower waits here instead and reads go on, on the models as
	// they stand, meanwhile. The capture copies indexes; the encoding (seconds
	// at 10k cases) comes after it, with no lock held (see saveSnapshot).
	writing sync.Mutex
	cur     *Set
	changed chan struct{}

	decodeErrors atomic.Int64
	saved        atomic.Uint64 // the position of the snapshot on disk (0: none)
	held         atomic.Int64  // how long the last snapshot held the follower
	took         atomic.Int64  // how long the last snapshot written (or loaded) took to encode (ns)
	savedBytes   atomic.Int64  // the size of the last snapshot written
	// returnAfter is the size of a snapshot from which snapshotAhead gives
	// the memory back at once, with returnMemory (a test counts its calls).
	returnAfter  int64
	returnMemory func()
	// longReplay is how long a rebuild must be to loosen the collector
	// (longReplay; a test shortens it).
	longReplay uint64
	resumed    uint64        // the position Start resumed from
	replayed   atomic.Uint64 // commits the follower applied since Start
	rebuilding atomic.Bool
	stopRun    context.CancelFunc
	done       chan struct{}

	statusMu    sync.Mutex
	lastRebuild *RebuildStatus
	failures    int64

	// filesMu serialises a snapshot's writes with Shutdown: once Shutdown
	// has returned (filesClosed), a save it gave up on writes nothing, so
	// whoever removes the data directory next never races a late write.
	// A save holds filesMu while it writes (the models encoded into the
	// file), and stops between two batches once closing is set.
	filesMu     sync.Mutex
	filesClosed bool
	closing     atomic.Bool
}

// RebuildStatus is how the last rebuild ended. A failed or interrupted
// rebuild swaps nothing in: the models it was rebuilding are dropped and
// the current ones keep serving, so Error says why they were not replaced.
type RebuildStatus struct {
	At       time.Time `json:"at"`
	Error    string    `json:"error,omitempty"`
	Replayed uint64    `json:"replayed"`
	Position uint64    `json:"position"`
}

// LastRebuild returns how the last rebuild ended; false when none ran.
func (r *Runner) LastRebuild() (RebuildStatus, bool) {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	if r.lastRebuild == nil {
		return RebuildStatus{}, false
	}
	return *r.lastRebuild, true
}

// RebuildFailures counts the rebuilds that failed or were interrupted.
func (r *Runner) RebuildFailures() int64 {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	return r.failures
}

// Options configure a Runner.
type Options struct {
	// SnapshotDir, when set, keeps snapshots of the read models there.
	SnapshotDir string
	// Schema names the read models' code version; a snapshot of another
	// schema is discarded and the models are rebuilt from zero.
	Schema string
	// WaitBound bounds how long WaitFor waits for read-your-writes (2s);
	// a ctx that ends sooner ends it sooner. accreditd sets it, and bounds
	// its reads' whole wait, to ACCREDIT_READ_WAIT.
	WaitBound time.Duration
	// SnapshotEvery is how often the snapshot is rewritten while the
	// models move (5 minutes).
	SnapshotEvery time.Duration
	// SnapshotAfter is how many commits applied since the last snapshot
	// make the next one due as soon as the models have caught up with the
	// store (DefaultSnapshotAfter), so that a stop with no time left for
	// one costs the next start a replay of about that many at most.
	SnapshotAfter int
	Log           *slog.Logger
}

// NewRunner returns a runner of the read models newSet makes.
func NewRunner(store eventstore.Store, newSet func() *Set, opt Options) *Runner {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.WaitBound <= 0 {
		opt.WaitBound = 2 * time.Second
	}
	if opt.SnapshotEvery <= 0 {
		opt.SnapshotEvery = 5 * time.Minute
	}
	if opt.SnapshotAfter <= 0 {
		opt.SnapshotAfter = DefaultSnapshotAfter
	}
	r := &Runner{store: store, newSet: newSet, dir: opt.SnapshotDir, schema: opt.Schema, log: opt.Log,
		waitBound: opt.WaitBound, snapEvery: opt.SnapshotEvery, snapAfter: uint64(opt.SnapshotAfter),
		changed: make(chan struct{}), returnAfter: returnMemoryAfter, returnMemory: debug.FreeOSMemory,
		longReplay: longReplay}
	r.cur = r.makeSet()
	return r
}

// publish makes s the generation readers read, as a rebuild swaps one in.
// A start after a stop replaces the models readers may still be reading
// (a process's handlers outlive its runner's restarts), so the snapshot
// it loaded, or the empty set it falls back to, is published under the
// locks, never set bare.
func (r *Runner) publish(s *Set) {
	r.writing.Lock()
	defer r.writing.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.swap(s)
}

// swap makes s current and wakes the waiting reads to look at its
// position; the caller holds writing and mu.
func (r *Runner) swap(s *Set) {
	r.cur = s
	close(r.changed)
	r.changed = make(chan struct{})
}

// makeSet is a new set of read models, its cold cases kept beside the
// snapshots.
func (r *Runner) makeSet() *Set {
	s := r.newSet()
	s.spillTo(r.dir)
	return s
}

// Read runs fn with the current read models under a read lock.
func (r *Runner) Read(fn func(s *Set)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	fn(r.cur)
}

// Position is the seq the current read models reflect.
func (r *Runner) Position() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cur.pos
}

// DecodeErrors counts commits that could not be decoded.
func (r *Runner) DecodeErrors() int64 { return r.decodeErrors.Load() }

// Rebuilding reports whether a rebuild is under way.
func (r *Runner) Rebuilding() bool { return r.rebuilding.Load() }

// WaitFor waits until the read models reflect seq, up to the bound; then it
// fails with Unavailable (503 with Retry-After).
func (r *Runner) WaitFor(ctx context.Context, seq uint64) error {
	ctx, cancel := context.WithTimeout(ctx, r.waitBound)
	defer cancel()
	for {
		r.mu.RLock()
		pos, ch := r.cur.pos, r.changed
		r.mu.RUnlock()
		if pos >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return &domain.Error{Code: domain.Unavailable, RetryAfter: 1,
				Message: fmt.Sprintf("the read models are at %d, not yet at %d; try again shortly", pos, seq)}
		case <-ch:
		}
	}
}

// Start loads the snapshot if there is a usable one and follows the store
// until Stop.
func (r *Runner) Start() {
	if err := r.loadSnapshot(); err != nil {
		r.log.Warn("read-model snapshot not used; replaying from zero", "err", err)
		r.publish(r.makeSet())
		r.saved.Store(0)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.stopRun = cancel
	r.done = make(chan struct{})
	r.filesMu.Lock()
	r.filesClosed = false
	r.closing.Store(false)
	r.filesMu.Unlock()
	r.resumed = r.Position()
	r.replayed.Store(0)
	// done is the follower's end only: a snapshot written ahead that is
	// still encoding when the stop comes writes nothing once ctx has ended
	// (it stops between two batches of chunks), and a stop that waited for
	// it spent its whole budget in vain.
	done := r.done
	go func() { defer close(done); r.follow(ctx) }()
	go r.snapshotAhead(ctx)
}

func (r *Runner) follow(ctx context.Context) {
	for ctx.Err() == nil {
		// Behind the store's end (a start, a resumed subscription), the
		// models are told they catch up until they reach it.
		end, _ := r.store.LastSeq(ctx)
		err := replay(ctx, r.store, r.Position(), func(b *batch) error {
			r.writing.Lock()
			r.mu.Lock()
			from := r.cur.pos
			r.cur.catchingUp(from+1 < end)
			r.applyBatch(r.cur, b, 0)
			if r.cur.pos >= end {
				r.cur.catchingUp(false)
			}
			r.replayed.Add(countUpTo(b, from, r.cur.pos))
			close(r.changed)
			r.changed = make(chan struct{})
			r.mu.Unlock()
			r.writing.Unlock()
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		r.log.Warn("read side interrupted; resuming", "position", r.Position(), "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// applyBatch applies b's commits to s, those up to until only (0: all),
// and reports whether it reached until.
func (r *Runner) applyBatch(s *Set, b *batch, until uint64) bool {
	for i, c := range b.commits {
		r.applyTo(s, c, b.decoded[i])
		if until > 0 && s.pos >= until {
			return true
		}
	}
	return false
}

// applyTo applies commit c, with its case payloads decoded ahead when dec
// is not nil.
func (r *Runner) applyTo(s *Set, c eventstore.Commit, dec []decodedEvent) {
	if c.Seq <= s.pos {
		return // already applied (a resumed subscription never applies twice)
	}
	if c.Err != nil {
		r.decodeErrors.Add(1)
		r.log.Error("undecodable commit skipped by the read side", "seq", c.Seq, "stream", c.Stream, "err", c.Err)
	}
	for i, e := range c.Events {
		for _, m := range s.Models {
			if d, ok := m.(decodedApplier); ok && dec != nil {
				d.applyDecoded(dec[i])
				continue
			}
			m.Apply(e)
		}
	}
	s.pos = c.Seq
}

// decodedApplier is a read model that takes a case event's payload as
// decoded ahead rather than decoding it again.
type decodedApplier interface {
	applyDecoded(d decodedEvent)
}

// Stop stops following and saves a snapshot.
func (r *Runner) Stop() {
	if err := r.Shutdown(context.Background()); err != nil {
		r.log.Warn("read-model snapshot on stop", "err", err)
	}
}

// Shutdown stops following and saves a snapshot, unless ctx ends first:
// then it returns at once and the last snapshot written stays, written
// ahead (see snapshotAhead), so the next start replays a longer tail but
// loses nothing (a snapshot carries its position). A process that must stop
// within a budget passes it here. A snapshot at the position reached is
// not written again.
func (r *Runner) Shutdown(ctx context.Context) error {
	if r.stopRun == nil {
		return nil
	}
	r.stopRun()
	r.stopRun = nil
	defer r.closeFiles()
	select {
	case <-r.done:
	case <-ctx.Done():
		// The follower is still applying a commit (or waits for a reader
		// holding the lock, or for a snapshot's capture): no snapshot, the
		// process is going anyway.
		return fmt.Errorf("read side did not stop in time, snapshot not written: %w", ctx.Err())
	}
	if r.Position() == r.saved.Load() {
		return nil
	}
	// One that cannot end within the budget is not begun: at 1M events
	// it took a minute, and a stop spent its whole budget on it in vain
	// (8 of its 10 s), where the one on disk is what the next start uses.
	if end, ok := ctx.Deadline(); ok {
		if last, left := time.Duration(r.took.Load()), time.Until(end); last > left {
			return fmt.Errorf("snapshot not written: the last took %s, %s is left; the one at %d stays",
				last.Round(time.Millisecond), left.Round(time.Millisecond), r.saved.Load())
		}
	}
	// Past ctx the save is left behind: it stops between two batches of
	// chunks (see writeChunks; a model encoded whole, such as the register,
	// is not interrupted) and writes nothing once ctx has ended.
	saved := make(chan error, 1)
	go func() { saved <- r.saveSnapshot(ctx) }()
	select {
	case err := <-saved:
		return err
	case <-ctx.Done():
		return fmt.Errorf("snapshot not written in time: %w", ctx.Err())
	}
}

// Rebuild builds a new generation from zero up to the store's current end
// while the current one keeps serving, then swaps; progress reports the
// position reached. It returns the number of commits replayed. It is all or
// nothing: if the store fails or ctx ends on the way, nothing is swapped,
// and the failure is kept for LastRebuild and RebuildFailures.
func (r *Runner) Rebuild(ctx context.Context, progress func(pos, target uint64)) (uint64, error) {
	if !r.rebuilding.CompareAndSwap(false, true) {
		return 0, domain.Errorf(domain.Conflict, "a rebuild is already running")
	}
	defer r.rebuilding.Store(false)
	n, err := r.rebuild(ctx, progress)
	st := RebuildStatus{At: time.Now().UTC(), Replayed: n, Position: r.Position()}
	if err != nil {
		st.Error = err.Error()
		r.log.Error("read-model rebuild failed; the current read models are kept", "replayed", n, "err", err)
	}
	r.statusMu.Lock()
	r.lastRebuild = &st
	if err != nil {
		r.failures++
	}
	r.statusMu.Unlock()
	return n, err
}

// longReplay is how many commits a rebuild must replay to loosen the
// collector's target (ReplayGCPercent) and give the memory back after:
// below it a rebuild is over before either would matter.
const longReplay = 10_000

// catchUpBound bounds the final catch-up, done while reads wait.
const catchUpBound = 30 * time.Second

func (r *Runner) rebuild(ctx context.Context, progress func(pos, target uint64)) (uint64, error) {
	target, err := r.store.LastSeq(ctx)
	if err != nil {
		return 0, domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	next := r.makeSet()
	var n uint64
	errDone := errors.New("caught up")
	long := target > r.longReplay
	if long {
		// Once swapped (or dropped), one generation is garbage: hundreds
		// of MB at 1M events given back now, not at the scavenger's pace.
		defer func() { go r.returnMemory() }()
	}
	if target > 0 {
		next.catchingUp(true)
		loose := func() {}
		if long {
			loose = loosenGC()
		}
		err = replay(ctx, r.store, 0, func(b *batch) error {
			from := next.pos
			reached := r.applyBatch(next, b, target)
			if progress != nil && next.pos/10000 != from/10000 {
				progress(next.pos, target)
			}
			n += countUpTo(b, from, next.pos)
			if reached {
				return errDone
			}
			return nil
		})
		loose()
		if !errors.Is(err, errDone) {
			return n, rebuildFailed(err, "rebuild interrupted")
		}
		next.catchingUp(false)
	}
	// Catch up with what arrived during the rebuild, then swap, under the
	// write lock so no commit is applied to one generation only. A failed
	// catch-up must not swap: the new generation would stand behind the
	// current one and skip the commits in between for good.
	r.writing.Lock()
	defer r.writing.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur := r.cur.pos; cur > next.pos {
		cctx, cancel := context.WithTimeout(ctx, catchUpBound)
		err := replay(cctx, r.store, next.pos, func(b *batch) error {
			from := next.pos
			reached := r.applyBatch(next, b, cur)
			n += countUpTo(b, from, next.pos)
			if reached {
				return errDone
			}
			return nil
		})
		cancel()
		if !errors.Is(err, errDone) || next.pos < cur {
			return n, rebuildFailed(err, "rebuild interrupted while catching up")
		}
	}
	r.swap(next)
	if progress != nil {
		progress(next.pos, target)
	}
	return n, nil
}

// countUpTo counts b's commits after from up to to: those just applied.
func countUpTo(b *batch, from, to uint64) uint64 {
	var n uint64
	for _, c := range b.commits {
		if c.Seq > from && c.Seq <= to {
			n++
		}
	}
	return n
}

func rebuildFailed(err error, msg string) error {
	e := domain.Wrap(domain.Unavailable, err, "%s; the current read models are kept", msg)
	e.RetryAfter = 1
	return e
}
