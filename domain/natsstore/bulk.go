package natsstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// bulkPending is how many publishes a bulk writer keeps in flight.
const bulkPending = 4096

// BulkWriter appends commits to the event store without waiting for each
// acknowledgement, for filling a store that nothing else writes to (seeding).
//
// Every commit is the message Append would write, headers and all, with
// the expected last sequence of its subject: the writer knows the store's
// last position when it starts and predicts the sequence of each of its own
// messages, which JetStream stores in publishing order. Another writer, or
// a lost message, makes every later expectation fail, and Flush reports it;
// nothing is then written out of order.
type BulkWriter struct {
	s       *EventStore
	js      jetstream.JetStream
	next    uint64            // the sequence the next commit will have
	last    map[string]uint64 // subject -> sequence of its last commit
	pending []pendingAck      // in sequence order, without gaps
	// replicated: the stream has more than one replica. A clustered
	// stream refuses a message expecting its subject's last sequence while
	// another message of that subject is still in flight (not yet agreed),
	// so each commit then waits for its subject's previous one.
	replicated bool

	mu  sync.Mutex
	err error
}

type pendingAck struct {
	f   jetstream.PubAckFuture
	seq uint64
}

// Bulk starts a bulk writer at the store's current end, with a JetStream
// context of its own, so that its many pending acknowledgements have room.
func (s *EventStore) Bulk(ctx context.Context) (*BulkWriter, error) {
	last, err := s.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(s.js.Conn(), jetstream.WithPublishAsyncMaxPending(bulkPending))
	if err != nil {
		return nil, fmt.Errorf("bulk: jetstream: %w", err)
	}
	return &BulkWriter{s: s, js: js, next: last + 1, last: map[string]uint64{},
		replicated: s.stream.CachedInfo().Config.Replicas > 1}, nil
}

// BulkCommit is a commit encoded for a BulkWriter's Append.
//
// It holds the encoded events and what the message's headers say, not the
// message itself: a seeding run holds the prepared commits of every case
// still open in its data set's time, and a message with its header map
// and strings added about half again to a commit's own bytes, in objects
// the collector scans.
type BulkCommit struct {
	stream  string
	body    []byte
	version uint64
	hash    string
}

// message is the commit's message, expecting the subject's last sequence
// to be expected.
func (c BulkCommit) message(expected uint64) *nats.Msg {
	// The header keys are canonical already: no Set to canonicalise them.
	return &nats.Msg{Subject: Subject(c.stream), Data: c.body, Header: nats.Header{
		hdrStream:                           {c.stream},
		hdrVersion:                          {strconv.FormatUint(c.version, 10)},
		hdrHash:                             {c.hash},
		jetstream.ExpectedLastSubjSeqHeader: {strconv.FormatUint(expected, 10)},
	}}
}

// size is what the commit's message counts against the store's largest
// commit (as Append counts it): its headers and data, with an expected
// sequence of one digit.
func (c BulkCommit) size() int {
	const line = len("NATS/1.0\r\n") + len("\r\n") // then each header is "key: value\r\n"
	header := func(k, v string) int { return len(k) + len(": ") + len(v) + len("\r\n") }
	return line + header(hdrStream, c.stream) + header(hdrVersion, strconv.FormatUint(c.version, 10)) +
		header(hdrHash, c.hash) + header(jetstream.ExpectedLastSubjSeqHeader, "0") + len(c.body)
}

// Prepare encodes one commit of stream: events already chained after the
// stream's head (eventstore.Chain). It may be called from many goroutines
// at once, also while Append runs.
func (b *BulkWriter) Prepare(stream string, events []eventstore.Event) (BulkCommit, error) {
	if len(events) == 0 {
		return BulkCommit{}, errors.New("bulk append: no events")
	}
	body, err := encodeChained(events)
	if err != nil {
		return BulkCommit{}, fmt.Errorf("bulk append %s: encode: %w", stream, err)
	}
	last := events[len(events)-1]
	c := BulkCommit{stream: stream, body: body, version: last.Version, hash: last.Hash}
	if size := c.size(); b.s.maxCommit > 0 && size > b.s.maxCommit {
		return BulkCommit{}, &eventstore.TooLargeError{Stream: stream, Size: size, Max: b.s.maxCommit}
	}
	return c, nil
}

// Append publishes one commit of stream (Prepare and AppendPrepared), the
// first commit of a stream that this writer has not written before being
// the stream's first. It returns the head the stream will have once the
// commit is stored.
func (b *BulkWriter) Append(ctx context.Context, stream string, events []eventstore.Event) (eventstore.Head, error) {
	c, err := b.Prepare(stream, events)
	if err != nil {
		return eventstore.Head{}, err
	}
	return b.AppendPrepared(ctx, c)
}

