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
	changed   chan struct{}
	commands  map[string]Result // command id -> what it wrote
	decodeErr int
	observer  Observer
}

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
	return &Feed{store: store, log: log, changed: make(chan struct{}), commands: map[string]Result{}}
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
		f.commands[c.Events[0].CommandID] = Result{Stream: c.Stream, Version: h.Version, Seq: h.Seq, Duplicate: true}
	}
	f.pos = c.Seq
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

// Command returns what an already applied command wrote.
func (f *Feed) Command(id string) (Result, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.commands[id]
	return r, ok
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

// CatchUp waits until the feed has applied everything stored now.
func (f *Feed) CatchUp(ctx context.Context) error {
	last, err := f.store.LastSeq(ctx)
	if err != nil {
		return err
	}
	return f.WaitFor(ctx, last)
}
