// Package eventstoretest is the conformance suite of the event-store port:
// every Store implementation runs it (the in-memory one and JetStream).
package eventstoretest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
)

// Harness gives the suite a fresh store per test and, where the
// implementation has a server, a way to restart it.
type Harness struct {
	// New returns an empty store.
	New func(t *testing.T) eventstore.Store
	// Restart, if set, stops and restarts the store's server while the
	// store keeps being used; it returns the store to use afterwards.
	Restart func(t *testing.T, s eventstore.Store) eventstore.Store
}

// NewEvent makes an event of type typ with a small payload.
func NewEvent(typ string, payload any) eventstore.Event {
	data, _ := json.Marshal(payload)
	return eventstore.Event{
		ID: ulid.Make().String(), Type: typ, SchemaVersion: 1,
		OccurredAt: time.Now().UTC(), Actor: domain.Actor{ID: "u1", Role: domain.RoleApplicant},
		CorrelationID: "corr", Data: data,
	}
}

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"appends at the expected version and loads in order", appendAndLoad},
		{"rejects append at stale version", staleVersion},
		{"rejects append to a new stream that already exists", staleNewStream},
		{"atomic multi-event append", atomicMulti},
		{"idempotent retry returns the first result and writes nothing", idempotentRetry},
		{"idempotent retry with a stale expectation", idempotentStaleRetry},
		{"idempotent retry to another stream answers the first stream", idempotentOtherStream},
		{"a command id reused for another request is refused", commandReused},
		{"hash chain links every event", hashChain},
		{"subscribe delivers stored then new commits in order", subscribe},
		{"read returns a range of stored commits in order, then returns", readRange},
		{"16 writers x 50 appends: nothing lost or duplicated", concurrentWriters},
		{"rejects invalid requests", invalidRequests},
		{"rejects a partial expected head", partialHead},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
	if h.Restart != nil {
		t.Run("restart in the middle of a run keeps what was acknowledged", func(t *testing.T) { restartMidRun(t, h) })
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// MustAppend appends or fails the test.
func MustAppend(tb testing.TB, s eventstore.Store, req eventstore.AppendRequest) eventstore.Result {
	tb.Helper()
	r, err := s.Append(context.Background(), req)
	if err != nil {
		tb.Fatalf("append %s: %v", req.Stream, err)
	}
	return r
}

func appendAndLoad(t *testing.T, h Harness) {
	s := h.New(t)
	r1 := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.a", Events: []eventstore.Event{NewEvent("t.one", map[string]int{"n": 1})}})
	MustAppend(t, s, eventstore.AppendRequest{Stream: "case.b", Events: []eventstore.Event{NewEvent("t.other", nil)}})
	r2 := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.a", Expected: r1.Head, Events: []eventstore.Event{NewEvent("t.two", map[string]int{"n": 2})}})
	if r1.Head.Version != 1 || r2.Head.Version != 2 {
		t.Fatalf("versions: got %d, %d, want 1, 2", r1.Head.Version, r2.Head.Version)
	}
	if r2.Head.Seq <= r1.Head.Seq {
		t.Fatalf("seq did not grow: %d then %d", r1.Head.Seq, r2.Head.Seq)
	}
	evs, err := s.Load(ctx(t), "case.a")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Type != "t.one" || evs[1].Type != "t.two" {
		t.Fatalf("load: got %+v, want t.one, t.two", evs)
	}
	if evs[0].Stream != "case.a" || evs[1].Version != 2 || evs[1].Seq != r2.Head.Seq {
		t.Fatalf("envelope: got stream %q version %d seq %d", evs[0].Stream, evs[1].Version, evs[1].Seq)
	}
	if string(evs[0].Data) != `{"n":1}` {
		t.Fatalf("payload: got %s, want {\"n\":1}", evs[0].Data)
	}
	if evs[0].Actor.ID != "u1" || evs[0].CorrelationID != "corr" || evs[0].SchemaVersion != 1 {
		t.Fatalf("envelope fields lost: %+v", evs[0])
	}
	head, err := s.Head(ctx(t), "case.a")
	if err != nil || head != r2.Head {
		t.Fatalf("head: got %+v, %v, want %+v", head, err, r2.Head)
	}
	c, err := s.Get(ctx(t), r2.Head.Seq)
	if err != nil || c.Stream != "case.a" || len(c.Events) != 1 || c.Events[0].Type != "t.two" || c.Seq != r2.Head.Seq {
		t.Fatalf("get %d: got %+v, %v", r2.Head.Seq, c, err)
	}
	if _, err := s.Get(ctx(t), 999); err == nil {
		t.Fatal("get of a missing position: no error")
	}
	if none, err := s.Load(ctx(t), "case.none"); err != nil || len(none) != 0 {
		t.Fatalf("unknown stream: got %d events, %v", len(none), err)
	}
}

// readRange reads more commits than one batch of a batched reader, on
// interleaved streams.
func readRange(t *testing.T, h Harness) {
	s := h.New(t)
	heads := map[string]eventstore.Head{}
	const n = 600
	for i := range n {
		stream := fmt.Sprintf("case.r%d", i%3)
		heads[stream] = MustAppend(t, s, eventstore.AppendRequest{Stream: stream, Expected: heads[stream],
			Events: []eventstore.Event{NewEvent("t.n", map[string]int{"i": i})}}).Head
	}
	last, err := s.LastSeq(ctx(t))
	if err != nil || last != heads["case.r2"].Seq {
		t.Fatalf("last seq: got %d, %v, want %d", last, err, heads["case.r2"].Seq)
	}
	var seqs []uint64
	if err := s.Read(ctx(t), 0, last, func(c eventstore.Commit) error {
		if c.Err != nil || len(c.Events) != 1 || c.Events[0].Seq != c.Seq {
			t.Fatalf("commit %d: %+v", c.Seq, c)
		}
		seqs = append(seqs, c.Seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != n || seqs[0] != 1 || seqs[n-1] != last {
		t.Fatalf("read all: got %d commits (%v..), want %d up to %d", len(seqs), seqs[:min(3, len(seqs))], n, last)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("read all: %d after %d", seqs[i], seqs[i-1])
		}
	}
	seqs = nil
	if err := s.Read(ctx(t), 10, 20, func(c eventstore.Commit) error { seqs = append(seqs, c.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 10 || seqs[0] != 11 || seqs[9] != 20 {
		t.Fatalf("read (10, 20]: got %v", seqs)
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.Read(ctx(t), 0, last, func(eventstore.Commit) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("read with a failing fn: got %v after %d calls, want stop after 1", err, calls)
	}
	evs, err := s.Load(ctx(t), "case.r1")
	if err != nil || len(evs) != n/3 || evs[n/3-1].Version != n/3 || evs[n/3-1].Seq != heads["case.r1"].Seq {
		t.Fatalf("load of a long stream: got %d events, %v, want %d", len(evs), err, n/3)
	}
}

func staleVersion(t *testing.T, h Harness) {
	s := h.New(t)
	r1 := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.s", Events: []eventstore.Event{NewEvent("t.one", nil)}})
	MustAppend(t, s, eventstore.AppendRequest{Stream: "case.s", Expected: r1.Head, Events: []eventstore.Event{NewEvent("t.two", nil)}})
	_, err := s.Append(ctx(t), eventstore.AppendRequest{Stream: "case.s", Expected: r1.Head, Events: []eventstore.Event{NewEvent("t.late", nil)}})
	var ce *eventstore.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("stale append: got %v, want a *ConflictError", err)
	}
	evs, _ := s.Load(ctx(t), "case.s")
	if len(evs) != 2 {
		t.Fatalf("after rejected append: got %d events, want 2", len(evs))
	}
}

func staleNewStream(t *testing.T, h Harness) {
	s := h.New(t)
	MustAppend(t, s, eventstore.AppendRequest{Stream: "case.n", Events: []eventstore.Event{NewEvent("t.one", nil)}})
	_, err := s.Append(ctx(t), eventstore.AppendRequest{Stream: "case.n", Events: []eventstore.Event{NewEvent("t.again", nil)}})
	if !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("second create: got %v, want conflict", err)
	}
}

func atomicMulti(t *testing.T, h Harness) {
	s := h.New(t)
	r := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.m", Events: []eventstore.Event{
		NewEvent("t.a", nil), NewEvent("t.b", nil), NewEvent("t.c", nil)}})
	if r.Head.Version != 3 {
		t.Fatalf("version after 3 events: got %d, want 3", r.Head.Version)
	}
	// A stale multi-event append writes none of its events.
	_, err := s.Append(ctx(t), eventstore.AppendRequest{Stream: "case.m", Events: []eventstore.Event{
		NewEvent("t.x", nil), NewEvent("t.y", nil)}})
	if !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("stale multi append: got %v, want conflict", err)
	}
	evs, _ := s.Load(ctx(t), "case.m")
	if len(evs) != 3 {
		t.Fatalf("got %d events, want 3", len(evs))
	}
	for i, e := range evs {
		if e.Seq != r.Head.Seq {
			t.Fatalf("event %d at seq %d, want all at one commit seq %d", i, e.Seq, r.Head.Seq)
		}
	}
	// A subscriber sees the three in one commit, never a part of it.
	got := make(chan eventstore.Commit, 1)
	sctx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	go s.Subscribe(sctx, 0, func(c eventstore.Commit) error { got <- c; cancel(); return nil })
	select {
	case c := <-got:
		if len(c.Events) != 3 {
			t.Fatalf("subscriber saw %d events in the commit, want 3", len(c.Events))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no commit delivered")
	}
}

func idempotentRetry(t *testing.T, h Harness) {
	s := h.New(t)
	req := eventstore.AppendRequest{Stream: "case.i", CommandID: "cmd-" + ulid.Make().String(), Events: []eventstore.Event{NewEvent("t.one", nil)}}
	r1 := MustAppend(t, s, req)
	req.Events = []eventstore.Event{NewEvent("t.one", nil)} // a retry builds its events anew
	r2, err := s.Append(ctx(t), req)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if !r2.Duplicate || r2.Head != r1.Head {
		t.Fatalf("retry: got %+v, want duplicate of %+v", r2, r1)
	}
	evs, _ := s.Load(ctx(t), "case.i")
	if len(evs) != 1 {
		t.Fatalf("after retry: got %d events, want 1", len(evs))
	}
	// The first append returns its events as stored; the duplicate none.
	if len(r1.Events) != 1 || !sameRecord(r1.Events[0], evs[0]) || r1.Events[0].CommandID != req.CommandID {
		t.Fatalf("the append's events %+v, stored %+v", r1.Events, evs)
	}
	if r2.Events != nil {
		t.Fatalf("a duplicate returned events: %+v", r2.Events)
	}
}

// sameRecord reports whether two events are the same record: envelope,
// chain, position and payload.
func sameRecord(a, b eventstore.Event) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb) && a.Seq == b.Seq && a.Seq != 0
}