// AppendPrepared publishes a prepared commit, expecting its subject's last
// sequence to be this writer's last commit of it. Commits are stored in
// the order they are appended.
func (b *BulkWriter) AppendPrepared(ctx context.Context, c BulkCommit) (eventstore.Head, error) {
	if err := b.failed(); err != nil {
		return eventstore.Head{}, err
	}
	stream := c.stream
	if prev := b.last[stream]; b.replicated && len(b.pending) > 0 && prev >= b.pending[0].seq {
		if err := b.settle(ctx, int(prev-b.pending[0].seq)+1); err != nil {
			return eventstore.Head{}, err
		}
	}
	f, err := b.js.PublishMsgAsync(c.message(b.last[stream]))
	if err != nil {
		return eventstore.Head{}, fmt.Errorf("bulk append %s: %w", stream, err)
	}
	seq := b.next
	b.next++
	b.last[stream] = seq
	b.pending = append(b.pending, pendingAck{f: f, seq: seq})
	if len(b.pending) >= bulkPending/2 {
		if err := b.settle(ctx, len(b.pending)/2); err != nil {
			return eventstore.Head{}, err
		}
	}
	return eventstore.Head{Version: c.version, Seq: seq, Hash: c.hash}, nil
}

// settle waits for the oldest n acknowledgements and checks each stored
// its commit where it was predicted to.
func (b *BulkWriter) settle(ctx context.Context, n int) error {
	for _, p := range b.pending[:n] {
		select {
		case ack := <-p.f.Ok():
			if ack.Sequence != p.seq || ack.Duplicate {
				b.fail(fmt.Errorf("bulk append: commit stored at %d, expected at %d: another writer is using the store", ack.Sequence, p.seq))
			}
		case err := <-p.f.Err():
			if isWrongLastSequence(err) {
				err = fmt.Errorf("%w: another writer is using the store", err)
			}
			b.fail(fmt.Errorf("bulk append %s (seq %d): %w", p.f.Msg().Subject, p.seq, err))
		case <-ctx.Done():
			b.fail(ctx.Err())
		}
		if err := b.failed(); err != nil {
			return err
		}
	}
	b.pending = append(b.pending[:0], b.pending[n:]...)
	return nil
}

// Flush waits until every commit published so far is stored.
func (b *BulkWriter) Flush(ctx context.Context) error {
	if err := b.settle(ctx, len(b.pending)); err != nil {
		return err
	}
	return b.failed()
}

// Position is the sequence of the last commit published.
func (b *BulkWriter) Position() uint64 { return b.next - 1 }

func (b *BulkWriter) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = err
	}
}

func (b *BulkWriter) failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// BulkKeys is a pii.KeyStore for a seeding run: it creates the data keys
// of new people without waiting for each one. Get finds only the keys it
// created itself (a seeding run makes up new people, whose subjects have
// no key yet); Create publishes as the KV bucket's create does (refused
// when the key exists). Flush waits for every key to be stored; call it
// before the events sealed with them are taken as written.
type BulkKeys struct {
	js      jetstream.JetStream
	mu      sync.Mutex
	made    map[string][]byte
	pending []jetstream.PubAckFuture
}

// NewBulkKeys returns a bulk key creator on the store's connection; the
// keys bucket must exist (OpenKeyStore).
func (s *EventStore) NewBulkKeys() (*BulkKeys, error) {
	js, err := jetstream.New(s.js.Conn(), jetstream.WithPublishAsyncMaxPending(bulkPending))
	if err != nil {
		return nil, fmt.Errorf("bulk keys: jetstream: %w", err)
	}
	return &BulkKeys{js: js, made: map[string][]byte{}}, nil
}

// Get implements pii.KeyStore.
func (k *BulkKeys) Get(_ context.Context, subject string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.made[subject]; ok {
		return v, nil
	}
	return nil, pii.ErrNoKey
}

// Create implements pii.KeyStore. Of two creations of one subject's key
// at once (two seeding workers sealing for one person), the first is
// stored and both get it.
func (k *BulkKeys) Create(ctx context.Context, subject string, wrapped []byte) ([]byte, error) {
	k.mu.Lock()
	if v, ok := k.made[subject]; ok {
		k.mu.Unlock()
		return v, nil
	}
	msg := nats.NewMsg("$KV." + KeysBucket + "." + subject)
	msg.Data = wrapped
	msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
	f, err := k.js.PublishMsgAsync(msg)
	if err != nil {
		k.mu.Unlock()
		return nil, fmt.Errorf("bulk key %s: %w", subject, err)
	}
	k.made[subject] = wrapped
	k.pending = append(k.pending, f)
	full := len(k.pending) >= bulkPending/2
	k.mu.Unlock()
	if full {
		if err := k.Flush(ctx); err != nil {
			return nil, err
		}
	}
	return wrapped, nil
}

// Each implements pii.KeyStore over the keys this creator made (a seeding
// run reads no one else's).
func (k *BulkKeys) Each(ctx context.Context, fn func(subject string, wrapped []byte) error) error {
	k.mu.Lock()
	made := maps.Clone(k.made)
	k.mu.Unlock()
	for subject, wrapped := range made {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(subject, wrapped); err != nil {
			return err
		}
	}
	return nil
}

// Delete implements pii.KeyStore; a seeding run erases no one.
func (k *BulkKeys) Delete(context.Context, string) error {
	return errors.New("bulk keys: delete is not supported")
}

// Flush waits until every key created so far is stored.
func (k *BulkKeys) Flush(ctx context.Context) error {
	k.mu.Lock()
	pending := k.pending
	k.pending = nil
	k.mu.Unlock()
	for _, f := range pending {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("bulk key %s: %w", f.Msg().Subject, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
