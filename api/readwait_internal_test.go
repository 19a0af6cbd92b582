package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestTheReadWaitBoundsTheWholeMinSeqWait: one deadline, ReadWait from the
// read's start, for the write side and the read models together (before,
// the write side had 2 s and the read models 2 s more of their own).
func TestTheReadWaitBoundsTheWholeMinSeqWait(t *testing.T) {
	const wait = 7 * time.Second
	var deadline time.Time
	var bounded bool
	s := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Reads: &ReadSide{ReadWait: wait},
		WaitFor: func(ctx context.Context, seq uint64) error {
			deadline, bounded = ctx.Deadline()
			return nil
		}})
	c := s.Echo.NewContext(httptest.NewRequest(http.MethodGet, "/?min_seq=5", nil), httptest.NewRecorder())
	before := time.Now()
	if err := s.waitMinSeq(c); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	if !bounded || deadline.Before(before.Add(wait)) || deadline.After(after.Add(wait)) {
		t.Fatalf("the wait for min_seq: deadline %v (bounded %v), want %s from the read's start (%v to %v)", deadline, bounded, wait, before.Add(wait), after.Add(wait))
	}
}
