package natsstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/emcc/accredit/domain/eventstore"
)

// Names of the JetStream streams and headers this adapter uses.
const (
	EventsStream  = "ACCREDIT_EVENTS"
	subjectPrefix = "accredit.ev."

	hdrStream  = "Accredit-Stream"
	hdrVersion = "Accredit-Version"
	hdrHash    = "Accredit-Hash"
	// hdrRequest carries the append's RequestHash (idempotency only).
	hdrRequest = "Accredit-Request-Hash"
)

// Config sets how streams are created.
type Config struct {
	// Replicas of every stream and bucket (1 on the embedded server).
	Replicas int
	// DuplicateWindow is how long a command id is remembered by JetStream.
	DuplicateWindow time.Duration
	// MaxCommitBytes, when more than 0, is set as the stream's largest
	// message; the server's max_payload bounds it in any case.
	MaxCommitBytes int32
	// GroupCommit publishes the event appends that arrive while another
	// is in flight as one atomic batch (groupcommit.go). It pays where the
	// server fsyncs every write: a batch's fsync serves all its commits.
	// Elsewhere it costs: the server stages each batch and fsyncs the
	// staging, whatever its sync interval. Conn.OpenEventStore sets it for
	// an embedded server that fsyncs every write.
	GroupCommit bool
	// Log, when set, is told of each retry while a stream or bucket is
	// being created (a cluster still forming): minutes of silence at
	// start-up would leave an operator guessing.
	Log *slog.Logger
}

// Window is the duplicate window in force: DuplicateWindow, or 24 hours.
func (c Config) Window() time.Duration {
	if c.DuplicateWindow <= 0 {
		return 24 * time.Hour
	}
	return c.DuplicateWindow
}

func (c Config) replicas() int {
	if c.Replicas < 1 {
		return 1
	}
	return c.Replicas
}

// EventStore is the JetStream implementation of eventstore.Store.
type EventStore struct {
	js            jetstream.JetStream
	stream        jetstream.Stream
	replies       *replies
	directSubject string
	// maxCommit is the largest message (headers and body) the stream
	// takes: the smaller of its max_msg_size and the server's max_payload,
	// read at open. Appends over it are refused before they are sent.
	maxCommit int
	decoded   *decodedCommits
	// group gathers concurrent appends into atomic batches (groupcommit.go);
	// nil without Config.GroupCommit or when the stream does not allow
	// atomic publish (a server before 2.12): every append is then
	// published alone.
	group *groupCommit

	// The subscribers' shared consumer at the stream's end (tail.go).
	tailMu     sync.Mutex
	tail       *tail
	catchUps   atomic.Uint64
	tailLapped atomic.Uint64
}

// OpenEventStore creates or updates the events stream and returns the store.
func OpenEventStore(ctx context.Context, nc *nats.Conn, cfg Config) (*EventStore, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	window := cfg.Window()
	scfg := jetstream.StreamConfig{
		Name:        EventsStream,
		Description: "Accredit event commits, one subject per aggregate stream",
		Subjects:    []string{subjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.replicas(),
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardNew,
		Duplicates:  window,
		AllowDirect: true,
		DenyDelete:  true,
		DenyPurge:   true,
		MaxMsgSize:  cfg.MaxCommitBytes,
		// Group commit publishes concurrent appends as one atomic batch.
		// Set on an existing stream too: Open updates its configuration.
		AllowAtomicPublish: true,
	}
	st, err := ensure(ctx, cfg.Log, "create stream "+EventsStream, func(ctx context.Context) (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, scfg)
	})
	if err != nil {
		return nil, err
	}
	r, err := newReplies(nc)
	if err != nil {
		return nil, err
	}
	prefix := js.Options().APIPrefix
	if prefix == "" {
		prefix = jetstream.DefaultAPIPrefix
	}
	info := st.CachedInfo().Config
	s := &EventStore{js: js, stream: st, replies: r, directSubject: prefix + "DIRECT.GET." + EventsStream,
		maxCommit: maxCommit(nc.MaxPayload(), info.MaxMsgSize), decoded: &decodedCommits{}}
	// A server that does not know atomic publish does not echo the setting
	// back, and would store a batch's messages one by one: no group commit.
	if cfg.GroupCommit && info.AllowAtomicPublish {
		s.group = &groupCommit{nc: nc, maxCommit: s.maxCommit}
	}
	return s, nil
}

// maxCommit is the smaller of the server's max_payload and the stream's
// max_msg_size (0 or less: no limit of its own).
func maxCommit(payload int64, stream int32) int {
	m := int(payload)
	if stream > 0 && (m <= 0 || int(stream) < m) {
		m = int(stream)
	}
	return m
}

