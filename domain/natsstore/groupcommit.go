package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Headers of JetStream's atomic batch publish (nats-server 2.12 and later).
const (
	hdrBatchID     = "Nats-Batch-Id"
	hdrBatchSeq    = "Nats-Batch-Sequence"
	hdrBatchCommit = "Nats-Batch-Commit"
	// batchHeaderBytes bounds what the batch headers add to a message:
	// a commit that would pass the size limit alone but not with them is
	// sent alone.
	batchHeaderBytes = len(hdrBatchID+": \r\n") + 22 + len(hdrBatchSeq+": \r\n") + 4 + len(hdrBatchCommit+": 1\r\n")
	// maxBatch is the most commits in one batch (the server's default
	// limit is 1,000; a server set lower refuses larger batches, whose
	// commits are then sent alone).
	maxBatch = 256
	// batchTimeout bounds the wait for a batch's acknowledgement, as
	// jetstream's default bounds a single publish.
	batchTimeout = 5 * time.Second
)

// groupCommit gathers the commits that arrive while one publish is in
// flight and sends them as one JetStream atomic batch, so that one fsync
// serves them all. An append that finds the store idle is published alone,
// as it would be without group commit: no wait is added. Each commit keeps
// its own expected last-subject sequence and Nats-Msg-Id; the server checks
// them all before storing any, and refuses the whole batch if one fails.
// A refused batch is not retried as a batch: each of its appends is then
// published alone by its own caller, which gets exactly the answer it would
// have got without group commit (a stale one its conflict, a duplicate its
// first result), while the others land.
type groupCommit struct {
	nc *nats.Conn
	// maxCommit is the store's limit on one message (0: none).
	maxCommit int

	mu      sync.Mutex
	running bool      // a publish or a batch is in flight
	queue   []*queued // appends waiting for the next batch, in arrival order

	batches, batched, refused atomic.Int64
}

type queued struct {
	msg  *nats.Msg
	done chan batchAnswer // buffered: the committer never waits on a caller
}

// batchAnswer is what the committer tells one append: the sequence its
// commit was stored at, or to publish alone (the batch was not stored),
// or an error (the batch's fate is unknown: it may have been stored).
type batchAnswer struct {
	seq   uint64
	alone bool
	err   error
}

// commit publishes msg, alone or in a batch with others, and returns its
// acknowledgement as publish does.
func (s *EventStore) commit(ctx context.Context, msg *nats.Msg) (*jetstream.PubAck, error) {
	g := s.group
	if g == nil {
		return s.publish(ctx, msg)
	}
	g.mu.Lock()
	if !g.running {
		g.running = true
		g.mu.Unlock()
		ack, err := s.publish(ctx, msg)
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.running = false
		} else {
			go g.drain(s)
		}
		g.mu.Unlock()
		return ack, err
	}
	q := &queued{msg: msg, done: make(chan batchAnswer, 1)}
	g.queue = append(g.queue, q)
	g.mu.Unlock()
	select {
	case a := <-q.done:
		switch {
		case a.alone:
			return s.publish(ctx, msg)
		case a.err != nil:
			return nil, a.err
		}
		return &jetstream.PubAck{Stream: EventsStream, Sequence: a.seq}, nil
	case <-ctx.Done():
		g.mu.Lock()
		for i, w := range g.queue {
			if w == q {
				g.queue = append(g.queue[:i], g.queue[i+1:]...)
				break
			}
		}
		g.mu.Unlock()
		// Taken into a batch already: it may be stored, as a publish
		// abandoned on its way may be.
		return nil, ctx.Err()
	}
}

// drain sends what is queued, batch after batch, until the queue is empty.
func (g *groupCommit) drain(s *EventStore) {
	for {
		g.mu.Lock()
		batch := g.take()
		if len(batch) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		if len(batch) == 1 {
			batch[0].done <- batchAnswer{alone: true}
			continue
		}
		g.send(batch)
	}
}

// take removes the next batch from the queue: at most maxBatch commits, at
// most one per subject (a second commit to a subject cannot carry a right
// expectation within the batch, and the server refuses such a batch) and
// per message id; those stay queued, in order, for the next batch. A commit
// too large to carry the batch headers is answered "alone" at once.
func (g *groupCommit) take() []*queued {
	var batch, rest []*queued
	subjects := map[string]bool{}
	ids := map[string]bool{}
	for _, q := range g.queue {
		id := q.msg.Header.Get(jetstream.MsgIDHeader)
		switch {
		case g.maxCommit > 0 && q.msg.Size()-len(q.msg.Subject)+batchHeaderBytes > g.maxCommit:
			q.done <- batchAnswer{alone: true}
		case len(batch) == maxBatch || subjects[q.msg.Subject] || id != "" && ids[id]:
			rest = append(rest, q)
		default:
			subjects[q.msg.Subject] = true
			if id != "" {
				ids[id] = true
			}
			batch = append(batch, q)
		}
	}
	g.queue = rest
	return batch
}