func idempotentStaleRetry(t *testing.T, h Harness) {
	s := h.New(t)
	req := eventstore.AppendRequest{Stream: "case.j", CommandID: "cmd-" + ulid.Make().String(), Events: []eventstore.Event{NewEvent("t.one", nil)}}
	r1 := MustAppend(t, s, req)
	MustAppend(t, s, eventstore.AppendRequest{Stream: "case.j", Expected: r1.Head, Events: []eventstore.Event{NewEvent("t.two", nil)}})
	r2, err := s.Append(ctx(t), req) // the original expectation, now stale
	if err != nil || !r2.Duplicate || r2.Head != r1.Head {
		t.Fatalf("stale retry: got %+v, %v, want duplicate of %+v", r2, err, r1.Head)
	}
	evs, _ := s.Load(ctx(t), "case.j")
	if len(evs) != 2 {
		t.Fatalf("got %d events, want 2", len(evs))
	}
}

// idempotentOtherStream is a retried "open a new case" that picked a new case
// id: the store writes nothing and names the first attempt's stream.
func idempotentOtherStream(t *testing.T, h Harness) {
	s := h.New(t)
	id := "cmd-" + ulid.Make().String()
	r1 := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.first", CommandID: id, RequestHash: "h1", Events: []eventstore.Event{NewEvent("t.open", nil)}})
	r2, err := s.Append(ctx(t), eventstore.AppendRequest{Stream: "case.second", CommandID: id, RequestHash: "h1", Events: []eventstore.Event{NewEvent("t.open", nil)}})
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if !r2.Duplicate || r2.Head != r1.Head || r2.Stream != "case.first" {
		t.Fatalf("retry: got %+v, want a duplicate of %+v on stream case.first", r2, r1)
	}
	if evs, _ := s.Load(ctx(t), "case.second"); len(evs) != 0 {
		t.Fatalf("the retry's stream: got %d events, want 0", len(evs))
	}
}