// MaxCommitBytes is the largest commit (headers and body) the store takes.
func (s *EventStore) MaxCommitBytes() int { return s.maxCommit }

// Subject returns the JetStream subject of an event stream.
func Subject(stream string) string { return subjectPrefix + stream }

// Append implements eventstore.Store.
func (s *EventStore) Append(ctx context.Context, req eventstore.AppendRequest) (eventstore.Result, error) {
	if err := eventstore.CheckRequest(req); err != nil {
		return eventstore.Result{}, err
	}
	events, err := eventstore.Prepare(req, req.Expected)
	if err != nil {
		return eventstore.Result{}, err
	}
	body, err := encodeChained(events) // json.Marshal's bytes, written directly
	if err != nil {
		return eventstore.Result{}, fmt.Errorf("append %s: encode: %w", req.Stream, err)
	}
	last := events[len(events)-1]
	msg := nats.NewMsg(Subject(req.Stream))
	msg.Data = body
	msg.Header.Set(hdrStream, req.Stream)
	msg.Header.Set(hdrVersion, strconv.FormatUint(last.Version, 10))
	msg.Header.Set(hdrHash, last.Hash)
	msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(req.Expected.Seq, 10))
	if req.CommandID != "" {
		msg.Header.Set(jetstream.MsgIDHeader, req.CommandID)
	}
	if req.RequestHash != "" {
		msg.Header.Set(hdrRequest, req.RequestHash)
	}
	// What JetStream counts: headers and body, not the subject.
	if size := msg.Size() - len(msg.Subject); s.maxCommit > 0 && size > s.maxCommit {
		return eventstore.Result{}, &eventstore.TooLargeError{Stream: req.Stream, Size: size, Max: s.maxCommit}
	}
	ack, err := s.commit(ctx, msg)
	if err != nil {
		if isTooLarge(err) { // the limit changed under us
			return eventstore.Result{}, &eventstore.TooLargeError{Stream: req.Stream, Size: msg.Size() - len(msg.Subject), Max: s.maxCommit}
		}
		if isWrongLastSequence(err) {
			if req.CommandID != "" {
				// A retry of an applied command carries a stale expectation;
				// JetStream may check that before the message id.
				r, ok, ferr := s.findCommand(ctx, req.Stream, req.CommandID)
				if ferr == nil && ok {
					if mismatch(r.requestHash, req.RequestHash) {
						return eventstore.Result{}, fmt.Errorf("append %s: %w", req.Stream, eventstore.ErrCommandReused)
					}
					return r.Result, nil
				}
			}
			return eventstore.Result{}, &eventstore.ConflictError{Stream: req.Stream, Expected: req.Expected}
		}
		return eventstore.Result{}, fmt.Errorf("append %s: %w", req.Stream, err)
	}
	if ack.Duplicate {
		// The first attempt's message says where it went: a retry that
		// chose a new stream id (a new case) answers the first one's.
		m, err := s.storedMsg(ctx, ack.Sequence)
		if err != nil {
			return eventstore.Result{}, fmt.Errorf("append %s: duplicate: %w", req.Stream, err)
		}
		head, err := headFromMsg(m.Header, m.Sequence)
		if err != nil {
			return eventstore.Result{}, fmt.Errorf("append %s: duplicate: %w", req.Stream, err)
		}
		if mismatch(m.Header.Get(hdrRequest), req.RequestHash) {
			return eventstore.Result{}, fmt.Errorf("append %s: %w", req.Stream, eventstore.ErrCommandReused)
		}
		stream := m.Header.Get(hdrStream)
		if stream == "" {
			stream = strings.TrimPrefix(m.Subject, subjectPrefix)
		}
		return eventstore.Result{Head: head, Duplicate: true, Stream: stream}, nil
	}
	for i := range events {
		events[i].Seq = ack.Sequence
	}
	return eventstore.Result{Head: eventstore.Head{Version: last.Version, Seq: ack.Sequence, Hash: last.Hash}, Stream: req.Stream, Events: events}, nil
}

