package natsstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// Group commit (groupcommit.go): appends that queue while the committer is
// busy go out as one atomic batch. natsstore.HoldGroupCommit makes them
// queue, so that these tests know which appends share a batch.

func gcCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// gcRequest is an append of k events to stream "gc.<i>" at expected.
func gcRequest(i, k int, expected eventstore.Head) eventstore.AppendRequest {
	evs := make([]eventstore.Event, k)
	for j := range evs {
		evs[j] = eventstoretest.NewEvent("t.gc", map[string]int{"i": i, "j": j})
	}
	return eventstore.AppendRequest{Stream: fmt.Sprintf("gc.%d", i), Expected: expected,
		CommandID: "cmd-" + ulid.Make().String(), RequestHash: "h", Events: evs}
}

// batchOf appends reqs concurrently while the committer is held, so that
// they queue, then lets it send them; it returns each append's answer.
func batchOf(t *testing.T, s *natsstore.EventStore, reqs []eventstore.AppendRequest) ([]eventstore.Result, []error) {
	t.Helper()
	release := natsstore.HoldGroupCommit(t, s)
	results, errs := make([]eventstore.Result, len(reqs)), make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() { results[i], errs[i] = s.Append(gcCtx(t), req) })
	}
	release(len(reqs))
	wg.Wait()
	return results, errs
}

// landed checks that the commit of req is stored where r says, whole, and
// is its stream's head.
func landed(t *testing.T, s *natsstore.EventStore, req eventstore.AppendRequest, r eventstore.Result) {
	t.Helper()
	c, err := s.Get(gcCtx(t), r.Head.Seq)
	if err != nil {
		t.Fatalf("%s: get %d: %v", req.Stream, r.Head.Seq, err)
	}
	if c.Stream != req.Stream || len(c.Events) != len(req.Events) {
		t.Fatalf("%s: told %d, which holds %d events of %s", req.Stream, r.Head.Seq, len(c.Events), c.Stream)
	}
	for j, e := range c.Events {
		if e.ID != req.Events[j].ID || e.Version != req.Expected.Version+uint64(j)+1 {
			t.Fatalf("%s: event %d at %d is %s version %d", req.Stream, j, r.Head.Seq, e.ID, e.Version)
		}
	}
	if head, err := s.Head(gcCtx(t), req.Stream); err != nil || head != r.Head {
		t.Fatalf("%s: head %+v, %v; the append was told %+v", req.Stream, head, err, r.Head)
	}
}

func TestGroupCommitLandsEachAppendWhereItWasTold(t *testing.T) {
	srv := natstest.Start(t)
	s := srv.EventStore(t)
	const n = 32
	// Half the streams exist, so that their appends expect a sequence
	// other than 0; some appends carry several events (one message each).
	heads := make([]eventstore.Head, n)
	for i := 0; i < n; i += 2 {
		heads[i] = eventstoretest.MustAppend(t, s, gcRequest(i, 1, eventstore.Head{})).Head
	}
	reqs := make([]eventstore.AppendRequest, n)
	for i := range reqs {
		reqs[i] = gcRequest(i, 1+i%3, heads[i])
	}
	results, errs := batchOf(t, s, reqs)
	for i := range reqs {
		if errs[i] != nil {
			t.Fatalf("append %d: %v", i, errs[i])
		}
		if results[i].Duplicate || results[i].Stream != reqs[i].Stream {
			t.Fatalf("append %d: %+v", i, results[i])
		}
		landed(t, s, reqs[i], results[i])
	}
	if b, c, r := natsstore.GroupCommitStats(t, s); b != 1 || c != n || r != 0 {
		t.Fatalf("%d batches of %d commits, %d refused; want one of %d", b, c, r, n)
	}
	// A restart recovers the batch as stored (the server looks at a last
	// message with batch headers when it starts).
	srv.Restart(t)
	s = srv.EventStore(t)
	for i := range reqs {
		landed(t, s, reqs[i], results[i])
	}
	eventstoretest.MustAppend(t, s, gcRequest(0, 1, results[0].Head))
}