// commandReused: the same command id with another request hash is refused,
// with a fresh or a stale expectation; an empty hash matches any.
func commandReused(t *testing.T, h Harness) {
	s := h.New(t)
	id := "cmd-" + ulid.Make().String()
	r1 := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.r", CommandID: id, RequestHash: "h1", Events: []eventstore.Event{NewEvent("t.one", nil)}})
	for _, exp := range []eventstore.Head{{}, r1.Head} {
		_, err := s.Append(ctx(t), eventstore.AppendRequest{Stream: "case.r", Expected: exp, CommandID: id, RequestHash: "h2", Events: []eventstore.Event{NewEvent("t.one", nil)}})
		if !errors.Is(err, eventstore.ErrCommandReused) {
			t.Fatalf("reuse with expectation %+v: got %v, want ErrCommandReused", exp, err)
		}
	}
	if r, err := s.Append(ctx(t), eventstore.AppendRequest{Stream: "case.r", CommandID: id, Events: []eventstore.Event{NewEvent("t.one", nil)}}); err != nil || !r.Duplicate {
		t.Fatalf("retry without a hash: got %+v, %v, want the duplicate", r, err)
	}
	if evs, _ := s.Load(ctx(t), "case.r"); len(evs) != 1 {
		t.Fatalf("got %d events, want 1", len(evs))
	}
}

