package aggregate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// CatchUpStall is how long a catch-up waits for a follower that has stopped
// advancing while it is behind. A catch-up that advances has no limit: a
// large store on a slow machine takes as long as it takes, and a fixed limit
// (5 minutes until issue 14) left such a store unable to start at all.
const CatchUpStall = 60 * time.Second

// CatchUpReport is how often a catch-up logs how far it has come.
const CatchUpReport = 5 * time.Second

// ErrStalled is wrapped in the error of a catch-up that stopped advancing.
var ErrStalled = errors.New("stopped advancing")

// Watch follows a follower of the store (the feed, the read side) while it
// catches up with Target.
type Watch struct {
	// What names the follower in the log and the error ("write side").
	What string
	// Position is where the follower stands (the seq of its last commit).
	Position func() uint64
	// Target is the store's last seq when the catch-up began.
	Target uint64
	Log    *slog.Logger
	// Stall and Report default to CatchUpStall and CatchUpReport.
	Stall, Report time.Duration

	// ticks replaces the Report ticker (tests drive the clock).
	ticks <-chan time.Time
}

// pollEvery is how often Await looks whether the target is reached.
const pollEvery = 5 * time.Millisecond

// Await waits until Position reaches Target. It fails (ErrStalled) only
// when the position has not moved for Stall, or when ctx ends; every Report
// it logs the position, the target and the rate since the last report.
func (w Watch) Await(ctx context.Context) error {
	if w.Stall <= 0 {
		w.Stall = CatchUpStall
	}
	if w.Report <= 0 {
		w.Report = CatchUpReport
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	ticks := w.ticks
	if ticks == nil {
		t := time.NewTicker(w.Report)
		defer t.Stop()
		ticks = t.C
	}
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	began := time.Now()
	seen, seenAt := w.Position(), time.Time{} // seenAt: the tick that saw seen move
	for {
		if pos := w.Position(); pos >= w.Target {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s at %d of %d: %w", w.What, w.Position(), w.Target, ctx.Err())
		case <-poll.C:
		case now := <-ticks:
			pos := w.Position()
			if pos >= w.Target {
				return nil
			}
			if seenAt.IsZero() || pos != seen {
				since := w.Report // the first report: one period since the start
				if !seenAt.IsZero() {
					since = now.Sub(seenAt)
				}
				rate := float64(pos-seen) / max(since.Seconds(), 0.001)
				w.Log.Info("catching up with the event store", "what", w.What, "position", pos, "last", w.Target,
					"commits_per_s", int(rate), "elapsed_s", int(time.Since(began).Seconds()))
				seen, seenAt = pos, now
				continue
			}
			if still := now.Sub(seenAt); still >= w.Stall {
				return fmt.Errorf("%s at %d of %d, not advanced for %s: %w", w.What, pos, w.Target, still.Round(time.Second), ErrStalled)
			}
			w.Log.Warn("catch-up not advancing", "what", w.What, "position", pos, "last", w.Target,
				"still_s", int(now.Sub(seenAt).Seconds()), "fails_after_s", int(w.Stall.Seconds()))
		}
	}
}
