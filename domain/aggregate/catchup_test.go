package aggregate_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// gated passes on a real store's commits to a subscriber only as the test
// releases them, one per token: a feed that the test makes advance or stall.
type gated struct {
	eventstore.Store
	release chan struct{}
}

func (g *gated) Subscribe(ctx context.Context, from uint64, fn func(eventstore.Commit) error) error {
	return g.Store.Subscribe(ctx, from, func(c eventstore.Commit) error {
		select {
		case <-g.release:
		case <-ctx.Done():
			return ctx.Err()
		}
		return fn(c)
	})
}

// syncBuffer is a log both the feed and the test touch.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// catchingUp stores n commits in a fresh JetStream store, then starts a
// second process's feed behind a gate, its CatchUp watched on ticks and
// failing after stall without progress; the CatchUp's error comes on the
// returned channel.
func catchingUp(t *testing.T, n int, stall time.Duration, ticks chan time.Time) (*aggregate.Feed, *gated, <-chan error, *syncBuffer) {
	t.Helper()
	js := natstest.Start(t).EventStore(t)
	writer := process(t, js)
	for i := range n {
		if _, err := writer.Update(context.Background(), "x", aggregate.Meta{}, add(i)); err != nil {
			t.Fatal(err)
		}
	}
	g := &gated{Store: js, release: make(chan struct{})}
	log := &syncBuffer{}
	feed := aggregate.NewFeed(g, slog.New(slog.NewJSONHandler(log, nil)))
	aggregate.NewRepository("tally", g, feed, time.Now, func(string) *tally { return &tally{} })
	aggregate.WatchCatchUp(feed, stall, ticks)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = feed.Run(ctx) }()
	done := make(chan error, 1)
	go func() { done <- feed.CatchUp(ctx) }()
	return feed, g, done, log
}

// advance releases one commit and waits until the feed has applied it.
func advance(t *testing.T, feed *aggregate.Feed, g *gated, seq uint64) {
	t.Helper()
	g.release <- struct{}{}
	if err := feed.WaitFor(context.Background(), seq); err != nil {
		t.Fatal(err)
	}
}

// tick sends the watcher the time now, unless the catch-up has ended.
func tick(ticks chan time.Time, now time.Time, done <-chan error) (error, bool) {
	select {
	case ticks <- now:
		return nil, false
	case err := <-done:
		return err, true
	}
}

func TestACatchUpThatAdvancesHasNoOverallLimit(t *testing.T) {
	const commits, stall = 10, time.Minute
	ticks := make(chan time.Time)
	feed, g, done, log := catchingUp(t, commits, stall, ticks)
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	// Each commit takes two thirds of the stall period: the whole catch-up
	// takes six stall periods, and never stalls.
	for seq := uint64(1); seq < commits; seq++ {
		advance(t, feed, g, seq)
		for range 2 {
			now = now.Add(stall / 3)
			if err, ended := tick(ticks, now, done); ended {
				t.Fatalf("catch-up ended at %d of %d after %s of steady progress: %v", feed.Position(), commits, now.Sub(time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)), err)
			}
		}
	}
	advance(t, feed, g, commits)
	if err := <-done; err != nil {
		t.Fatalf("a catch-up that kept advancing failed: %v", err)
	}
	if !strings.Contains(log.String(), `"msg":"catching up with the event store","what":"write side","position":9,"last":10`) {
		t.Fatalf("no progress line at position 9 of 10; log:\n%s", log)
	}
}

func TestACatchUpThatStopsAdvancingFailsSayingWhere(t *testing.T) {
	const stall = time.Minute
	ticks := make(chan time.Time)
	feed, g, done, log := catchingUp(t, 10, stall, ticks)
	for seq := uint64(1); seq <= 4; seq++ {
		advance(t, feed, g, seq)
	}
	// The gate delivers nothing more: the first tick sees the position, the
	// next is within the stall period, the third is past it.
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	for i := 1; i <= 3; i++ {
		now = now.Add(stall * 2 / 3)
		if err, ended := tick(ticks, now, done); ended {
			t.Fatalf("catch-up ended before tick %d (%s without progress), want on the third: %v", i, time.Duration(i-1)*stall*2/3, err)
		}
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute): // a hang guard, far past the three ticks
		t.Fatal("the catch-up did not fail after three ticks without progress")
	}
	if !errors.Is(err, aggregate.ErrStalled) {
		t.Fatalf("stalled catch-up: got %v, want ErrStalled", err)
	}
	if want := "write side at 4 of 10, not advanced for 1m20s"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
	if !strings.Contains(log.String(), `"msg":"catch-up not advancing","what":"write side","position":4`) {
		t.Fatalf("no warning before failing; log:\n%s", log)
	}
}
