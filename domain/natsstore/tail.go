package natsstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"
)

// The subscribers of a process (the write side's feed, the read models,
// the search index, the mail notifier) follow the stream's end together.
// Each had its own ordered consumer: every commit was sent by the server
// four times, read and copied by the client four times, and the server
// kept four consumers. A tail is one ordered consumer at the stream's end
// whose messages the store keeps in a ring that every subscriber at the
// end reads. A subscriber behind the ring (a replay from a snapshot, or one
// held up long enough to be lapped) catches up with an ordered consumer of
// its own, which it drops once the ring reaches back to where it is.

// tailSlots is how many of the last messages the ring keeps: at a few
// thousand commits a second about a second's worth, so that a subscriber
// held up for less (a snapshot's capture, the collector) is not lapped.
// What it holds is a few MiB: a commit is about a KiB (and see tailBytes).
const tailSlots = 4096

// tailBytes bounds the bodies the ring holds: commits may be up to the
// server's max_payload, and 4,096 of those would be gigabytes. Past it the
// oldest entries go (the newest stays, whatever its size); a subscriber
// that wanted them catches up on its own consumer.
const tailBytes = 16 << 20

// joinMargin is how far inside the ring a catching-up subscriber joins:
// joined right at its oldest entry it would be lapped at once under load.
const joinMargin = 256

type tail struct {
	s      *EventStore
	cancel context.CancelFunc
	users  int // guarded by s.tailMu

	// start is the stream's position the tail began after: its first
	// entry is the first commit after it.
	start uint64
	slots [tailSlots]atomic.Pointer[tailEntry]
	// head is the number of the last entry written (0: none yet), low the
	// oldest the ring still holds.
	head    atomic.Uint64
	low     atomic.Uint64
	changed atomic.Pointer[chan struct{}] // closed when head moves
	done    chan struct{}                 // closed once the tail has stopped
	err     error                         // why it stopped; read after done
	last    uint64                        // the seq of the last entry (run's own)
	bytes   int                           // the bodies the ring holds (run's own)
}

// tailEntry is one message of the tail, numbered n from 1. prev is the
// stream seq of the entry before it (start for the first), so that a
// subscriber at position p may take the ring from an entry whose prev is
// at most p: nothing between p and it is missing.
type tailEntry struct {
	n, seq, prev uint64
	size         int
	m            jetstream.Msg
}

func newTail(start uint64) *tail {
	t := &tail{start: start, last: start, done: make(chan struct{})}
	t.low.Store(1)
	ch := make(chan struct{})
	t.changed.Store(&ch)
	return t
}

// acquireTail returns the store's running tail, starting one at the
// stream's end when there is none; releaseTail gives it back.
func (s *EventStore) acquireTail(ctx context.Context) (*tail, error) {
	s.tailMu.Lock()
	defer s.tailMu.Unlock()
	if t := s.tail; t != nil && !t.stopped() {
		t.users++
		return t, nil
	}
	start, err := s.LastSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start + 1}
	cons, err := s.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		s.deleteConsumer(cons)
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	tctx, cancel := context.WithCancel(context.Background())
	t := newTail(start)
	t.s, t.cancel, t.users = s, cancel, 1
	go t.run(tctx, cons, it)
	s.tail = t
	return t, nil
}

func (s *EventStore) releaseTail(t *tail) {
	s.tailMu.Lock()
	defer s.tailMu.Unlock()
	if t.users--; t.users == 0 {
		t.cancel()
		if s.tail == t {
			s.tail = nil
		}
	}
}

// run reads the tail's consumer into the ring until it fails or its last
// user leaves.
func (t *tail) run(ctx context.Context, cons jetstream.Consumer, it jetstream.MessagesContext) {
	stop := context.AfterFunc(ctx, it.Stop)
	defer func() {
		stop()
		it.Stop()
		t.s.deleteConsumer(cons)
	}()
	for {
		m, err := it.Next()
		if err == nil {
			var seq uint64
			if seq, err = seqOf(m); err == nil {
				t.add(seq, m, len(m.Data()))
				continue
			}
		}
		if ctx.Err() != nil {
			err = errors.New("the subscription's last reader left")
		}
		t.err = fmt.Errorf("subscribe: %w", err)
		close(t.done)
		return
	}
}

// add puts the message of seq m in the ring, after the one of t.last, and
// wakes the subscribers waiting. Only run calls it.
func (t *tail) add(seq uint64, m jetstream.Msg, size int) {
	n := t.head.Load() + 1
	lo := t.low.Load()
	for ; n-lo >= tailSlots; lo++ {
		t.evict(lo) // its slot is n's
	}
	t.slots[n%tailSlots].Store(&tailEntry{n: n, seq: seq, prev: t.last, size: size, m: m})
	t.bytes += size
	t.last = seq
	t.head.Store(n)
	for ; t.bytes > tailBytes && lo < n; lo++ {
		t.evict(lo)
	}
	t.low.Store(lo)
	next := make(chan struct{})
	close(*t.changed.Swap(&next))
}

