package app

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// The retention job runs once a day, counted from its last run that held
// the lease and succeeded: a failed run, or a lease held by another
// process (whose run may fail), is tried again at the next tick, not a day
// later.
func TestRetentionIsTriedAgainAfterAFailedRunOrALostLease(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := &App{log: slog.New(slog.DiscardHandler), now: func() time.Time { return now }}
	var (
		runs int
		held bool
		fail error
	)
	run := func(context.Context) (int, bool, error) { runs++; return 0, held, fail }
	tick := func(last time.Time, wantRuns int, why string) time.Time {
		t.Helper()
		last = a.retentionTick(context.Background(), last, run)
		if runs != wantRuns {
			t.Fatalf("%s: %d runs, want %d", why, runs, wantRuns)
		}
		now = now.Add(time.Minute)
		return last
	}
	var last time.Time
	held, fail = true, errors.New("store unavailable")
	last = tick(last, 1, "the first tick")
	last = tick(last, 2, "the tick after a failed run")
	held, fail = false, nil
	last = tick(last, 3, "the tick after a failed run again")
	last = tick(last, 4, "the tick after one that did not hold the lease")
	held = true
	last = tick(last, 5, "the tick after one that did not hold the lease again")
	last = tick(last, 5, "the tick after a run that succeeded")
	now = now.Add(24 * time.Hour)
	tick(last, 6, "a day after the run that succeeded")
}