// TestGroupCommitUnderLoad: 32 writers, each on its own stream, append one
// after the other without a hold; whatever batches form, every append lands
// where it was told and each stream holds its writer's commits in order.
func TestGroupCommitUnderLoad(t *testing.T) {
	s := natstest.Start(t).EventStore(t)
	const writers, appends = 32, 15
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			var head eventstore.Head
			for range appends {
				req := gcRequest(w, 1, head)
				r, err := s.Append(gcCtx(t), req)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				landed(t, s, req, r)
				head = r.Head
			}
		})
	}
	wg.Wait()
	for w := range writers {
		evs, err := s.Load(gcCtx(t), fmt.Sprintf("gc.%d", w))
		if err != nil || len(evs) != appends {
			t.Fatalf("writer %d: %d events, %v", w, len(evs), err)
		}
	}
	b, c, r := natsstore.GroupCommitStats(t, s)
	t.Logf("%d batches carried %d of %d commits; %d refused", b, c, writers*appends, r)
}

func TestGroupCommitStaleAppendFailsAlone(t *testing.T) {
	s := natstest.Start(t).EventStore(t)
	const n, stale = 16, 5
	heads := make([]eventstore.Head, n)
	for i := range heads {
		heads[i] = eventstoretest.MustAppend(t, s, gcRequest(i, 1, eventstore.Head{})).Head
	}
	// Another process wrote to stream 5 after this one decided.
	eventstoretest.MustAppend(t, s, gcRequest(stale, 1, heads[stale]))
	reqs := make([]eventstore.AppendRequest, n)
	for i := range reqs {
		reqs[i] = gcRequest(i, 1, heads[i])
	}
	results, errs := batchOf(t, s, reqs)
	for i := range reqs {
		if i == stale {
			var conflict *eventstore.ConflictError
			if !errors.As(errs[i], &conflict) || conflict.Stream != reqs[i].Stream || conflict.Expected != heads[i] {
				t.Fatalf("stale append: got %+v, %v, want its conflict", results[i], errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("append %d, in a batch with a stale one: %v", i, errs[i])
		}
		landed(t, s, reqs[i], results[i])
	}
	if evs, _ := s.Load(gcCtx(t), reqs[stale].Stream); len(evs) != 2 {
		t.Fatalf("stale stream holds %d events, want 2", len(evs))
	}
	if b, c, r := natsstore.GroupCommitStats(t, s); b != 1 || c != n || r != 1 {
		t.Fatalf("%d batches of %d commits, %d refused; want one of %d, refused", b, c, r, n)
	}
}

// TestGroupCommitDuplicateCommandIsAnsweredAsDuplicate: among concurrent
// appends, the retry of a stored command (fresh and stale expectation) and
// two attempts of one new command on two streams (a retry that chose a new
// case): each command is stored once and its retries answered as
// duplicates of it, while the other appends land.
func TestGroupCommitDuplicateCommandIsAnsweredAsDuplicate(t *testing.T) {
	s := natstest.Start(t).EventStore(t)
	const n = 12
	heads := make([]eventstore.Head, n)
	for i := range heads {
		heads[i] = eventstoretest.MustAppend(t, s, gcRequest(i, 1, eventstore.Head{})).Head
	}
	stored := gcRequest(100, 1, eventstore.Head{})
	first := eventstoretest.MustAppend(t, s, stored)
	reqs := make([]eventstore.AppendRequest, n)
	for i := range reqs {
		reqs[i] = gcRequest(i, 1, heads[i])
	}
	retry := stored
	retry.Events = []eventstore.Event{eventstoretest.NewEvent("t.gc", nil)}
	staleRetry := retry
	staleRetry.Stream = "gc.101" // a retry that chose a new stream
	again := gcRequest(102, 1, eventstore.Head{})
	againElsewhere := again
	againElsewhere.Stream = "gc.103"
	againElsewhere.Events = []eventstore.Event{eventstoretest.NewEvent("t.gc", nil)}
	reqs = append(reqs, retry, staleRetry, again, againElsewhere)
	results, errs := batchOf(t, s, reqs)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("append %d: %v", i, errs[i])
		}
		landed(t, s, reqs[i], results[i])
	}
	for _, i := range []int{n, n + 1} {
		if errs[i] != nil || !results[i].Duplicate || results[i].Head != first.Head || results[i].Stream != stored.Stream {
			t.Fatalf("retry of a stored command: got %+v, %v, want a duplicate of %+v", results[i], errs[i], first)
		}
	}
	a, b := results[n+2], results[n+3]
	if errs[n+2] != nil || errs[n+3] != nil || a.Duplicate == b.Duplicate || a.Head != b.Head {
		t.Fatalf("one command twice at once: got %+v, %v and %+v, %v; want one stored, one its duplicate", a, errs[n+2], b, errs[n+3])
	}
	winner := reqs[n+2]
	if a.Duplicate {
		winner = reqs[n+3]
	}
	if a.Stream != winner.Stream || b.Stream != winner.Stream {
		t.Fatalf("both answers should name stream %s: %s, %s", winner.Stream, a.Stream, b.Stream)
	}
	landed(t, s, winner, a)
	for _, stream := range []string{"gc.100", "gc.101", "gc.102", "gc.103"} {
		evs, err := s.Load(gcCtx(t), stream)
		want := 0
		if stream == "gc.100" || stream == winner.Stream {
			want = 1
		}
		if err != nil || len(evs) != want {
			t.Fatalf("%s holds %d events, %v; want %d", stream, len(evs), err, want)
		}
	}
}