func hashChain(t *testing.T, h Harness) {
	s := h.New(t)
	r := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.h", Events: []eventstore.Event{NewEvent("t.a", nil), NewEvent("t.b", nil)}})
	MustAppend(t, s, eventstore.AppendRequest{Stream: "case.h", Expected: r.Head, Events: []eventstore.Event{NewEvent("t.c", nil)}})
	evs, _ := s.Load(ctx(t), "case.h")
	prev := eventstore.GenesisHash
	for i, e := range evs {
		if e.PrevHash != prev {
			t.Fatalf("event %d prev hash: got %s, want %s", i, e.PrevHash, prev)
		}
		want, err := eventstore.ComputeHash(e)
		if err != nil || e.Hash != want {
			t.Fatalf("event %d hash: got %s, want %s (%v)", i, e.Hash, want, err)
		}
		prev = e.Hash
	}
}

func subscribe(t *testing.T, h Harness) {
	s := h.New(t)
	r := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.x", Events: []eventstore.Event{NewEvent("t.1", nil)}})
	MustAppend(t, s, eventstore.AppendRequest{Stream: "case.y", Events: []eventstore.Event{NewEvent("t.2", nil)}})
	got := make(chan eventstore.Commit, 10)
	sctx, cancel := context.WithCancel(ctx(t))
	done := make(chan error, 1)
	go func() { done <- s.Subscribe(sctx, 0, func(c eventstore.Commit) error { got <- c; return nil }) }()
	MustAppend(t, s, eventstore.AppendRequest{Stream: "case.x", Expected: r.Head, Events: []eventstore.Event{NewEvent("t.3", nil)}})
	var types []string
	var last uint64
	for len(types) < 3 {
		select {
		case c := <-got:
			if c.Seq <= last {
				t.Fatalf("out of order: %d after %d", c.Seq, last)
			}
			last = c.Seq
			types = append(types, c.Events[0].Type)
		case <-time.After(20 * time.Second):
			t.Fatalf("got %v, want 3 commits", types)
		}
	}
	if fmt.Sprint(types) != "[t.1 t.2 t.3]" {
		t.Fatalf("got %v, want [t.1 t.2 t.3]", types)
	}
	cancel()
	<-done
	// From a position: only what came after it.
	sctx2, cancel2 := context.WithCancel(ctx(t))
	defer cancel2()
	go s.Subscribe(sctx2, r.Head.Seq, func(c eventstore.Commit) error { got <- c; return nil })
	select {
	case c := <-got:
		if c.Events[0].Type != "t.2" {
			t.Fatalf("from %d: got %s first, want t.2", r.Head.Seq, c.Events[0].Type)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("nothing delivered from a position")
	}
}

func concurrentWriters(t *testing.T, h Harness) {
	s := h.New(t)
	const writers, attempts = 16, 50
	var mu sync.Mutex
	accepted, conflicts := 0, 0
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range attempts {
				head, err := s.Head(context.Background(), "case.hot")
				if err != nil {
					t.Errorf("head: %v", err)
					return
				}
				_, err = s.Append(context.Background(), eventstore.AppendRequest{
					Stream: "case.hot", Expected: head,
					Events: []eventstore.Event{NewEvent("t.w", map[string]int{"w": w, "i": i})},
				})
				mu.Lock()
				switch {
				case err == nil:
					accepted++
				case errors.Is(err, eventstore.ErrConflict):
					conflicts++
				default:
					t.Errorf("append: got %v, want success or conflict", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if accepted+conflicts != writers*attempts {
		t.Fatalf("accepted %d + conflicts %d != %d attempts", accepted, conflicts, writers*attempts)
	}
	evs, err := s.Load(ctx(t), "case.hot")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != accepted {
		t.Fatalf("stored %d events, want %d accepted", len(evs), accepted)
	}
	seen := map[string]bool{}
	for i, e := range evs {
		if e.Version != uint64(i+1) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
		if seen[string(e.Data)] {
			t.Fatalf("duplicated payload %s", e.Data)
		}
		seen[string(e.Data)] = true
	}
	head, _ := s.Head(ctx(t), "case.hot")
	if head.Version != uint64(accepted) {
		t.Fatalf("final version %d, want %d", head.Version, accepted)
	}
	t.Logf("%d accepted, %d conflicts", accepted, conflicts)
}

func invalidRequests(t *testing.T, h Harness) {
	s := h.New(t)
	for name, req := range map[string]eventstore.AppendRequest{
		"empty stream id":    {Stream: "", Events: []eventstore.Event{NewEvent("t", nil)}},
		"wildcard in id":     {Stream: "case.*", Events: []eventstore.Event{NewEvent("t", nil)}},
		"no events":          {Stream: "case.e"},
		"event without type": {Stream: "case.e", Events: []eventstore.Event{{ID: "x"}}},
	} {
		if _, err := s.Append(ctx(t), req); err == nil || errors.Is(err, eventstore.ErrConflict) {
			t.Errorf("%s: got %v, want a validation error", name, err)
		}
	}
}

// partialHead: an expectation with the stream's sequence but not its
// version or hash is refused, not written as a chain from the wrong head
// (JetStream itself checks the sequence only).
func partialHead(t *testing.T, h Harness) {
	s := h.New(t)
	r := MustAppend(t, s, eventstore.AppendRequest{Stream: "case.p", Events: []eventstore.Event{NewEvent("t.one", nil)}})
	for name, head := range map[string]eventstore.Head{
		"the sequence only": {Seq: r.Head.Seq},
		"no hash":           {Version: r.Head.Version, Seq: r.Head.Seq},
		"no version":        {Seq: r.Head.Seq, Hash: r.Head.Hash},
		"no sequence":       {Version: r.Head.Version, Hash: r.Head.Hash},
	} {
		_, err := s.Append(ctx(t), eventstore.AppendRequest{Stream: "case.p", Expected: head, Events: []eventstore.Event{NewEvent("t.two", nil)}})
		if err == nil || errors.Is(err, eventstore.ErrConflict) {
			t.Errorf("%s: got %v, want a validation error", name, err)
		}
	}
	if evs, _ := s.Load(ctx(t), "case.p"); len(evs) != 1 {
		t.Fatalf("after refused appends: %d events, want 1", len(evs))
	}
	MustAppend(t, s, eventstore.AppendRequest{Stream: "case.p", Expected: r.Head, Events: []eventstore.Event{NewEvent("t.two", nil)}})
}

func restartMidRun(t *testing.T, h Harness) {
	s := h.New(t)
	const writers = 4
	var mu sync.Mutex
	acked := map[string]bool{} // payload -> acknowledged
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var cur = s
	getStore := func() eventstore.Store { mu.Lock(); defer mu.Unlock(); return cur }
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("case.r%d", w)
			var head eventstore.Head
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				st := getStore()
				payload := fmt.Sprintf("w%d-%d", w, i)
				c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				r, err := st.Append(c, eventstore.AppendRequest{Stream: stream, Expected: head, CommandID: payload,
					Events: []eventstore.Event{NewEvent("t.r", payload)}})
				cancel()
				if err == nil {
					head = r.Head
					mu.Lock()
					acked[payload] = true
					mu.Unlock()
					continue
				}
				// Unknown outcome (server down): learn the real head and go on.
				time.Sleep(20 * time.Millisecond)
				c, cancel = context.WithTimeout(context.Background(), 2*time.Second)
				if hd, err := getStore().Head(c, stream); err == nil {
					head = hd
				}
				cancel()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	ns := h.Restart(t, s)
	mu.Lock()
	cur = ns
	mu.Unlock()
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	stored := map[string]bool{}
	for w := range writers {
		evs, err := ns.Load(ctx(t), fmt.Sprintf("case.r%d", w))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			var p string
			_ = json.Unmarshal(e.Data, &p)
			if stored[p] {
				t.Fatalf("payload %s stored twice", p)
			}
			stored[p] = true
		}
	}
	for p := range acked {
		if !stored[p] {
			t.Fatalf("acknowledged append %s lost in the restart", p)
		}
	}
	if len(acked) == 0 {
		t.Fatal("no append was acknowledged")
	}
	t.Logf("%d acknowledged, %d stored", len(acked), len(stored))
}
