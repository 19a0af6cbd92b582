package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/emcc/accredit/domain/eventstore"
)

// Reads of stored history use JetStream's batched direct get rather than a
// consumer: a consumer per request is created through the stream leader (the
// meta leader on a cluster), outlives the request until its inactivity
// threshold, and at the account's consumer limit every read fails. A direct
// get batch is a request with many replies on one inbox, ended by a 204 EOB
// status; nothing is left on the server when it returns.
const (
	directBatch    = 256
	directMaxBytes = 4 << 20 // bounds one batch's memory; the server always sends at least one message
	// directTimeout bounds the wait for a batch whatever the caller's
	// context, so a lost reply fails the read instead of hanging it.
	directTimeout = 5 * time.Second
	// A replica that answers direct gets may be a little behind the leader
	// that gave us the target sequence: wait for it this many times.
	directBehindTries = 50
)

// errNotFound is the 404 answer of a direct get: nothing at or after the start.
var errNotFound = errors.New("no message")

type directRequest struct {
	Seq      uint64 `json:"seq,omitempty"`
	NextFor  string `json:"next_by_subj,omitempty"`
	Batch    int    `json:"batch,omitempty"`
	MaxBytes int    `json:"max_bytes,omitempty"`
}

// replies routes the replies of direct get batches to their readers: one
// subscription on a wildcard inbox for the store's life, one token per
// request. A subscription per read would cost a millisecond each.
type replies struct {
	prefix string
	sub    *nats.Subscription
	mu     sync.Mutex
	n      uint64
	chans  map[string]chan *nats.Msg
}

func newReplies(nc *nats.Conn) (*replies, error) {
	r := &replies{prefix: nc.NewInbox() + ".", chans: map[string]chan *nats.Msg{}}
	sub, err := nc.Subscribe(r.prefix+"*", func(m *nats.Msg) {
		r.mu.Lock()
		ch := r.chans[m.Subject]
		r.mu.Unlock()
		if ch != nil {
			select {
			case ch <- m:
			default: // cannot happen: the buffer holds a whole batch
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("direct get replies: %w", err)
	}
	r.sub = sub
	return r, nil
}

// open returns a fresh reply subject, its channel and the function that
// forgets it; late replies to a forgotten subject are dropped.
func (r *replies) open() (string, chan *nats.Msg, func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	subj := r.prefix + strconv.FormatUint(r.n, 10)
	ch := make(chan *nats.Msg, directBatch+1)
	r.chans[subj] = ch
	return subj, ch, func() {
		r.mu.Lock()
		delete(r.chans, subj)
		r.mu.Unlock()
	}
}

// readRange calls fn with every stored commit on subject (every subject when
// it is "") with a sequence in [from, to], in order, where the caller knows
// that the store holds to. It stops at the first error: fn's, or the store's.
func (s *EventStore) readRange(ctx context.Context, subject string, from, to uint64, fn func(eventstore.Commit) error) error {
	if from == 0 {
		from = 1
	}
	next, behind := from, 0
	for next <= to {
		got, err := s.readBatch(ctx, subject, next, to, fn)
		if err != nil && !errors.Is(err, errNotFound) {
			return err
		}
		if got >= next {
			next, behind = got+1, 0
			continue
		}
		// Nothing at or after next: the replica that answered has not got
		// [next, to] yet, since the caller saw to stored.
		if behind++; behind > directBehindTries {
			return fmt.Errorf("direct get: the store has nothing after %d, want up to %d", next-1, to)
		}
		if err := sleepCtx(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// readBatch asks for one batch from seq and reads its replies up to its end.
// It returns the sequence of the last commit it passed to fn (0 for none);
// commits after to are read and dropped.
func (s *EventStore) readBatch(ctx context.Context, subject string, seq, to uint64, fn func(eventstore.Commit) error) (uint64, error) {
	reply, ch, done := s.replies.open()
	defer done()
	req, _ := json.Marshal(directRequest{Seq: seq, NextFor: subject, Batch: directBatch, MaxBytes: directMaxBytes})
	if err := s.js.Conn().PublishRequest(s.directSubject, reply, req); err != nil {
		return 0, fmt.Errorf("direct get: %w", err)
	}
	timeout := time.NewTimer(directTimeout)
	defer timeout.Stop()
	var last uint64
	for {
		var m *nats.Msg
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-timeout.C:
			return last, fmt.Errorf("direct get: no reply within %s", directTimeout)
		case m = <-ch:
		}
		if status := m.Header.Get("Status"); status != "" && len(m.Data) == 0 {
			switch status {
			case "204": // end of batch
				return last, nil
			case "404":
				return last, errNotFound
			default:
				return last, fmt.Errorf("direct get: %s %s", status, m.Header.Get("Description"))
			}
		}
		seq, err := strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
		if err != nil || seq <= last {
			return last, fmt.Errorf("direct get: reply without a usable sequence (%q)", m.Header.Get("Nats-Sequence"))
		}
		if seq > to {
			continue
		}
		subj := m.Header.Get("Nats-Subject")
		c, err := DecodeCommit(subj, seq, m.Data)
		if err != nil {
			// Reported and passed on, as Subscribe does: readers decide.
			c = eventstore.Commit{Seq: seq, Stream: strings.TrimPrefix(subj, subjectPrefix), Err: err}
		}
		c.RequestHash = m.Header.Get(hdrRequest) // a direct get answers with the stored headers
		last = seq
		if err := fn(c); err != nil {
			return last, err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