// GroupCommitFigures are what the store's group commit did since it opened.
type GroupCommitFigures struct {
	// On: appends are gathered (Config.GroupCommit, on a server that allows
	// atomic publish).
	On bool
	// Batches sent, the commits they carried (Batched / Batches is the mean
	// batch), and the batches the server refused (their commits were then
	// published alone).
	Batches, Batched, Refused int64
}

// GroupCommitFigures reports the group commit's figures: whether batches
// pay on a given disk shows in the mean batch against the appends a second.
func (s *EventStore) GroupCommitFigures() GroupCommitFigures {
	g := s.group
	if g == nil {
		return GroupCommitFigures{}
	}
	return GroupCommitFigures{On: true, Batches: g.batches.Load(), Batched: g.batched.Load(), Refused: g.refused.Load()}
}

// batchAck is the acknowledgement of a batch's commit message.
type batchAck struct {
	Error    *jetstream.APIError `json:"error,omitempty"`
	Stream   string              `json:"stream"`
	Sequence uint64              `json:"seq"`
	Batch    string              `json:"batch"`
	Count    int                 `json:"count"`
}

// send publishes batch as one atomic batch and answers each of its appends.
func (g *groupCommit) send(batch []*queued) {
	g.batches.Add(1)
	g.batched.Add(int64(len(batch)))
	seqs, err := g.publishBatch(batch)
	for i, q := range batch {
		switch {
		case errors.Is(err, errBatchNotStored):
			q.done <- batchAnswer{alone: true}
		case err != nil:
			q.done <- batchAnswer{err: err}
		default:
			q.done <- batchAnswer{seq: seqs[i]}
		}
	}
	if errors.Is(err, errBatchNotStored) {
		g.refused.Add(1)
	}
}

// errBatchNotStored marks a batch the server did not store, none of it:
// refused with an error, or whose commit never reached the stream.
var errBatchNotStored = errors.New("batch not stored")

// publishBatch sends the batch's messages, the last one as the commit, and
// returns the sequence each was stored at. The server stores a batch whole
// or not at all, in consecutive sequences ending at the one acknowledged.
func (g *groupCommit) publishBatch(batch []*queued) ([]uint64, error) {
	id := nuid.Next()
	n := len(batch)
	var reply *nats.Msg
	for i, q := range batch {
		m := &nats.Msg{Subject: q.msg.Subject, Data: q.msg.Data, Header: make(nats.Header, len(q.msg.Header)+3)}
		for k, v := range q.msg.Header {
			m.Header[k] = v
		}
		m.Header.Set(hdrBatchID, id)
		m.Header.Set(hdrBatchSeq, strconv.Itoa(i+1))
		if i < n-1 {
			if err := g.nc.PublishMsg(m); err != nil {
				return nil, fmt.Errorf("%w: %v", errBatchNotStored, err) // no commit sent
			}
			continue
		}
		m.Header.Set(hdrBatchCommit, "1")
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		var err error
		reply, err = g.nc.RequestMsgWithContext(ctx, m)
		cancel()
		if errors.Is(err, nats.ErrNoResponders) {
			return nil, fmt.Errorf("%w: %v", errBatchNotStored, err)
		}
		if err != nil {
			return nil, fmt.Errorf("batch of %d commits: %w", n, err)
		}
	}
	var ack batchAck
	if err := json.Unmarshal(reply.Data, &ack); err != nil {
		return nil, fmt.Errorf("batch of %d commits: acknowledgement: %w", n, err)
	}
	if ack.Error != nil {
		return nil, fmt.Errorf("%w: %w", errBatchNotStored, ack.Error)
	}
	if ack.Batch != id || ack.Count != n || ack.Sequence < uint64(n) {
		return nil, fmt.Errorf("batch of %d commits: acknowledged as batch %q of %d at %d", n, ack.Batch, ack.Count, ack.Sequence)
	}
	seqs := make([]uint64, n)
	for i := range seqs {
		seqs[i] = ack.Sequence - uint64(n-1-i)
	}
	return seqs, nil
}
