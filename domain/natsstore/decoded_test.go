package natsstore_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// Subscribers of one store share decoded commits (the store keeps the last
// ones it decoded): each still gets every commit, in order, equal to the
// commit read back on its own by a direct get, whether it runs beside
// another subscriber (sharing) or long after it (its slots reused by later
// commits).
func TestSubscribersShareDecodedCommitsFaithfully(t *testing.T) {
	es := natstest.Start(t).EventStore(t)
	ctx := context.Background()
	const n = 1500 // more than the commits kept, so that slots are reused
	bulk, err := es.Bulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heads := map[string]eventstore.Head{}
	for i := range n - 2 {
		stream := fmt.Sprintf("t.s%d", i%3)
		events, err := eventstore.Chain(stream, heads[stream], []eventstore.Event{
			eventstoretest.NewEvent("t.happened", map[string]any{"i": i}), eventstoretest.NewEvent("t.too", nil)}[:1+i%2])
		if err != nil {
			t.Fatal(err)
		}
		if heads[stream], err = bulk.Append(ctx, stream, events); err != nil {
			t.Fatal(err)
		}
	}
	if err := bulk.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // commands with an id bound to a request
		head, _ := es.Head(ctx, "t.cmd")
		if _, err := es.Append(ctx, eventstore.AppendRequest{Stream: "t.cmd", Expected: head, CommandID: fmt.Sprintf("c%d", i),
			RequestHash: fmt.Sprintf("h%d", i), Events: []eventstore.Event{eventstoretest.NewEvent("t.commanded", nil)}}); err != nil {
			t.Fatal(err)
		}
	}

	want := make([]eventstore.Commit, n)
	for seq := uint64(1); seq <= n; seq++ {
		c, err := es.Get(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		want[seq-1] = c
	}
	check := func(name string, got []eventstore.Commit) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("%s: %d commits, want %d", name, len(got), n)
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%s: commit %d\n got %+v\nwant %+v", name, i+1, got[i], want[i])
			}
		}
	}
	subscribe := func(deferred bool) []eventstore.Commit {
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var got []eventstore.Commit
		take := func(c eventstore.Commit) error {
			got = append(got, c)
			if len(got) == n {
				cancel()
			}
			return nil
		}
		if deferred {
			_ = es.SubscribeDeferred(sctx, 0, func(d eventstore.Deferred) error { return take(d.Decode()) })
		} else {
			_ = es.Subscribe(sctx, 0, take)
		}
		return got
	}

	var wg sync.WaitGroup
	var side, deferred []eventstore.Commit
	wg.Go(func() { side = subscribe(false) })
	wg.Go(func() { deferred = subscribe(true) })
	wg.Wait()
	check("beside another", side)
	check("deferred, beside another", deferred)
	check("after the others", subscribe(false))
}
