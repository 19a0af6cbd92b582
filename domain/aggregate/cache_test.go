package aggregate_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// onJetStream opens the event store of srv on a connection of its own: as
// far as JetStream can tell, another process.
func onJetStream(t *testing.T, srv *natstest.Server) eventstore.Store {
	t.Helper()
	nc, err := srv.Embedded.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	es, err := natsstore.OpenEventStore(context.Background(), nc, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// cachedProcess is a feed and a tally repository keeping at most size
// aggregates in memory, its feed running until the test ends.
func cachedProcess(t *testing.T, store eventstore.Store, size int) (*aggregate.Feed, *aggregate.Repository[*tally]) {
	t.Helper()
	feed := aggregate.NewFeed(store, nil)
	feed.CacheSize(size)
	repo := aggregate.NewRepository("tally", store, feed, time.Now, func(string) *tally { return &tally{} })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = feed.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return feed, repo
}

func find(t *testing.T, repo *aggregate.Repository[*tally], id string) ([]int, uint64) {
	t.Helper()
	s, v, ok, err := repo.Find(context.Background(), id)
	if err != nil || !ok {
		t.Fatalf("find %s: got %v, %v", id, ok, err)
	}
	return s.Items, v
}

func catchUp(t *testing.T, feed *aggregate.Feed) {
	t.Helper()
	if err := feed.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// An aggregate read from its stream equals the one kept current in memory
// by the feed, commit by commit, at the same version.
func TestAnAggregateReadOnDemandEqualsTheOneTheFeedKept(t *testing.T) {
	srv := natstest.Start(t)
	feed, kept := cachedProcess(t, onJetStream(t, srv), 100)
	ctx := context.Background()
	ids := []string{"a", "b", "c", "d"}
	for i := range 40 {
		id := ids[i%len(ids)]
		if _, err := kept.Update(ctx, id, aggregate.Meta{}, add(i)); err != nil {
			t.Fatal(err)
		}
	}
	catchUp(t, feed)
	if kept.Loads() != len(ids) {
		t.Fatalf("the process that wrote read %d aggregates from the store, want %d (each once, then kept by the feed)", kept.Loads(), len(ids))
	}
	_, fresh := cachedProcess(t, onJetStream(t, srv), 100)
	for _, id := range ids {
		want, wantV := find(t, kept, id)
		got, gotV := find(t, fresh, id)
		if !reflect.DeepEqual(got, want) || gotV != wantV || gotV != 10 {
			t.Fatalf("%s read from its stream: %v at version %d; kept by the feed: %v at version %d (want 10)", id, got, gotV, want, wantV)
		}
	}
	if _, _, ok, err := fresh.Find(ctx, "never-written"); ok || err != nil {
		t.Fatalf("an aggregate never written: got %v, %v; want unknown", ok, err)
	}
}

// The cache never holds more than its size, however many aggregates are
// used, and an evicted aggregate is read again, whole, when used again.
func TestTheCacheNeverHoldsMoreThanItsSize(t *testing.T) {
	srv := natstest.Start(t)
	const size = 3
	_, repo := cachedProcess(t, onJetStream(t, srv), size)
	ctx := context.Background()
	most := 0
	for i := range 30 {
		id := fmt.Sprintf("agg-%d", i%10)
		if _, err := repo.Update(ctx, id, aggregate.Meta{}, add(i)); err != nil {
			t.Fatal(err)
		}
		most = max(most, repo.Cached())
		if _, _, _, err := repo.Find(ctx, fmt.Sprintf("agg-%d", (i+5)%10)); err != nil { // written or not yet
			t.Fatal(err)
		}
		most = max(most, repo.Cached())
	}
	if most != size {
		t.Fatalf("most aggregates in memory at once: %d, want the cache size %d", most, size)
	}
	for i := range 10 {
		got, v := find(t, repo, fmt.Sprintf("agg-%d", i))
		if want := []int{i, i + 10, i + 20}; !reflect.DeepEqual(got, want) || v != 3 {
			t.Fatalf("agg-%d after evictions: %v at version %d, want %v at 3", i, got, v, want)
		}
	}
}

// Another process writes to an aggregate this one has in memory and to one
// it has not: both writes are seen, and a command here after an eviction
// decides on the state with the other's write, without a conflict.
func TestAnotherProcesssWritesAreSeenCachedOrNot(t *testing.T) {
	srv := natstest.Start(t)
	feed, here := cachedProcess(t, onJetStream(t, srv), 2)
	_, there := cachedProcess(t, onJetStream(t, srv), 2)
	ctx := context.Background()
	for _, id := range []string{"cold", "hot"} { // "hot" is used last: "cold" is evicted below
		if _, err := here.Update(ctx, id, aggregate.Meta{}, add(1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := here.Update(ctx, "third", aggregate.Meta{}, add(1)); err != nil { // evicts "cold"
		t.Fatal(err)
	}
	for _, id := range []string{"cold", "hot"} {
		if _, err := there.Update(ctx, id, aggregate.Meta{}, add(2)); err != nil {
			t.Fatal(err)
		}
	}
	catchUp(t, feed)
	for _, id := range []string{"cold", "hot"} {
		if got, v := find(t, here, id); !reflect.DeepEqual(got, []int{1, 2}) || v != 2 {
			t.Fatalf("%s after the other process wrote: %v at version %d, want [1 2] at 2", id, got, v)
		}
	}
	if _, err := here.Update(ctx, "fourth", aggregate.Meta{}, add(1)); err != nil { // evicts one again
		t.Fatal(err)
	}
	if _, err := there.Update(ctx, "cold", aggregate.Meta{}, add(3)); err != nil {
		t.Fatal(err)
	}
	var decidedOn []int
	res, err := here.Update(ctx, "cold", aggregate.Meta{}, func(s *tally, _ uint64) ([]aggregate.Change, error) {
		decidedOn = slices.Clone(s.Items)
		return add(4)(s, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(decidedOn, []int{1, 2, 3}) || res.Version != 4 {
		t.Fatalf("a command here after the other's write: decided on %v, wrote version %d; want [1 2 3] and 4", decidedOn, res.Version)
	}
}

// Two processes, each keeping one aggregate in memory, write many: no
// update is lost, as the store refuses a decision on a stale state.
func TestTwoProcessesWithSmallCachesNeverLoseAnUpdate(t *testing.T) {
	srv := natstest.Start(t)
	feedA, a := cachedProcess(t, onJetStream(t, srv), 1)
	_, b := cachedProcess(t, onJetStream(t, srv), 1)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			repo := []*aggregate.Repository[*tally]{a, b}[i%2]
			if _, err := repo.Update(ctx, []string{"x", "y", "z"}[i%3], aggregate.Meta{}, add(i)); err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	// a reads what its memory holds, which its feed keeps current: b's last
	// writes reach it a moment after b is answered (CI once read x at
	// version 19, b's write of 33 not yet there).
	catchUp(t, feedA)
	for k, id := range []string{"x", "y", "z"} {
		got, v := find(t, a, id)
		slices.Sort(got)
		var want []int
		for i := k; i < 60; i += 3 {
			want = append(want, i)
		}
		if !reflect.DeepEqual(got, want) || v != 20 {
			t.Fatalf("%s: %v at version %d, want %v at 20", id, got, v, want)
		}
	}
}

// slowLoad reads a stream, then waits until released before it answers:
// the time in which a commit can arrive while an aggregate is being read.
type slowLoad struct {
	eventstore.Store
	read, release chan struct{}
	once          sync.Once // only the first read waits
}

func (s *slowLoad) Load(ctx context.Context, stream string) ([]eventstore.Event, error) {
	events, err := s.Store.Load(ctx, stream)
	s.once.Do(func() {
		close(s.read)
		<-s.release
	})
	return events, err
}

// A commit the feed brings while the aggregate is read from the store,
// after the read saw the stream, is applied once the read is done: it is
// not lost between what the store gave and what the feed brings.
func TestACommitArrivingWhileAnAggregateIsReadIsNotLost(t *testing.T) {
	srv := natstest.Start(t)
	ctx := context.Background()
	_, other := cachedProcess(t, onJetStream(t, srv), 10)
	if _, err := other.Update(ctx, "x", aggregate.Meta{}, add(1)); err != nil {
		t.Fatal(err)
	}
	slow := &slowLoad{Store: onJetStream(t, srv), read: make(chan struct{}), release: make(chan struct{})}
	feed, here := cachedProcess(t, slow, 10)
	catchUp(t, feed)
	type found struct {
		items []int
		v     uint64
	}
	done := make(chan found)
	go func() {
		s, v, _, err := here.Find(ctx, "x")
		if err != nil {
			t.Error(err)
		}
		done <- found{s.Items, v}
	}()
	<-slow.read // the read has seen [1]
	res, err := other.Update(ctx, "x", aggregate.Meta{}, add(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := feed.WaitFor(ctx, res.Seq); err != nil { // the feed brought [2] while the read was out
		t.Fatal(err)
	}
	close(slow.release)
	<-done
	if got, v := find(t, here, "x"); !reflect.DeepEqual(got, []int{1, 2}) || v != 2 {
		t.Fatalf("x read while a commit arrived: %v at version %d, want [1 2] at 2", got, v)
	}
}

// A command gives the cache the state it made (the feed then finds its
// commit applied): with another process writing the same aggregates in
// between, the kept state still equals the one read from the stream, the
// state a command answered with is not changed by the commits the feed
// applies after it, and the cache did take the commands' states.
func TestTheCacheTakesACommandsStateAndStillEqualsTheStream(t *testing.T) {
	srv := natstest.Start(t)
	feedA, a := cachedProcess(t, onJetStream(t, srv), 100)
	feedB, b := cachedProcess(t, onJetStream(t, srv), 100)
	ctx := context.Background()
	ids := []string{"a", "b", "c"}
	for i := range 60 {
		id := ids[i%len(ids)]
		if _, err := a.Update(ctx, id, aggregate.Meta{CommandID: fmt.Sprintf("a-%d", i)}, add(i)); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 { // the other process writes the same aggregate
			if _, err := b.Update(ctx, id, aggregate.Meta{CommandID: fmt.Sprintf("b-%d", i)}, add(1000+i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A command's answer, then the other process's writes that the
	// writer's feed applies to the aggregate it kept.
	catchUp(t, feedA)
	res, err := a.Update(ctx, "a", aggregate.Meta{}, add(99))
	if err != nil {
		t.Fatal(err)
	}
	answered, ok := aggregate.StateOf[*tally](res)
	if !ok {
		t.Fatal("a command's result has no state")
	}
	answeredItems := slices.Clone(answered.Items)
	for i := range 3 {
		if _, err := b.Update(ctx, "a", aggregate.Meta{}, add(2000+i)); err != nil {
			t.Fatal(err)
		}
	}
	catchUp(t, feedA)
	catchUp(t, feedB)
	if a.Adopted() == 0 {
		t.Fatal("no command gave the cache its state")
	}
	_, fresh := cachedProcess(t, onJetStream(t, srv), 100)
	for _, id := range ids {
		want, wantV, _, err := fresh.Find(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for name, r := range map[string]*aggregate.Repository[*tally]{"the writer": a, "the other process": b} {
			// The whole state: the numbers and the last one's record.
			if got, gotV, _, err := r.Find(ctx, id); err != nil || !reflect.DeepEqual(got, want) || gotV != wantV {
				t.Fatalf("%s kept %s as %+v at version %d (%v); its stream says %+v at version %d", name, id, got, gotV, err, want, wantV)
			}
		}
	}
	if !reflect.DeepEqual(answered.Items, answeredItems) {
		t.Fatalf("the state a command answered with changed after it: %v, was %v", answered.Items, answeredItems)
	}
}

// counted is a tally that counts the events applied to it from their JSON,
// across its copies.
type counted struct {
	tally
	applied *atomic.Int64
}

func (c *counted) Apply(e eventstore.Event) error {
	c.applied.Add(1)
	return c.tally.Apply(e)
}

func (c *counted) Clone() *counted { return &counted{tally: *c.tally.Clone(), applied: c.applied} }

// feedFirst is a store whose appends return only once the feed has brought
// their commit, as they often do with fsync always; fail makes an append
// that was stored answer an error all the same (a lost acknowledgement).
type feedFirst struct {
	eventstore.Store
	feed *aggregate.Feed
	fail bool
}

func (s *feedFirst) Append(ctx context.Context, req eventstore.AppendRequest) (eventstore.Result, error) {
	res, err := s.Store.Append(ctx, req)
	if err != nil {
		return res, err
	}
	if err := s.feed.WaitFor(ctx, res.Head.Seq); err != nil {
		return res, err
	}
	if s.fail {
		return eventstore.Result{}, errors.New("acknowledgement lost")
	}
	return res, nil
}

// countedProcess is cachedProcess's feed and a repository of counted
// tallies, on a store whose appends return after the feed has their commit.
func countedProcess(t *testing.T, srv *natstest.Server) (*feedFirst, *aggregate.Repository[*counted], *atomic.Int64) {
	t.Helper()
	store := &feedFirst{Store: onJetStream(t, srv)}
	applied := new(atomic.Int64)
	feed := aggregate.NewFeed(store, nil)
	store.feed = feed
	repo := aggregate.NewRepository("tally", store, feed, time.Now, func(string) *counted { return &counted{applied: applied} })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = feed.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return store, repo, applied
}

func addTo(n int) func(*counted, uint64) ([]aggregate.Change, error) {
	return func(*counted, uint64) ([]aggregate.Change, error) {
		return []aggregate.Change{{Type: "tally.added", Data: n}}, nil
	}
}

// A command's commit that the feed brings before the command's append
// returns is not decoded and applied to the cached aggregate: the cache
// takes the state the command made, once. Each command applies its one
// event to its own copy, and nothing else applies it again; the kept
// state still equals the stream's.
func TestACommitTheFeedBringsBeforeItsCommandReturnsIsNotAppliedAgain(t *testing.T) {
	srv := natstest.Start(t)
	_, repo, applied := countedProcess(t, srv)
	ctx := context.Background()
	const commands = 20
	for i := range commands {
		if _, err := repo.Update(ctx, "x", aggregate.Meta{CommandID: fmt.Sprintf("c-%d", i)}, addTo(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := applied.Load(); n != commands {
		t.Fatalf("%d events applied for %d commands of one event each: the feed applied the commands' commits again", n, commands)
	}
	if n := repo.Adopted(); n != commands {
		t.Fatalf("the cache took %d commands' states, want %d", n, commands)
	}
	_, fresh := cachedProcess(t, onJetStream(t, srv), 10)
	want, wantV, _, err := fresh.Find(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	got, gotV, _, err := repo.Find(ctx, "x")
	if err != nil || !reflect.DeepEqual(got.tally, *want) || gotV != wantV {
		t.Fatalf("kept %+v at version %d (%v); the stream says %+v at version %d", got.tally, gotV, err, *want, wantV)
	}
}

// A commit the feed brings while its command's append is out is applied
// when the append fails all the same (stored, its acknowledgement lost):
// the cache does not stay behind the stream.
func TestACommitHeldForItsCommandIsAppliedWhenTheAppendFails(t *testing.T) {
	srv := natstest.Start(t)
	store, repo, _ := countedProcess(t, srv)
	ctx := context.Background()
	if _, err := repo.Update(ctx, "x", aggregate.Meta{}, addTo(1)); err != nil {
		t.Fatal(err)
	}
	store.fail = true
	if _, err := repo.Update(ctx, "x", aggregate.Meta{}, addTo(2)); err == nil {
		t.Fatal("an append that answered an error was taken as done")
	}
	got, v, _, err := repo.Find(ctx, "x")
	if err != nil || !slices.Equal(got.Items, []int{1, 2}) || v != 2 {
		t.Fatalf("x kept as %v at version %d (%v) after its second commit was stored, want [1 2] at 2", got.Items, v, err)
	}
}

// seesAfter is a follower after the repository that reads the aggregate
// of every commit in its Follow, as the rule sets' list of versions does.
type seesAfter struct {
	repo *aggregate.Repository[*counted]
	seen [][]int
}

func (s *seesAfter) Follow(c eventstore.Commit) {
	got, _, ok, err := s.repo.Find(context.Background(), strings.TrimPrefix(c.Stream, "tally."))
	switch {
	case err != nil:
		s.seen = append(s.seen, []int{-1}) // not seen: the test fails on it
	case !ok:
		s.seen = append(s.seen, nil)
	default:
		s.seen = append(s.seen, got.Items)
	}
}

// A follower after the repository that reads the aggregate when the feed
// brings a commit sees that commit, though its command holds it (hold).
func TestAFollowerAfterTheRepositorySeesAHeldCommit(t *testing.T) {
	srv := natstest.Start(t)
	store := &feedFirst{Store: onJetStream(t, srv)}
	applied := new(atomic.Int64)
	feed := aggregate.NewFeed(store, nil)
	store.feed = feed
	repo := aggregate.NewRepository("tally", store, feed, time.Now, func(string) *counted { return &counted{applied: applied} })
	after := &seesAfter{repo: repo}
	feed.Add(after)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = feed.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for i := 1; i <= 3; i++ {
		if _, err := repo.Update(context.Background(), "x", aggregate.Meta{}, addTo(i)); err != nil {
			t.Fatal(err)
		}
	}
	if want := [][]int{{1}, {1, 2}, {1, 2, 3}}; !reflect.DeepEqual(after.seen, want) {
		t.Fatalf("the follower after the repository saw %v, want %v", after.seen, want)
	}
	if got, v, _, err := repo.Find(context.Background(), "x"); err != nil || !slices.Equal(got.Items, []int{1, 2, 3}) || v != 3 {
		t.Fatalf("x kept as %v at version %d (%v), want [1 2 3] at 3", got.Items, v, err)
	}
}
