package aggregate_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// running starts a feed (remembering command ids for window on clk) and a
// repository on store.
func running(t *testing.T, store eventstore.Store, window time.Duration, clk *clock) (*aggregate.Feed, *aggregate.Repository[*tally]) {
	t.Helper()
	feed := aggregate.NewFeed(store, nil)
	feed.Retain(window, clk.Now)
	repo := aggregate.NewRepository("tally", store, feed, clk.Now, func(string) *tally { return &tally{} })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = feed.Run(ctx) }()
	return feed, repo
}

func TestCommandIDsAreKeptOnlyForTheDuplicateWindow(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	feed, repo := running(t, eventstore.NewMemory(), time.Hour, clk)
	ctx := context.Background()

	first, err := repo.Update(ctx, "x", aggregate.Meta{CommandID: "cmd-first"}, add(1))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Minute)
	if res, _, ok := feed.Command("cmd-first"); !ok || res.Seq != first.Seq {
		t.Fatalf("within the window: got %+v, %v, want the first result %+v", res, ok, first)
	}
	clk.Advance(2 * time.Minute)
	if _, _, ok := feed.Command("cmd-first"); ok {
		t.Fatal("past the window: the command id is still remembered, want it forgotten (a retry is a new command)")
	}

	// One command a minute for a day: at most an hour's worth is kept.
	for i := range 24 * 60 {
		clk.Advance(time.Minute)
		if _, err := repo.Update(ctx, "x", aggregate.Meta{CommandID: fmt.Sprintf("cmd-%d", i)}, add(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := feed.Commands(); n > 61 || n < 59 {
		t.Fatalf("command ids remembered after a day at one a minute with a 1h window: got %d, want about 60", n)
	}
}

func TestAKeyReusedForAnotherRequestIsRefused(t *testing.T) {
	clk := &clock{t: time.Now()}
	_, repo := running(t, eventstore.NewMemory(), time.Hour, clk)
	ctx := context.Background()
	r1, err := repo.Update(ctx, "x", aggregate.Meta{CommandID: "cmd-1", RequestHash: "h1"}, add(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = repo.Update(ctx, "x", aggregate.Meta{CommandID: "cmd-1", RequestHash: "h2"}, add(2))
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.Unprocessable || len(de.Fields) != 1 || de.Fields[0].Field != "Idempotency-Key" {
		t.Fatalf("same key, another request: got %v, want Unprocessable naming Idempotency-Key", err)
	}
	r2, err := repo.Update(ctx, "x", aggregate.Meta{CommandID: "cmd-1", RequestHash: "h1"}, add(1))
	if err != nil || !r2.Duplicate || r2.Seq != r1.Seq {
		t.Fatalf("same key, same request: got %+v, %v, want the first result %+v", r2, err, r1)
	}
}

// A retried "create" that picked a new id answers the aggregate the first
// attempt created, whether or not this process has seen it yet.
func TestARetryThatPickedANewIDAnswersTheFirst(t *testing.T) {
	store := eventstore.NewMemory()
	clk := &clock{t: time.Now()}
	_, a := running(t, store, time.Hour, clk)
	_, b := running(t, store, time.Hour, clk)
	ctx := context.Background()
	r1, err := a.Update(ctx, "first", aggregate.Meta{CommandID: "open-1"}, add(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, repo := range []*aggregate.Repository[*tally]{b, a} {
		r2, err := repo.Update(ctx, "second", aggregate.Meta{CommandID: "open-1"}, add(1))
		if err != nil || r2.Stream != "tally.first" || r2.Seq != r1.Seq {
			t.Fatalf("retry with a new id: got %+v, %v, want stream tally.first at seq %d", r2, err, r1.Seq)
		}
	}
	if evs, _ := store.Load(ctx, "tally.second"); len(evs) != 0 {
		t.Fatalf("the retry's own stream got %d events, want 0", len(evs))
	}
}

// A command stored while this process's feed lags answers Unavailable with
// Retry-After, naming the seq, and never pretends the write did not happen.
func TestAStoredCommandTheFeedHasNotAppliedIsUnavailable(t *testing.T) {
	store := eventstore.NewMemory()
	feed := aggregate.NewFeed(store, nil) // never run: it stays behind
	repo := aggregate.NewRepository("tally", store, feed, time.Now, func(string) *tally { return &tally{} })
	res, err := repo.Update(context.Background(), "x", aggregate.Meta{}, add(1))
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.Unavailable || de.RetryAfter < 1 || !errors.Is(err, aggregate.ErrNotCaughtUp) {
		t.Fatalf("got %v, want Unavailable with Retry-After (not caught up)", err)
	}
	if res.Seq == 0 || res.Stream != "tally.x" {
		t.Fatalf("result: got %+v, want the stored commit's seq and stream", res)
	}
}

// A command another process stored, which this process reads from the store
// before its own feed has applied it, answers as its first write did: not
// with a refusal decided on a state that already holds its own effect. A
// different command on that state is still refused.
func TestACommandReadFromTheStoreAheadOfTheFeedAnswersAsTheFirst(t *testing.T) {
	store := eventstore.NewMemory()
	clk := &clock{t: time.Now()}
	_, a := running(t, store, time.Hour, clk)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	openOnce := func(s *tally, v uint64) ([]aggregate.Change, error) {
		if v > 0 {
			return nil, domain.Errorf(domain.Conflict, "x is already open")
		}
		return add(1)(s, v)
	}
	first, err := a.Update(ctx, "x", aggregate.Meta{CommandID: "open-x"}, openOnce)
	if err != nil {
		t.Fatal(err)
	}

	// b's feed starts only once b has read x from the store, so b decides
	// on a state its feed has not applied.
	feed := aggregate.NewFeed(store, nil)
	feed.Retain(time.Hour, clk.Now)
	b := aggregate.NewRepository("tally", store, feed, clk.Now, func(string) *tally { return &tally{} })
	var startFeed sync.Once
	decided := 0
	behind := func(s *tally, v uint64) ([]aggregate.Change, error) {
		decided++
		startFeed.Do(func() { go func() { _ = feed.Run(ctx) }() })
		return openOnce(s, v)
	}
	got, err := b.Update(ctx, "x", aggregate.Meta{CommandID: "open-x"}, behind)
	if decided != 1 {
		t.Fatalf("b decided %d times, want once (on the state read from the store)", decided)
	}
	if err != nil || !got.Duplicate || got.Seq != first.Seq || got.Stream != "tally.x" {
		t.Fatalf("the same command on another process: got %+v, %v, want the first write's answer (seq %d, a duplicate)", got, err, first.Seq)
	}
	// So does a retry bound to the version it was first decided on, read
	// ahead of the feed again (x forgotten by a third process).
	feed3 := aggregate.NewFeed(store, nil)
	feed3.Retain(time.Hour, clk.Now)
	c := aggregate.NewRepository("tally", store, feed3, clk.Now, func(string) *tally { return &tally{} })
	go func() { time.Sleep(20 * time.Millisecond); _ = feed3.Run(ctx) }()
	zero := uint64(0)
	got, err = c.Update(ctx, "x", aggregate.Meta{CommandID: "open-x", IfVersion: &zero}, openOnce)
	if err != nil || !got.Duplicate || got.Seq != first.Seq {
		t.Fatalf("the same command at the version it was decided on: got %+v, %v, want the first write's answer (seq %d)", got, err, first.Seq)
	}
	if _, err := b.Update(ctx, "x", aggregate.Meta{CommandID: "open-x-again"}, openOnce); !domain.Is(err, domain.Conflict) {
		t.Fatalf("another command: got %v, want the refusal (Conflict)", err)
	}
	if evs, _ := store.Load(ctx, "tally.x"); len(evs) != 1 {
		t.Fatalf("x holds %d events, want 1", len(evs))
	}
}

// AppliedOn answers for a command another process stored that this
// process's feed has not applied yet: Applied, which asks the feed alone,
// does not find it, while AppliedOn waits for the feed to reach what the
// store holds of the aggregate and finds it. A command never stored is not
// found either way.
func TestAppliedOnFindsACommandTheFeedHasNotAppliedYet(t *testing.T) {
	store := eventstore.NewMemory()
	clk := &clock{t: time.Now()}
	_, a := running(t, store, time.Hour, clk)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first, err := a.Update(ctx, "x", aggregate.Meta{CommandID: "open-x"}, add(1))
	if err != nil {
		t.Fatal(err)
	}
	feed := aggregate.NewFeed(store, nil) // started below, after the first ask
	feed.Retain(time.Hour, clk.Now)
	b := aggregate.NewRepository("tally", store, feed, clk.Now, func(string) *tally { return &tally{} })
	if _, ok, err := b.Applied(ctx, aggregate.Meta{CommandID: "open-x"}); ok || err != nil {
		t.Fatalf("Applied on a feed that has applied nothing: ok %v, %v; want not found (what this test is about)", ok, err)
	}
	go func() { time.Sleep(20 * time.Millisecond); _ = feed.Run(ctx) }()
	got, ok, err := b.AppliedOn(ctx, "x", aggregate.Meta{CommandID: "open-x"})
	if err != nil || !ok || got.Seq != first.Seq || got.Stream != "tally.x" {
		t.Fatalf("AppliedOn: got %+v, ok %v, %v; want the first write's answer (seq %d)", got, ok, err, first.Seq)
	}
	if _, ok, err := b.AppliedOn(ctx, "x", aggregate.Meta{CommandID: "never-sent"}); ok || err != nil {
		t.Fatalf("AppliedOn for a command never stored: ok %v, %v; want not found", ok, err)
	}
}
