package aggregate

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
)

// Follower receives every commit in store order, once.
type Follower interface {
	Follow(c eventstore.Commit)
}

// Feed follows the store from the start and keeps its followers current.
type Feed struct {
	store eventstore.Store
	log   *slog.Logger

	mu        sync.Mutex
	followers []Follower
	pos       uint64
	mark      commitMark // the commit at pos, for the snapshot
	changed   chan struct{}
	decodeErr int
	observer  Observer

	// commands remembers what each command id wrote, for as long as
	// JetStream's duplicate window: past it a retry is a new command for
	// JetStream too, so keeping the id longer would only grow memory.
	// byTime lists the ids oldest first, so pruning is O(1) per id.
	commands map[string]command
	byTime   []commandAt
	window   time.Duration
	now      func() time.Time

	watch Watch // how CatchUp watches (tests shorten it)

	cacheSize int // of each repository made on the feed
}

// command is what a command id wrote, the request it was bound to and when.
type command struct {
	Result
	requestHash string
	at          time.Time
}

type commandAt struct {
	id string
	at time.Time
}

// DefaultWindow is JetStream's default duplicate window, which the event
// store is created with unless configured otherwise.
const DefaultWindow = 24 * time.Hour

// Observer counts commands and appended events (metrics).
type Observer interface {
	// Command reports a command's outcome: accepted, rejected or conflict.
	Command(command, outcome string)
	Appended(events int)
}

// Observe sets the observer; call it before Run.
func (f *Feed) Observe(o Observer) { f.observer = o }

func (f *Feed) observe(command, outcome string, appended int) {
	if f.observer == nil {
		return
	}
	if command == "" {
		command = "unnamed"
	}
	f.observer.Command(command, outcome)
	if appended > 0 {
		f.observer.Appended(appended)
	}
}

// NewFeed returns a feed over store; call Run to start it.
func NewFeed(store eventstore.Store, log *slog.Logger) *Feed {
	if log == nil {
		log = slog.Default()
	}
	return &Feed{store: store, log: log, changed: make(chan struct{}), commands: map[string]command{},
		window: DefaultWindow, now: time.Now, cacheSize: DefaultCacheSize}
}

// CacheSize sets how many aggregates each repository made on the feed from
// now on keeps in memory (DefaultCacheSize when n <= 0); call it before
// making them.
func (f *Feed) CacheSize(n int) {
	if n <= 0 {
		n = DefaultCacheSize
	}
	f.cacheSize = n
}

// Retain sets how long command ids are remembered (the store's duplicate
// window) and the clock that ages them; call it before Run.
func (f *Feed) Retain(window time.Duration, now func() time.Time) {
	if window > 0 {
		f.window = window
	}
	if now != nil {
		f.now = now
	}
}

// Add registers a follower; call it before Run.
func (f *Feed) Add(fl Follower) { f.followers = append(f.followers, fl) }

// Run follows the store until ctx ends.
func (f *Feed) Run(ctx context.Context) error {
	for {
		err := f.store.Subscribe(ctx, f.Position(), f.apply)
		if ctx.Err() != nil {
			return nil
		}
		f.log.Warn("event feed interrupted; resuming", "position", f.Position(), "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (f *Feed) apply(c eventstore.Commit) error {
	if c.Err != nil {
		f.log.Error("undecodable commit skipped", "seq", c.Seq, "stream", c.Stream, "err", c.Err)
	}
	for _, fl := range f.followers {
		fl.Follow(c)
	}
	f.mu.Lock()
	if c.Err != nil {
		f.decodeErr++
	}
	if len(c.Events) > 0 && c.Events[0].CommandID != "" {
		h := eventstore.Head{}.Advance(c)
		at := c.Events[0].OccurredAt
		if n := len(f.byTime); n > 0 && at.Before(f.byTime[n-1].at) {
			at = f.byTime[n-1].at // writers' clocks differ a little: keep the list in order
		}
		id := c.Events[0].CommandID
		f.commands[id] = command{Result: Result{Stream: c.Stream, Version: h.Version, Seq: h.Seq, Duplicate: true},
			requestHash: c.RequestHash, at: at}
		f.byTime = append(f.byTime, commandAt{id: id, at: at})
	}
	f.pruneLocked()
	f.pos, f.mark = c.Seq, markOf(c)
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	return nil
}

// Position is the seq of the last commit applied.
func (f *Feed) Position() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pos
}

// DecodeErrors counts commits that could not be decoded.
func (f *Feed) DecodeErrors() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.decodeErr
}

// pruneLocked forgets the command ids older than the window.
func (f *Feed) pruneLocked() {
	cutoff := f.now().Add(-f.window)
	n := 0
	for n < len(f.byTime) && f.byTime[n].at.Before(cutoff) {
		e := f.byTime[n]
		if c, ok := f.commands[e.id]; ok && c.at.Equal(e.at) {
			delete(f.commands, e.id)
		}
		f.byTime[n] = commandAt{} // let the id go
		n++
	}
	if n > 0 {
		f.byTime = f.byTime[n:]
		if cap(f.byTime) > 64 && len(f.byTime) < cap(f.byTime)/4 {
			f.byTime = append([]commandAt(nil), f.byTime...) // give back the array
		}
	}
}

// Command returns what an already applied command wrote, within the
// duplicate window; requestHash is the request it was bound to ("" for
// none).
func (f *Feed) Command(id string) (res Result, requestHash string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.commands[id]
	if !ok || c.at.Before(f.now().Add(-f.window)) {
		return Result{}, "", false
	}
	return c.Result, c.requestHash, true
}

// Commands counts the command ids remembered (a figure for tests and metrics).
func (f *Feed) Commands() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.commands)
}

// WaitFor waits until the feed has applied seq or ctx ends (Unavailable).
func (f *Feed) WaitFor(ctx context.Context, seq uint64) error {
	for {
		f.mu.Lock()
		pos, ch := f.pos, f.changed
		f.mu.Unlock()
		if pos >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return &domain.Error{Code: domain.Unavailable, Message: "the read models are catching up; try again shortly", RetryAfter: 1}
		case <-ch:
		}
	}
}

// CatchUp waits until the feed has applied everything stored now, for as
// long as it advances: it fails (ErrStalled) only when the feed has not
// moved for CatchUpStall, and logs its progress every CatchUpReport.
func (f *Feed) CatchUp(ctx context.Context) error {
	last, err := f.store.LastSeq(ctx)
	if err != nil {
		return err
	}
	w := f.watch
	w.What, w.Position, w.Target, w.Log = "write side", f.Position, last, f.log
	return w.Await(ctx)
}