// storedMsg gets the message at seq, which JetStream says is stored: a
// direct get may be answered by a replica that has not applied it yet
// ("not found"), so it is asked again, briefly, until ctx ends.
func (s *EventStore) storedMsg(ctx context.Context, seq uint64) (*jetstream.RawStreamMsg, error) {
	pause := 5 * time.Millisecond
	for {
		m, err := s.stream.GetMsg(ctx, seq)
		if !errors.Is(err, jetstream.ErrMsgNotFound) {
			return m, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// errDuplicateInFlight is JetStream's "duplicate message id is in process".
const errDuplicateInFlight = 10158

// publish publishes msg. A duplicate of a message still being stored (the
// same command sent to two processes at once) is refused as "in process"
// on a cluster (or acknowledged with sequence 0); it is published again,
// after a short pause, until JetStream can name the stored message's
// sequence (or, were the first write to have failed, stores this one).
func (s *EventStore) publish(ctx context.Context, msg *nats.Msg) (*jetstream.PubAck, error) {
	pause := 5 * time.Millisecond
	for {
		ack, err := s.js.PublishMsg(ctx, msg)
		var apiErr *jetstream.APIError
		inFlight := errors.As(err, &apiErr) && apiErr.ErrorCode == errDuplicateInFlight ||
			err == nil && ack.Duplicate && ack.Sequence == 0
		if !inFlight {
			return ack, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("duplicate of a write in flight: %w", ctx.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// mismatch reports whether a stored request hash and a retry's differ;
// an empty one (a commit from before hashes were kept) matches anything.
func mismatch(stored, retry string) bool {
	return stored != "" && retry != "" && stored != retry
}

func isTooLarge(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, nats.ErrMaxPayload) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum
}

func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
	}
	return false
}

type found struct {
	eventstore.Result
	requestHash string
}

// findCommand looks for a commit of stream carrying commandID. It reads only
// that stream's subject, and only on the rare conflicting retry.
func (s *EventStore) findCommand(ctx context.Context, stream, commandID string) (found, bool, error) {
	commits, err := s.loadCommits(ctx, stream)
	if err != nil {
		return found{}, false, err
	}
	for _, c := range commits {
		if len(c.Events) > 0 && c.Events[0].CommandID == commandID {
			return found{eventstore.Result{Head: eventstore.Head{}.Advance(c), Duplicate: true, Stream: stream}, c.RequestHash}, true, nil
		}
	}
	return found{}, false, nil
}

func headFromMsg(h nats.Header, seq uint64) (eventstore.Head, error) {
	v, err := strconv.ParseUint(h.Get(hdrVersion), 10, 64)
	if err != nil {
		return eventstore.Head{}, fmt.Errorf("commit %d: bad %s header", seq, hdrVersion)
	}
	return eventstore.Head{Version: v, Seq: seq, Hash: h.Get(hdrHash)}, nil
}

// Head implements eventstore.Store with a direct get of the subject's last message.
func (s *EventStore) Head(ctx context.Context, stream string) (eventstore.Head, error) {
	m, err := s.stream.GetLastMsgForSubject(ctx, Subject(stream))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return eventstore.Head{}, nil
	}
	if err != nil {
		return eventstore.Head{}, fmt.Errorf("head %s: %w", stream, err)
	}
	return headFromMsg(m.Header, m.Sequence)
}

// LastSeq implements eventstore.Store.
func (s *EventStore) LastSeq(ctx context.Context) (uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream info: %w", err)
	}
	return info.State.LastSeq, nil
}

// Probe reports whether the store can be written to and read from now: it
// asks for the stream's state, then reads its last commit back with a direct
// get, the path every per-request read takes. It returns the last position.
func (s *EventStore) Probe(ctx context.Context) (uint64, error) {
	last, err := s.LastSeq(ctx)
	if err != nil || last == 0 {
		return last, err
	}
	// A replica a little behind answers "not found": it answered.
	if _, err := s.stream.GetMsg(ctx, last); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, fmt.Errorf("read commit %d: %w", last, err)
	}
	return last, nil
}

// Load implements eventstore.Store. It reads only the stream's own subject
// with batched direct gets, so it leaves no consumer behind; commands do not
// call it (they work from state kept in memory), history reads, tools and
// rebuilds of one aggregate do.
func (s *EventStore) Load(ctx context.Context, stream string) ([]eventstore.Event, error) {
	commits, err := s.loadCommits(ctx, stream)
	if err != nil {
		return nil, err
	}
	var out []eventstore.Event
	for _, c := range commits {
		out = append(out, c.Events...)
	}
	return out, nil
}

func (s *EventStore) loadCommits(ctx context.Context, stream string) ([]eventstore.Commit, error) {
	head, err := s.Head(ctx, stream)
	if err != nil || head.Seq == 0 {
		return nil, err
	}
	var out []eventstore.Commit
	err = s.readRange(ctx, Subject(stream), 1, head.Seq, func(c eventstore.Commit) error {
		if c.Err != nil {
			return c.Err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", stream, err)
	}
	return out, nil
}

// Read implements eventstore.Store with batched direct gets: no consumer.
func (s *EventStore) Read(ctx context.Context, from, to uint64, fn func(eventstore.Commit) error) error {
	return s.readRange(ctx, "", from+1, to, fn)
}

func decodeCommit(m jetstream.Msg) (eventstore.Commit, error) {
	seq, err := seqOf(m)
	if err != nil {
		return eventstore.Commit{}, fmt.Errorf("commit metadata: %w", err)
	}
	c, err := DecodeCommit(m.Subject(), seq, m.Data())
	c.RequestHash = m.Headers().Get(hdrRequest)
	return c, err
}

// DecodeCommit decodes one commit message's body: a body as Append writes
// it directly (decodeChained), any other with encoding/json's semantics on
// the decoder of its successor (jsonv1, the same answers and errors).
func DecodeCommit(subject string, seq uint64, data []byte) (eventstore.Commit, error) {
	// A string of its own: cut from the subject, the name kept the
	// subject's memory alive in every map it became a key of (344k
	// subjects, 21 MB, after a start at 1M events). Not unique.Make's one
	// string per stream: its lookups took about 6 % of the CPU of a
	// start with no snapshot at 1M events.
	stream := strings.Clone(strings.TrimPrefix(subject, subjectPrefix))
	events, ok := decodeChained(stream, data)
	if !ok {
		if err := jsonv1.Unmarshal(data, &events); err != nil {
			return eventstore.Commit{}, fmt.Errorf("commit %d: %w", seq, err)
		}
	}
	for i := range events {
		events[i].Seq = seq
	}
	return eventstore.Commit{Seq: seq, Stream: stream, Events: events}, nil
}

// Subscribe implements eventstore.Store: from the subscribers' shared
// ordered consumer at the stream's end, with one of its own while it
// catches up (tail.go); an ordered consumer replays in order and
// recreates itself on gaps or reconnects.
func (s *EventStore) Subscribe(ctx context.Context, from uint64, fn func(eventstore.Commit) error) error {
	return s.subscribe(ctx, from, func(m jetstream.Msg) error { return fn(s.decoded.commitOf(m)) })
}

// SubscribeDeferred implements eventstore.DeferredSubscriber: Subscribe,
// each commit decoded only when the reader asks, on the reader's goroutine.
func (s *EventStore) SubscribeDeferred(ctx context.Context, from uint64, fn func(eventstore.Deferred) error) error {
	return s.subscribe(ctx, from, func(m jetstream.Msg) error {
		return fn(eventstore.DeferUndecoded(undecoded{s.decoded, m}))
	})
}

// undecoded is a delivered message, decoded when its reader asks.
type undecoded struct {
	decoded *decodedCommits
	m       jetstream.Msg
}

func (u undecoded) Decode() eventstore.Commit { return u.decoded.commitOf(u.m) }

// Peek implements eventstore.Undecoded: the stream's seq from the
// message's reply subject, and its body, as published by Append.
func (u undecoded) Peek() (uint64, []byte, bool) {
	seq, err := seqOf(u.m)
	if err != nil {
		return 0, nil, false
	}
	return seq, u.m.Data(), true
}

// commitOf decodes a delivered message; one that does not decode is a
// commit with Err set, so that readers report it and go on.
func commitOf(m jetstream.Msg) eventstore.Commit {
	c, err := decodeCommit(m)
	if err != nil {
		c = eventstore.Commit{Seq: c.Seq, Stream: strings.TrimPrefix(m.Subject(), subjectPrefix), Err: err}
		if seq, merr := seqOf(m); merr == nil {
			c.Seq = seq
		}
	}
	return c
}

// deleteConsumer removes an ordered consumer once its reader is done, rather
// than leave it on the server until its inactivity threshold (5 minutes):
// at the account's consumer limit every new reader would fail.
func (s *EventStore) deleteConsumer(cons jetstream.Consumer) {
	info := cons.CachedInfo()
	if info == nil || !s.js.Conn().IsConnected() {
		return // a lost connection: the server drops it after the threshold
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.js.DeleteConsumer(ctx, EventsStream, info.Name)
}

// JetStream exposes the JetStream context for the other buckets of the adapter.
func (s *EventStore) JetStream() jetstream.JetStream { return s.js }

// Get implements eventstore.Store with a direct get by sequence.
func (s *EventStore) Get(ctx context.Context, seq uint64) (eventstore.Commit, error) {
	m, err := s.stream.GetMsg(ctx, seq)
	if err != nil {
		return eventstore.Commit{}, fmt.Errorf("commit %d: %w", seq, err)
	}
	c, err := DecodeCommit(m.Subject, m.Sequence, m.Data)
	c.RequestHash = m.Header.Get(hdrRequest)
	return c, err
}
