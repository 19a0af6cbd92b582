package natsstore

import (
	"testing"
	"time"
)

// GroupCommitStats reports how many batches the store's group commit sent,
// how many commits they carried, and how many the server refused.
func GroupCommitStats(tb testing.TB, s *EventStore) (batches, batched, refused int64) {
	tb.Helper()
	f := s.GroupCommitFigures()
	if !f.On {
		tb.Fatal("the store has no group commit")
	}
	return f.Batches, f.Batched, f.Refused
}

// HoldGroupCommit makes the store's committer busy, as if a publish were
// in flight, so that the appends that follow queue up; release waits until
// n are queued and then lets the committer send them, so that a test
// knows which appends share a batch without depending on timing.
func HoldGroupCommit(tb testing.TB, s *EventStore) (release func(n int)) {
	tb.Helper()
	g := s.group
	if g == nil {
		tb.Fatal("the store has no group commit")
	}
	g.mu.Lock()
	if g.running {
		g.mu.Unlock()
		tb.Fatal("the committer is busy already")
	}
	g.running = true
	g.mu.Unlock()
	return func(n int) {
		for {
			g.mu.Lock()
			if len(g.queue) >= n {
				go g.drain(s)
				g.mu.Unlock()
				return
			}
			g.mu.Unlock()
			time.Sleep(time.Millisecond)
		}
	}
}

// AwaitSessionCache waits until the store's Run caches sessions (its watch
// of the bucket is running on a connected connection).
func AwaitSessionCache(tb testing.TB, s *SessionStore) {
	tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); !s.cache.isOn(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal("the session cache did not come on within 30 s")
		}
	}
}

// KeysStreamConfig is the keys bucket's stream configuration.
var KeysStreamConfig = keysStreamConfig

// OnBackupBegun calls fn with each stream's name once a backup has taken
// the stream's state and before it copies a message; until the test ends.
func OnBackupBegun(tb testing.TB, fn func(stream string)) {
	tb.Helper()
	backupBegun = fn
	tb.Cleanup(func() { backupBegun = nil })
}
