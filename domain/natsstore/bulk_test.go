package natsstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// A bulk writer stores every commit where it predicted, in the order
// given, more of them than it keeps in flight, and each stream then reads
// back as it was chained; another writer's commit in between makes the
// next commit of its stream fail, and Flush says so.
func TestBulkWriterStoresInOrderAndNoticesAnotherWriter(t *testing.T) {
	ctx := context.Background()
	es := natstest.Start(t).EventStore(t)
	bulk, err := es.Bulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	streams := []string{"accreditation.a", "accreditation.b", "accounts.user.c"}
	heads := map[string]eventstore.Head{}
	written := map[string][]eventstore.Event{}
	at := time.Date(2025, 1, 2, 3, 4, 5, 600, time.UTC)
	const commits = 5000 // past the writer's window of acknowledgements
	for i := range commits {
		stream := streams[i%len(streams)]
		var events []eventstore.Event
		for j := range 1 + i%2 {
			events = append(events, eventstore.Event{ID: fmt.Sprintf("e%d-%d", i, j), Type: "test.happened", SchemaVersion: 1,
				OccurredAt: at.Add(time.Duration(i) * time.Second), Actor: domain.Actor{ID: "u1", Role: domain.RoleOffice},
				CorrelationID: fmt.Sprintf("c%d", i), Data: json.RawMessage(fmt.Sprintf(`{"n":%d,"name":"Zsófia <%d>"}`, i, j))})
		}
		chained, err := eventstore.Chain(stream, heads[stream], events)
		if err != nil {
			t.Fatal(err)
		}
		h, err := bulk.Append(ctx, stream, chained)
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		if h.Seq != uint64(i+1) || h.Hash != chained[len(chained)-1].Hash {
			t.Fatalf("append %d: head %+v, want seq %d and the last event's hash", i, h, i+1)
		}
		heads[stream] = h
		written[stream] = append(written[stream], chained...)
	}
	if err := bulk.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if bulk.Position() != commits {
		t.Fatalf("position %d, want %d", bulk.Position(), commits)
	}
	for _, stream := range streams {
		head, err := es.Head(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		if head != heads[stream] {
			t.Fatalf("%s: stored head %+v, the writer said %+v", stream, head, heads[stream])
		}
		got, err := es.Load(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(written[stream]) {
			t.Fatalf("%s: %d events stored, %d written", stream, len(got), len(written[stream]))
		}
		for i, e := range got {
			w := written[stream][i]
			e.Seq = 0
			if !e.OccurredAt.Equal(w.OccurredAt) || !sameJSON(t, e.Data, w.Data) {
				t.Fatalf("%s event %d: stored %+v, written %+v", stream, i, e, w)
			}
			e.OccurredAt, w.OccurredAt, e.Data, w.Data = time.Time{}, time.Time{}, nil, nil
			if !reflect.DeepEqual(e, w) {
				t.Fatalf("%s event %d: stored %+v, written %+v", stream, i, e, w)
			}
			if h, err := eventstore.ComputeHash(got[i]); err != nil || h != got[i].Hash {
				t.Fatalf("%s event %d: stored hash %s, computed %s (%v)", stream, i, got[i].Hash, h, err)
			}
		}
	}

	// Another writer appends to stream a; the bulk writer's next commit of
	// a expected its own last one.
	other, err := eventstore.Chain(streams[0], heads[streams[0]], []eventstore.Event{{ID: "x1", Type: "test.happened", SchemaVersion: 1,
		OccurredAt: at, Actor: domain.System, Data: json.RawMessage(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := es.Append(ctx, eventstore.AppendRequest{Stream: streams[0], Expected: heads[streams[0]], Events: other}); err != nil {
		t.Fatal(err)
	}
	next, err := eventstore.Chain(streams[0], heads[streams[0]], []eventstore.Event{{ID: "x2", Type: "test.happened", SchemaVersion: 1,
		OccurredAt: at, Actor: domain.System, Data: json.RawMessage(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bulk.Append(ctx, streams[0], next); err != nil {
		t.Fatal(err)
	}
	if err := bulk.Flush(ctx); err == nil || !strings.Contains(err.Error(), "another writer") {
		t.Fatalf("flush after another writer's commit: %v, want it to name another writer", err)
	}
	if got, err := es.Load(ctx, streams[0]); err != nil || got[len(got)-1].ID != "x1" {
		t.Fatalf("stream a ends with %s (%v), want the other writer's x1 and nothing after it", got[len(got)-1].ID, err)
	}
}

// sameJSON: a and b say the same (the store writes <, > and & escaped).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}
