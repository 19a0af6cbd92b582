package aggregate_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// tally is the smallest aggregate: a list of the numbers added to it, and
// the record of the last (as aggregates keep who did what, and when).
type tally struct {
	Items []int
	Last  envelope
}

// envelope is what the store writes around a payload.
type envelope struct {
	ID, Stream, CommandID, PrevHash, Hash string
	Version, Seq                          uint64
	At                                    int64
}

func (t *tally) Apply(e eventstore.Event) error {
	var n int
	if err := json.Unmarshal(e.Data, &n); err != nil {
		return err
	}
	t.Items = append(t.Items, n)
	t.Last = envelope{ID: e.ID, Stream: e.Stream, CommandID: e.CommandID, PrevHash: e.PrevHash, Hash: e.Hash,
		Version: e.Version, Seq: e.Seq, At: e.OccurredAt.UnixNano()}
	return nil
}

func (t *tally) Clone() *tally { return &tally{Items: append([]int(nil), t.Items...), Last: t.Last} }

// process is one accreditd's worth of feed and repository on a shared store.
func process(t *testing.T, store eventstore.Store) *aggregate.Repository[*tally] {
	t.Helper()
	feed := aggregate.NewFeed(store, nil)
	repo := aggregate.NewRepository("tally", store, feed, time.Now, func(string) *tally { return &tally{} })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = feed.Run(ctx) }()
	return repo
}

func add(n int) func(*tally, uint64) ([]aggregate.Change, error) {
	return func(*tally, uint64) ([]aggregate.Change, error) {
		return []aggregate.Change{{Type: "tally.added", Data: n}}, nil
	}
}

func TestTwoProcessesNeverLoseAnUpdate(t *testing.T) {
	store := eventstore.NewMemory()
	a, b := process(t, store), process(t, store)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			repo := []*aggregate.Repository[*tally]{a, b}[i%2]
			if _, err := repo.Update(context.Background(), "x", aggregate.Meta{}, add(i)); err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	evs, _ := store.Load(context.Background(), "tally.x")
	if len(evs) != 40 {
		t.Fatalf("stored %d events, want 40", len(evs))
	}
	got, v, _, _ := a.Find(context.Background(), "x")
	deadline := time.Now().Add(5 * time.Second)
	for v != 40 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		got, v, _, _ = a.Find(context.Background(), "x")
	}
	if v != 40 || len(got.Items) != 40 {
		t.Fatalf("process a at version %d with %d items, want 40", v, len(got.Items))
	}
}