// TestGroupCommitRefusedBatchFailsOnlyWhatMust: batches the server refuses
// for reasons other than a stale expectation or a duplicate: the stream's
// limit lowered under the store (the one commit over it fails as too large,
// the others land), and atomic publish turned off under the store (all
// land, one by one).
func TestGroupCommitRefusedBatchFailsOnlyWhatMust(t *testing.T) {
	srv := natstest.Start(t)
	s := srv.EventStore(t)
	js := s.JetStream()
	update := func(edit func(*jetstream.StreamConfig)) {
		st, err := js.Stream(gcCtx(t), natsstore.EventsStream)
		if err != nil {
			t.Fatal(err)
		}
		cfg := st.CachedInfo().Config
		edit(&cfg)
		if _, err := js.UpdateStream(gcCtx(t), cfg); err != nil {
			t.Fatal(err)
		}
	}
	update(func(c *jetstream.StreamConfig) { c.MaxMsgSize = 8 << 10 })
	const n, big = 8, 3
	reqs := make([]eventstore.AppendRequest, n)
	for i := range reqs {
		reqs[i] = gcRequest(i, 1, eventstore.Head{})
	}
	reqs[big].Events = []eventstore.Event{eventstoretest.NewEvent("t.gc", map[string]string{"pad": string(make([]byte, 9<<10))})}
	results, errs := batchOf(t, s, reqs)
	for i := range reqs {
		if i == big {
			if !errors.Is(errs[i], eventstore.ErrTooLarge) {
				t.Fatalf("commit over the stream's new limit: got %+v, %v, want ErrTooLarge", results[i], errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("append %d, in a batch with one too large: %v", i, errs[i])
		}
		landed(t, s, reqs[i], results[i])
	}

	update(func(c *jetstream.StreamConfig) { c.AllowAtomicPublish = false })
	for i := range reqs {
		reqs[i] = gcRequest(i, 1, results[i].Head)
	}
	reqs[big].Expected = eventstore.Head{}
	results, errs = batchOf(t, s, reqs)
	for i := range reqs {
		if errs[i] != nil {
			t.Fatalf("append %d, atomic publish turned off: %v", i, errs[i])
		}
		landed(t, s, reqs[i], results[i])
	}
	if b, _, r := natsstore.GroupCommitStats(t, s); b != 2 || r != 2 {
		t.Fatalf("%d batches, %d refused; want 2 and 2", b, r)
	}
}

// TestOpenTurnsOnAtomicPublishOnAnExistingStore: a data directory whose
// events stream was created before group commit (no atomic publish) is
// updated on open, keeps its commits, and takes batches.
func TestOpenTurnsOnAtomicPublishOnAnExistingStore(t *testing.T) {
	srv := natstest.Start(t)
	s := srv.EventStore(t)
	old := eventstoretest.MustAppend(t, s, gcRequest(0, 2, eventstore.Head{}))
	st, err := s.JetStream().Stream(gcCtx(t), natsstore.EventsStream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	cfg.AllowAtomicPublish = false
	if _, err := s.JetStream().UpdateStream(gcCtx(t), cfg); err != nil {
		t.Fatal(err)
	}
	srv.Restart(t)
	js, err := jetstream.New(srv.Conn)
	if err != nil {
		t.Fatal(err)
	}
	before, err := js.Stream(gcCtx(t), natsstore.EventsStream)
	if err != nil || before.CachedInfo().Config.AllowAtomicPublish {
		t.Fatalf("the old stream: %v, allows atomic publish already", err)
	}
	s = srv.EventStore(t)
	after, err := s.JetStream().Stream(gcCtx(t), natsstore.EventsStream)
	if err != nil || !after.CachedInfo().Config.AllowAtomicPublish {
		t.Fatalf("after open: %v; atomic publish not allowed", err)
	}
	reqs := []eventstore.AppendRequest{gcRequest(0, 1, old.Head), gcRequest(1, 1, eventstore.Head{}), gcRequest(2, 3, eventstore.Head{})}
	results, errs := batchOf(t, s, reqs)
	for i := range reqs {
		if errs[i] != nil {
			t.Fatalf("append %d: %v", i, errs[i])
		}
		landed(t, s, reqs[i], results[i])
	}
	if b, c, r := natsstore.GroupCommitStats(t, s); b != 1 || c != 3 || r != 0 {
		t.Fatalf("%d batches of %d commits, %d refused; want one of 3", b, c, r)
	}
	if evs, err := s.Load(gcCtx(t), "gc.0"); err != nil || len(evs) != 3 {
		t.Fatalf("gc.0: %d events, %v; want the 2 from before and 1", len(evs), err)
	}
}

// TestBackupOfBatchedCommitsRestores: a batch's messages are stored with
// JetStream's batch headers; a restore republishes them one by one, which
// the server would take for a batch were they kept.
func TestBackupOfBatchedCommitsRestores(t *testing.T) {
	from, err := natsstore.OpenEmbedded(natsstore.EmbeddedConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close(time.Second)
	s, err := from.OpenEventStore(gcCtx(t), natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	reqs := make([]eventstore.AppendRequest, n)
	for i := range reqs {
		reqs[i] = gcRequest(i, 1+i%2, eventstore.Head{})
	}
	results, errs := batchOf(t, s, reqs)
	for i := range reqs {
		if errs[i] != nil {
			t.Fatalf("append %d: %v", i, errs[i])
		}
	}
	path := filepath.Join(t.TempDir(), "backup.jsonl.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := natsstore.Backup(gcCtx(t), from, f, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := natsstore.CheckBackup(path)
	if err != nil {
		t.Fatal(err)
	}
	to, err := natsstore.OpenEmbedded(natsstore.EmbeddedConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer to.Close(time.Second)
	if _, err := natsstore.Restore(gcCtx(t), to, b, 0); err != nil {
		t.Fatalf("restore: %v", err)
	}
	restored, err := to.OpenEventStore(gcCtx(t), natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range reqs {
		landed(t, restored, reqs[i], results[i])
	}
}
