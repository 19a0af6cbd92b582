package natsstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// The subscribers' shared tail (tail.go), on a real JetStream store.

// tailWait bounds the waits of these tests: a detector of a subscriber
// stuck, not a speed measured.
const tailWait = time.Minute

var appendCalls atomic.Uint64

// appendCommits writes n commits of one event each, over a few streams,
// and returns the store's last seq.
func appendCommits(t *testing.T, es *natsstore.EventStore, n int) uint64 {
	t.Helper()
	ctx := context.Background()
	bulk, err := es.Bulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A bulk writer expects its streams to be new to it: each call writes
	// streams of its own.
	call := appendCalls.Add(1)
	heads := map[string]eventstore.Head{}
	for i := range n {
		stream := fmt.Sprintf("t.c%d.s%d", call, i%7)
		head := heads[stream]
		events, err := eventstore.Chain(stream, head, []eventstore.Event{eventstoretest.NewEvent("t.happened", map[string]any{"i": i})})
		if err != nil {
			t.Fatal(err)
		}
		if heads[stream], err = bulk.Append(ctx, stream, events); err != nil {
			t.Fatal(err)
		}
		if i%500 == 499 {
			if err := bulk.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := bulk.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	last, err := es.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// follower is a running subscription that records the seqs it is given.
type follower struct {
	mu     sync.Mutex
	seqs   []uint64
	cancel context.CancelFunc
	done   chan error
}

func follow(es *natsstore.EventStore, from uint64, hold func(seq uint64)) *follower {
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{cancel: cancel, done: make(chan error, 1)}
	go func() {
		f.done <- es.Subscribe(ctx, from, func(c eventstore.Commit) error {
			if c.Err != nil {
				return c.Err
			}
			if hold != nil {
				hold(c.Seq)
			}
			f.mu.Lock()
			f.seqs = append(f.seqs, c.Seq)
			f.mu.Unlock()
			return nil
		})
	}()
	return f
}

func (f *follower) last() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seqs) == 0 {
		return 0
	}
	return f.seqs[len(f.seqs)-1]
}

// waitAt waits until f has been given seq, and checks that it was given
// exactly want, in order.
func (f *follower) waitAt(t *testing.T, name string, seq uint64, want []uint64) {
	t.Helper()
	deadline := time.Now().Add(tailWait)
	for f.last() < seq {
		select {
		case err := <-f.done:
			t.Fatalf("%s: the subscription ended at %d, before %d: %v", name, f.last(), seq, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: at %d, want %d", name, f.last(), seq)
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seqs) != len(want) {
		t.Fatalf("%s: given %d commits, want %d", name, len(f.seqs), len(want))
	}
	for i := range want {
		if f.seqs[i] != want[i] {
			t.Fatalf("%s: commit %d is seq %d, want %d", name, i, f.seqs[i], want[i])
		}
	}
}

func seqsBetween(from, to uint64, except ...uint64) []uint64 {
	var out []uint64
next:
	for s := from; s <= to; s++ {
		for _, e := range except {
			if s == e {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

func waitConsumers(t *testing.T, es *natsstore.EventStore, want int, why string) {
	t.Helper()
	deadline := time.Now().Add(tailWait)
	for natstest.Consumers(t, es) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d consumers on the stream, want %d", why, natstest.Consumers(t, es), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSubscribersAtTheEndShareOneConsumer: four subscribers, three of them
// starting behind the stream's end (each catches up on a consumer of its
// own), end up on one consumer; each is given every commit once, in order,
// also those written while they caught up and after; once the last leaves
// no consumer is left on the stream.
func TestSubscribersAtTheEndShareOneConsumer(t *testing.T) {
	es := natstest.Start(t).EventStore(t)
	first := appendCommits(t, es, 300)
	atEnd := follow(es, first, nil)
	fromZero := follow(es, 0, nil)
	fromMiddle := follow(es, 120, nil)
	more := appendCommits(t, es, 200)
	fromLater := follow(es, first+50, nil)
	last := appendCommits(t, es, 100)

	atEnd.waitAt(t, "at the end", last, seqsBetween(first+1, last))
	fromZero.waitAt(t, "from zero", last, seqsBetween(1, last))
	fromMiddle.waitAt(t, "from the middle", last, seqsBetween(121, last))
	fromLater.waitAt(t, "from later", last, seqsBetween(first+51, last))
	if more >= last {
		t.Fatalf("the last appends moved the store from %d to %d", more, last)
	}
	waitConsumers(t, es, 1, "four subscribers caught up")

	for _, f := range []*follower{atEnd, fromZero, fromMiddle, fromLater} {
		f.cancel()
		if err := <-f.done; !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled subscription ended with %v", err)
		}
	}
	waitConsumers(t, es, 0, "every subscriber gone")

	// A subscriber after that starts a tail of its own again.
	again := follow(es, last-10, nil)
	end := appendCommits(t, es, 5)
	again.waitAt(t, "after the others left", end, seqsBetween(last-9, end))
	again.cancel()
	<-again.done
}

// TestALappedSubscriberLosesNothing: a subscriber held up while more
// commits are written than the shared ring keeps is lapped; it catches up
// on a consumer of its own and is given every commit once, in order, as
// is one beside it that was never held up.
func TestALappedSubscriberLosesNothing(t *testing.T) {
	es := natstest.Start(t).EventStore(t)
	start := appendCommits(t, es, 10)
	release := make(chan struct{})
	held := make(chan struct{})
	var once sync.Once
	slow := follow(es, start, func(seq uint64) {
		if seq == start+2 {
			once.Do(func() { close(held) })
			<-release
		}
	})
	fast := follow(es, start, nil)
	// The shared tail must start at start, before the commits below: one
	// started after them would be ahead of the held subscriber, which
	// would then be held on a consumer of its own and never lapped (seen
	// under load). Any subscriber at start joins a tail that began there.
	waitConsumers(t, es, 1, "the shared tail started before the commits")
	appendCommits(t, es, 3)
	<-held
	_, lappedBefore := es.TailStats()
	last := appendCommits(t, es, 5000) // more than the ring's 4096
	fast.waitAt(t, "beside it", last, seqsBetween(start+1, last))
	close(release)
	slow.waitAt(t, "held up", last, seqsBetween(start+1, last))
	if _, lapped := es.TailStats(); lapped <= lappedBefore {
		t.Fatalf("the held subscriber was not lapped (lapped %d before, %d after): the test did not test", lappedBefore, lapped)
	}
	end := appendCommits(t, es, 5)
	slow.waitAt(t, "held up, then after", end, seqsBetween(start+1, end))
	waitConsumers(t, es, 1, "both back on the tail")
	slow.cancel()
	fast.cancel()
	<-slow.done
	<-fast.done
}

// TestSubscribersEndWhenTheConnectionCloses: subscribers on the tail
// and catching up are told when the connection closes, rather than wait.
func TestSubscribersEndWhenTheConnectionCloses(t *testing.T) {
	srv := natstest.Start(t)
	es := srv.EventStore(t)
	last := appendCommits(t, es, 20)
	onTail := follow(es, last, nil)
	behind := follow(es, 0, func(seq uint64) {
		if seq == 3 {
			time.Sleep(100 * time.Millisecond) // still catching up when the connection goes
		}
	})
	end := appendCommits(t, es, 3)
	onTail.waitAt(t, "on the tail", end, seqsBetween(last+1, end))
	srv.Conn.Close()
	for name, f := range map[string]*follower{"on the tail": onTail, "behind": behind} {
		select {
		case err := <-f.done:
			if err == nil {
				t.Fatalf("%s: the subscription ended without an error", name)
			}
		case <-time.After(tailWait):
			t.Fatalf("%s: still subscribed a minute after the connection closed", name)
		}
	}
}
