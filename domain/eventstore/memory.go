package eventstore

import (
	"context"
	"fmt"
	"sync"
)

// Memory is an in-memory Store for unit tests. It behaves like the JetStream
// adapter (the conformance suite runs against both) but keeps nothing.
type Memory struct {
	mu       sync.Mutex
	commits  []Commit          // position i holds seq i+1
	byStream map[string][]int  // each stream's commits' positions, in order
	heads    map[string]Head   // per stream
	commands map[string]Result // command id -> first result
	changed  chan struct{}     // closed and replaced on every append
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{byStream: map[string][]int{}, heads: map[string]Head{}, commands: map[string]Result{}, changed: make(chan struct{})}
}

// Append implements Store.
func (m *Memory) Append(ctx context.Context, req AppendRequest) (Result, error) {
	if err := CheckRequest(req); err != nil {
		return Result{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if req.CommandID != "" {
		if r, ok := m.commands[req.CommandID]; ok {
			if c := m.commits[r.Head.Seq-1]; c.RequestHash != "" && req.RequestHash != "" && c.RequestHash != req.RequestHash {
				return Result{}, fmt.Errorf("append %s: %w", req.Stream, ErrCommandReused)
			}
			r.Duplicate = true
			return r, nil
		}
	}
	head := m.heads[req.Stream]
	if head.Version != req.Expected.Version || head.Seq != req.Expected.Seq {
		return Result{}, &ConflictError{Stream: req.Stream, Expected: req.Expected}
	}
	events, err := Prepare(req, head)
	if err != nil {
		return Result{}, err
	}
	seq := uint64(len(m.commits)) + 1
	for i := range events {
		events[i].Seq = seq
	}
	c := Commit{Seq: seq, Stream: req.Stream, Events: events, RequestHash: req.RequestHash}
	m.byStream[req.Stream] = append(m.byStream[req.Stream], len(m.commits))
	m.commits = append(m.commits, c)
	r := Result{Head: head.Advance(c), Stream: req.Stream}
	m.heads[req.Stream] = r.Head
	if req.CommandID != "" {
		m.commands[req.CommandID] = r // a duplicate's answer: no events
	}
	r.Events = events
	close(m.changed)
	m.changed = make(chan struct{})
	return r, nil
}

// Load implements Store. It reads the stream's own commits: a scan of
// every commit made a test's setup grow with the square of its cases
// (half the CPU of BenchmarkReadSide at 20k cases went to comparing
// stream names).
func (m *Memory) Load(ctx context.Context, stream string) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Event
	for _, i := range m.byStream[stream] {
		out = append(out, m.commits[i].Events...)
	}
	return out, nil
}

// Head implements Store.
func (m *Memory) Head(ctx context.Context, stream string) (Head, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.heads[stream], nil
}

// LastSeq implements Store.
func (m *Memory) LastSeq(ctx context.Context) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(len(m.commits)), nil
}

// Subscribe implements Store.
func (m *Memory) Subscribe(ctx context.Context, from uint64, fn func(Commit) error) error {
	next := from + 1
	for {
		m.mu.Lock()
		pending := append([]Commit(nil), m.commits[min(int(next-1), len(m.commits)):]...)
		wait := m.changed
		m.mu.Unlock()
		for _, c := range pending {
			if err := fn(c); err != nil {
				return err
			}
			next = c.Seq + 1
		}
		if len(pending) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wait:
		}
	}
}

// Read implements Store.
func (m *Memory) Read(ctx context.Context, from, to uint64, fn func(Commit) error) error {
	m.mu.Lock()
	if to > uint64(len(m.commits)) {
		m.mu.Unlock()
		return fmt.Errorf("read up to %d: the store ends at %d", to, len(m.commits))
	}
	pending := append([]Commit(nil), m.commits[min(from, to):to]...)
	m.mu.Unlock()
	for _, c := range pending {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, seq uint64) (Commit, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq == 0 || seq > uint64(len(m.commits)) {
		return Commit{}, fmt.Errorf("no commit at %d", seq)
	}
	return m.commits[seq-1], nil
}