func (t *tail) evict(n uint64) {
	if e := t.slots[n%tailSlots].Swap(nil); e != nil && e.n == n {
		t.bytes -= e.size
	}
}

// joinAt is the entry a subscriber joining the ring looks at first, with
// the ring at head h: its oldest, or, once the ring has let entries go,
// one further in, so that under load it is not lapped at once.
func (t *tail) joinAt(h uint64) uint64 {
	lo := t.low.Load()
	if lo <= 1 {
		return 1
	}
	return min(h, lo+min(joinMargin, (h-lo)/2))
}

func (t *tail) stopped() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// join returns the number of the first entry a subscriber at position pos
// reads next, or false when the ring does not reach back to pos.
func (t *tail) join(pos uint64) (uint64, bool) {
	for {
		h := t.head.Load()
		if h == 0 {
			return 1, pos >= t.start
		}
		lo := t.joinAt(h)
		first := t.slots[lo%tailSlots].Load()
		if first == nil || first.n != lo {
			continue // lapped while looking: look again
		}
		if first.prev > pos {
			return 0, false
		}
		// The entries are in seq order: the first after pos.
		i, j := lo, h+1
		for i < j {
			mid := i + (j-i)/2
			e := t.slots[mid%tailSlots].Load()
			if e == nil || e.n != mid {
				break // lapped while looking
			}
			if e.seq <= pos {
				i = mid + 1
			} else {
				j = mid
			}
		}
		if i < j {
			continue
		}
		return i, true
	}
}

// reaches reports whether the ring reaches back to pos, for a subscriber
// catching up: it then joins (see join).
func (t *tail) reaches(pos uint64) bool {
	h := t.head.Load()
	if h == 0 {
		return pos >= t.start
	}
	n := t.joinAt(h)
	e := t.slots[n%tailSlots].Load()
	return e != nil && e.n == n && e.prev <= pos
}

// follow gives fn the ring's entries from number i on, those after pos;
// it returns the position reached when the ring has lapped it (the entry
// it wants is gone), or with fn's error, the tail's, or ctx's.
func (t *tail) follow(ctx context.Context, i, pos uint64, fn func(jetstream.Msg) error) (uint64, error) {
	for {
		changed := *t.changed.Load()
		h := t.head.Load()
		for ; i <= h; i++ {
			e := t.slots[i%tailSlots].Load()
			if e == nil || e.n != i {
				return pos, nil
			}
			if e.seq <= pos {
				continue
			}
			if err := ctx.Err(); err != nil {
				return pos, err
			}
			if err := fn(e.m); err != nil {
				return pos, err
			}
			pos = e.seq
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return pos, ctx.Err()
		case <-t.done:
			if t.head.Load() > h {
				continue // what came before it stopped is given first
			}
			return pos, t.err
		}
	}
}

// subscribe gives fn every commit after from, in order: from the tail once
// it reaches back to the subscriber's position, with a consumer of the
// subscriber's own until then.
func (s *EventStore) subscribe(ctx context.Context, from uint64, fn func(jetstream.Msg) error) error {
	t, err := s.acquireTail(ctx)
	if err != nil {
		return err
	}
	defer s.releaseTail(t)
	pos := from
	for {
		if i, ok := t.join(pos); ok {
			if pos, err = t.follow(ctx, i, pos, fn); err != nil {
				return err
			}
			s.tailLapped.Add(1)
			continue
		}
		if pos, err = s.catchUp(ctx, t, pos, fn); err != nil {
			return err
		}
	}
}

// catchUp gives fn the commits after pos with an ordered consumer of its
// own until the tail reaches back to where it is, and returns there.
func (s *EventStore) catchUp(ctx context.Context, t *tail, pos uint64, fn func(jetstream.Msg) error) (uint64, error) {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: pos + 1}
	cons, err := s.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return pos, fmt.Errorf("subscribe: %w", err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		s.deleteConsumer(cons)
		return pos, fmt.Errorf("subscribe: %w", err)
	}
	defer func() {
		it.Stop()
		s.deleteConsumer(cons)
	}()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	s.catchUps.Add(1)
	for !t.reaches(pos) {
		if t.stopped() {
			return pos, t.err
		}
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return pos, ctx.Err()
			}
			return pos, fmt.Errorf("subscribe: %w", err)
		}
		seq, err := seqOf(m)
		if err != nil {
			return pos, fmt.Errorf("subscribe: %w", err)
		}
		if err := fn(m); err != nil {
			return pos, err
		}
		pos = seq
	}
	return pos, nil
}

// TailStats reports how many subscriptions caught up with a consumer of
// their own and how many times one was lapped by the shared tail.
func (s *EventStore) TailStats() (catchUps, lapped uint64) {
	return s.catchUps.Load(), s.tailLapped.Load()
}
