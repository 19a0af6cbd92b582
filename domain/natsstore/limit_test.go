package natsstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// TestAppendAtTheCommitSizeLimit: the store knows the largest commit the
// stream takes from its configuration and the server's max_payload, takes a
// commit of exactly that size, and refuses one byte more with a
// *TooLargeError before anything is written.
func TestAppendAtTheCommitSizeLimit(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	if es := srv.EventStore(t); es.MaxCommitBytes() != int(srv.Conn.MaxPayload()) {
		t.Fatalf("with no stream limit: max commit %d, want the server's max_payload %d", es.MaxCommitBytes(), srv.Conn.MaxPayload())
	}
	const limit = 8 << 10
	es, err := natsstore.OpenEventStore(ctx, srv.Conn, natsstore.Config{MaxCommitBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	if es.MaxCommitBytes() != limit {
		t.Fatalf("max commit: got %d, want the stream's %d", es.MaxCommitBytes(), limit)
	}
	// Every attempt goes to a new stream of a same-length name, so that
	// only the data's length changes the commit's size.
	n := 0
	appendData := func(size int) (eventstore.Result, error) {
		n++
		data, _ := json.Marshal(strings.Repeat("x", size))
		return es.Append(ctx, eventstore.AppendRequest{Stream: "limit." + string(rune('a'+n%26)) + strings.Repeat("0", 3), Events: []eventstore.Event{{
			ID: "01HZZZZZZZZZZZZZZZZZZZZZZZ", Type: "test.sized", SchemaVersion: 1, OccurredAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			Actor: domain.Actor{ID: "u1", Role: domain.RoleSystem}, Data: data}}})
	}
	_, err = appendData(2 * limit)
	var tle *eventstore.TooLargeError
	if !errors.As(err, &tle) || !errors.Is(err, eventstore.ErrTooLarge) || tle.Max != limit {
		t.Fatalf("a commit twice the limit: got %v, want a *TooLargeError with max %d", err, limit)
	}
	fit := 2*limit - (tle.Size - limit) // the data size that makes the commit exactly the limit
	before, _ := es.LastSeq(ctx)

	if _, err := appendData(fit + 1); !errors.As(err, &tle) || tle.Size != limit+1 {
		t.Fatalf("one byte over: got %v, want a *TooLargeError of %d bytes", err, limit+1)
	}
	if after, _ := es.LastSeq(ctx); after != before {
		t.Fatalf("a refused commit was written: last seq %d, was %d", after, before)
	}
	if _, err := appendData(fit); err != nil {
		t.Fatalf("exactly at the limit: got %v, want it stored", err)
	}
	if after, _ := es.LastSeq(ctx); after != before+1 {
		t.Fatalf("the commit at the limit: last seq %d, want %d", after, before+1)
	}
}