func TestDecideSeesTheOtherProcessesWriteAfterAConflict(t *testing.T) {
	store := eventstore.NewMemory()
	a, b := process(t, store), process(t, store)
	if _, err := a.Update(context.Background(), "x", aggregate.Meta{}, add(1)); err != nil {
		t.Fatal(err)
	}
	// b decides only when it has seen a's write: a rule like "at most two".
	atMostTwo := func(n int) func(*tally, uint64) ([]aggregate.Change, error) {
		return func(s *tally, _ uint64) ([]aggregate.Change, error) {
			if len(s.Items) >= 2 {
				return nil, domain.Errorf(domain.Conflict, "full")
			}
			return []aggregate.Change{{Type: "tally.added", Data: n}}, nil
		}
	}
	if _, err := b.Update(context.Background(), "x", aggregate.Meta{}, atMostTwo(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Update(context.Background(), "x", aggregate.Meta{}, atMostTwo(3)); !domain.Is(err, domain.Conflict) {
		t.Fatalf("third add: got %v, want the rule's refusal after seeing b's write", err)
	}
}

func TestIfVersionAndIdempotency(t *testing.T) {
	store := eventstore.NewMemory()
	a := process(t, store)
	r1, err := a.Update(context.Background(), "x", aggregate.Meta{CommandID: "cmd-1"}, add(1))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := a.Update(context.Background(), "x", aggregate.Meta{CommandID: "cmd-1"}, add(99))
	if err != nil || !r2.Duplicate || r2.Seq != r1.Seq || r2.Version != r1.Version {
		t.Fatalf("retry: got %+v, %v, want the first result %+v", r2, err, r1)
	}
	stale := uint64(0)
	if _, err := a.Update(context.Background(), "x", aggregate.Meta{IfVersion: &stale}, add(2)); !domain.Is(err, domain.PreconditionFailed) {
		t.Fatalf("stale If-Match: got %v, want PreconditionFailed", err)
	}
	cur := r1.Version
	if _, err := a.Update(context.Background(), "x", aggregate.Meta{IfVersion: &cur}, add(2)); err != nil {
		t.Fatalf("current If-Match: %v", err)
	}
	refused := errors.New("no")
	if _, err := a.Update(context.Background(), "x", aggregate.Meta{}, func(*tally, uint64) ([]aggregate.Change, error) { return nil, refused }); !errors.Is(err, refused) {
		t.Fatalf("refusal: got %v", err)
	}
	evs, _ := store.Load(context.Background(), "tally.x")
	if len(evs) != 2 {
		t.Fatalf("stored %d events, want 2", len(evs))
	}
}

// A command's result carries the state it decided on with its own events
// applied, at its version: the answer needs no second read, which could
// already show a later write.
func TestAResultHoldsTheStateTheCommandLeft(t *testing.T) {
	store := eventstore.NewMemory()
	a, b := process(t, store), process(t, store)
	ctx := context.Background()
	first, err := a.Update(ctx, "x", aggregate.Meta{CommandID: "cmd-1"}, add(1))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := aggregate.StateOf[*tally](first); !ok || !slices.Equal(s.Items, []int{1}) || first.Version != 1 {
		t.Fatalf("first command: state %v (%v) at version %d, want [1] at 1", s, ok, first.Version)
	}
	// Another process writes; this one's next command decides on top of it.
	if _, err := b.Update(ctx, "x", aggregate.Meta{}, add(2)); err != nil {
		t.Fatal(err)
	}
	third, err := a.Update(ctx, "x", aggregate.Meta{}, add(3))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := aggregate.StateOf[*tally](third); !ok || !slices.Equal(s.Items, []int{1, 2, 3}) || third.Version != 3 {
		t.Fatalf("after another process's write: state %v (%v) at version %d, want [1 2 3] at 3", s, ok, third.Version)
	}
	if s, _ := aggregate.StateOf[*tally](first); !slices.Equal(s.Items, []int{1}) {
		t.Fatalf("the first result's state changed with later writes: %v, want [1]", s.Items)
	}
	none, err := a.Update(ctx, "x", aggregate.Meta{}, func(*tally, uint64) ([]aggregate.Change, error) { return nil, nil })
	if s, ok := aggregate.StateOf[*tally](none); err != nil || !ok || !slices.Equal(s.Items, []int{1, 2, 3}) || none.Version != 3 {
		t.Fatalf("a command that records nothing: state %v (%v) at version %d, %v; want [1 2 3] at 3", s, ok, none.Version, err)
	}
	dup, err := a.Update(ctx, "x", aggregate.Meta{CommandID: "cmd-1"}, add(1))
	if err != nil || !dup.Duplicate {
		t.Fatalf("the first command again: %+v, %v, want a duplicate", dup, err)
	}
	if s, ok := aggregate.StateOf[*tally](dup); ok {
		t.Fatalf("a duplicate decided nothing, yet carries state %v", s.Items)
	}
}

// decidedTally is a tally that can take a command's payload as decided,
// and counts the events it applied so.
type decidedTally struct {
	tally
	decided *int
}

func (t *decidedTally) ApplyDecided(e eventstore.Event, payload any) error {
	n, ok := payload.(int)
	if !ok {
		return t.Apply(e)
	}
	*t.decided++
	t.Items = append(t.Items, n)
	return nil
}

func (t *decidedTally) Clone() *decidedTally {
	return &decidedTally{tally: *t.tally.Clone(), decided: t.decided}
}

// A command's result state is made from the payloads it decided when the
// root can take them (DecidedApplier), not by decoding its events again;
// the feed applies the stored events to what memory holds.
func TestAResultStateIsMadeFromTheDecidedPayloads(t *testing.T) {
	store := eventstore.NewMemory()
	feed := aggregate.NewFeed(store, nil)
	var decided int
	repo := aggregate.NewRepository("tally", store, feed, time.Now, func(string) *decidedTally {
		return &decidedTally{decided: &decided}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = feed.Run(ctx) }()
	res, err := repo.Update(ctx, "x", aggregate.Meta{}, func(*decidedTally, uint64) ([]aggregate.Change, error) {
		return []aggregate.Change{{Type: "tally.added", Data: 7}, {Type: "tally.added", Data: 8}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := aggregate.StateOf[*decidedTally](res); !ok || !slices.Equal(s.Items, []int{7, 8}) {
		t.Fatalf("result state %v (%v), want [7 8]", s, ok)
	}
	if decided != 2 {
		t.Fatalf("%d events applied from their decided payloads, want the command's 2", decided)
	}
	if got, _, _, _ := repo.Find(ctx, "x"); !slices.Equal(got.Items, []int{7, 8}) {
		t.Fatalf("the aggregate as memory holds it: %v, want [7 8]", got.Items)
	}
}

// TestACommandNeverWaitsForAnotherAggregatesCommand: while one command is
// held in its decide, commands on 300 other aggregates all complete. (With
// locks shared by several aggregates, as 256 hashed stripes were, one of
// the 300 shares the held one's lock and waits behind it.)
func TestACommandNeverWaitsForAnotherAggregatesCommand(t *testing.T) {
	repo := process(t, eventstore.NewMemory())
	entered, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		_, err := repo.Update(context.Background(), "held", aggregate.Meta{}, func(*tally, uint64) ([]aggregate.Change, error) {
			close(entered)
			<-release
			return []aggregate.Change{{Type: "tally.added", Data: 0}}, nil
		})
		held <- err
	}()
	<-entered
	others := make(chan error, 1)
	go func() {
		for i := range 300 {
			if _, err := repo.Update(context.Background(), fmt.Sprintf("other-%d", i), aggregate.Meta{}, add(i)); err != nil {
				others <- fmt.Errorf("aggregate other-%d: %w", i, err)
				return
			}
		}
		others <- nil
	}()
	select {
	case err := <-others:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second): // not a timing: a deadlock left alone never ends
		close(release)
		t.Fatal("commands on other aggregates still waiting after 60 s behind one held in its decide")
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatalf("the held command: %v", err)
	}
}

// Peek sees what Find copies: the same state and version for an aggregate
// in memory or read from its stream, and no aggregate for one never written.
func TestPeekSeesWhatFindCopies(t *testing.T) {
	store := eventstore.NewMemory()
	writer, reader := process(t, store), process(t, store)
	ctx := context.Background()
	for i := range 3 {
		if _, err := writer.Update(ctx, "x", aggregate.Meta{}, add(i)); err != nil {
			t.Fatal(err)
		}
	}
	// The reader never used x: it reads it from its stream.
	for name, repo := range map[string]*aggregate.Repository[*tally]{"in memory": writer, "read from its stream": reader} {
		var items []int
		var version uint64
		var exists bool
		if err := repo.Peek(ctx, "x", func(s *tally, v uint64, ok bool) { items, version, exists = slices.Clone(s.Items), v, ok }); err != nil {
			t.Fatal(err)
		}
		found, v, ok, err := repo.Find(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		if !exists || !ok || version != v || version != 3 || !slices.Equal(items, found.Items) || !slices.Equal(items, []int{0, 1, 2}) {
			t.Errorf("%s: peek %v at %d (%v), find %v at %d (%v); want [0 1 2] at 3", name, items, version, exists, found.Items, v, ok)
		}
	}
	if err := writer.Peek(ctx, "never", func(_ *tally, v uint64, ok bool) {
		if ok || v != 0 {
			t.Errorf("an aggregate never written: exists %v at %d", ok, v)
		}
	}); err != nil {
		t.Fatal(err)
	}
}

// behind is a store whose first reads of a stream answer as a cluster's
// replica a little behind does: with nothing yet.
type behind struct {
	eventstore.Store
	mu    sync.Mutex
	stale map[string]int // stream -> reads still to answer with nothing
}

func (b *behind) Load(ctx context.Context, stream string) ([]eventstore.Event, error) {
	b.mu.Lock()
	n := b.stale[stream]
	if n > 0 {
		b.stale[stream] = n - 1
	}
	b.mu.Unlock()
	if n > 0 {
		return nil, nil
	}
	return b.Store.Load(ctx, stream)
}

// TestARetryOnAnotherProcessSeesTheFirstAttemptsAggregate: the same command
// sent to two processes, the second choosing another aggregate id (as a
// retried open does), is answered with the first attempt's aggregate; read
// back on the second process it exists with what the first wrote, even
// when the first reads of its stream answer with nothing (a replica behind).
func TestARetryOnAnotherProcessSeesTheFirstAttemptsAggregate(t *testing.T) {
	mem := eventstore.NewMemory()
	store := &behind{Store: mem, stale: map[string]int{"tally.first": 2}}
	newRepo := func(s eventstore.Store) *aggregate.Repository[*tally] {
		feed := aggregate.NewFeed(s, nil)
		repo := aggregate.NewRepository("tally", s, feed, time.Now, func(string) *tally { return &tally{} })
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go func() { _ = feed.Run(ctx) }()
		return repo
	}
	a, b := newRepo(mem), newRepo(store)
	ctx := context.Background()
	m := aggregate.Meta{CommandID: "open-1", RequestHash: "h"}
	first, err := a.Update(ctx, "first", m, add(7))
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.Update(ctx, "second", m, add(7))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Duplicate || again.Stream != first.Stream || again.Seq != first.Seq {
		t.Fatalf("the retry: %+v, want the first attempt's answer %+v as a duplicate", again, first)
	}
	s, _, ok, err := b.Find(ctx, "first")
	if err != nil || !ok || !slices.Equal(s.Items, []int{7}) {
		t.Fatalf("the first attempt's aggregate read on the other process: %v, exists %v, err %v; want [7]", s, ok, err)
	}
}

// TestAnIDNoStreamCanHaveDoesNotExist: an id that cannot name a stream
// ("", a space, an empty token, a wildcard) is an aggregate that does not
// exist, not a failed read; on JetStream the read itself is refused, which
// made a command naming such an id (an assessor_id left out) a 503. A
// wildcard never reads the aggregates it would match.
func TestAnIDNoStreamCanHaveDoesNotExist(t *testing.T) {
	for name, store := range map[string]eventstore.Store{"memory": eventstore.NewMemory(), "JetStream": natstest.Start(t).EventStore(t)} {
		repo := process(t, store)
		ctx := context.Background()
		for _, id := range []string{"x", "y"} {
			if _, err := repo.Update(ctx, id, aggregate.Meta{}, add(1)); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []string{"", "a b", "a..b", "*", ">", "x.>", "a.", "é"} {
			if _, v, ok, err := repo.Find(ctx, id); err != nil || ok || v != 0 {
				t.Errorf("%s: find %q: exists %v at %d, %v; want no such aggregate", name, id, ok, v, err)
			}
			if err := repo.Peek(ctx, id, func(_ *tally, v uint64, ok bool) {
				if ok || v != 0 {
					t.Errorf("%s: peek %q: exists %v at %d", name, id, ok, v)
				}
			}); err != nil {
				t.Errorf("%s: peek %q: %v", name, id, err)
			}
		}
	}
}

// TestCatchUpWithBringsAnAggregateToTheStoresHead: a process whose feed
// is behind another's write holds the aggregate as it was (a command
// would decide on that, and learn of the write only when its append is
// refused); CatchUpWith waits until it has applied the stream as the store
// holds it, and Find then has the write. An id no stream can have is
// caught up with at once.
func TestCatchUpWithBringsAnAggregateToTheStoresHead(t *testing.T) {
	store := natstest.Start(t).EventStore(t)
	a := process(t, store)
	gate := eventstoretest.NewGate(store)
	feed := aggregate.NewFeed(gate, nil)
	b := aggregate.NewRepository("tally", store, feed, time.Now, func(string) *tally { return &tally{} })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = feed.Run(ctx) }()

	if _, err := b.Update(ctx, "x", aggregate.Meta{}, add(1)); err != nil {
		t.Fatal(err)
	}
	gate.Hold()
	if _, err := a.Update(ctx, "x", aggregate.Meta{}, add(2)); err != nil {
		t.Fatal(err)
	}
	if s, _, _, err := b.Find(ctx, "x"); err != nil || !slices.Equal(s.Items, []int{1}) {
		t.Fatalf("b behind a's write: %v, %v; want [1], as it was", s, err)
	}
	time.AfterFunc(200*time.Millisecond, gate.Release)
	if err := b.CatchUpWith(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if s, v, _, err := b.Find(ctx, "x"); err != nil || !slices.Equal(s.Items, []int{1, 2}) || v != 2 {
		t.Fatalf("b caught up with x: %v at %d, %v; want [1 2] at 2", s, v, err)
	}
	if err := b.CatchUpWith(ctx, "a b"); err != nil {
		t.Fatalf("an id no stream can have: %v", err)
	}
}
