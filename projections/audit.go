package projections

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
)

// AuditEntry is one event of the whole history.
type AuditEntry struct {
	Seq        uint64       `json:"seq"`
	Index      int          `json:"index"` // within its commit
	ID         string       `json:"id"`
	Stream     string       `json:"stream"`
	CaseID     string       `json:"case_id,omitempty"`
	Type       string       `json:"type"`
	Version    uint64       `json:"version"`
	OccurredAt time.Time    `json:"occurred_at"`
	Actor      domain.Actor `json:"actor"`
	// Data is the payload as stored, sealed personal data included; it is
	// no part of the entry's JSON (readers show it opened, or not at all).
	Data json.RawMessage `json:"-"`
}

// NewAuditEntry describes event i of commit c.
func NewAuditEntry(c eventstore.Commit, i int) AuditEntry {
	e := c.Events[i]
	caseID, _ := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if caseID == e.Stream {
		caseID = ""
	}
	return AuditEntry{Seq: c.Seq, Index: i, ID: e.ID, Stream: e.Stream, CaseID: caseID,
		Type: e.Type, Version: e.Version, OccurredAt: e.OccurredAt, Actor: e.Actor, Data: e.Data}
}

// Audit pages the whole event history straight from the store, which holds
// it already: no read model keeps the history in memory or in the
// read-model snapshot (461 MB at 100k cases when one did).
type Audit struct {
	Store eventstore.Store
	// ScanBound is how many commits one page reads at most when the filter
	// names no case (0: DefaultAuditScanBound).
	ScanBound int
}

// DefaultAuditScanBound bounds the commits a page reads: a page that
// reaches it without filling up comes back short, with the cursor where the
// reading stopped, so that a rare actor or type costs each page a bounded
// read rather than a read of the whole store.
const DefaultAuditScanBound = 20_000

// AuditFilter narrows the history.
type AuditFilter struct {
	CaseID, ActorID, Type string
	From, To              time.Time
}

// Match reports whether e passes the filter.
func (f AuditFilter) Match(e AuditEntry) bool {
	return (f.CaseID == "" || e.CaseID == f.CaseID) && (f.ActorID == "" || e.Actor.ID == f.ActorID) &&
		(f.Type == "" || e.Type == f.Type) && (f.From.IsZero() || !e.OccurredAt.Before(f.From)) &&
		(f.To.IsZero() || e.OccurredAt.Before(f.To))
}

// Cursor is a position in the history: after (seq, index).
type Cursor struct {
	Seq   uint64
	Index int
}

func (c Cursor) before(seq uint64, index int) bool {
	return seq > c.Seq || (seq == c.Seq && index > c.Index)
}

var errPageFull = errors.New("page full")

// Page returns up to limit entries after the cursor that match f, as the
// store holds them now, and the cursor of the next page (nil at the end).
// A case's history is read from the case's own stream; any other filter
// reads the store in order, at most ScanBound commits a page.
func (a Audit) Page(ctx context.Context, f AuditFilter, after Cursor, limit int) ([]AuditEntry, *Cursor, error) {
	out := []AuditEntry{}
	if f.CaseID != "" {
		return a.casePage(ctx, f, after, limit)
	}
	last, err := a.Store.LastSeq(ctx)
	if err != nil {
		return nil, nil, err
	}
	if after.Seq > last {
		return out, nil, nil
	}
	from := uint64(0)
	if after.Seq > 0 {
		from = after.Seq - 1 // the cursor's own commit may hold more
	}
	var next *Cursor
	scanned, bound := 0, a.ScanBound
	if bound <= 0 {
		bound = DefaultAuditScanBound
	}
	err = a.Store.Read(ctx, from, last, func(c eventstore.Commit) error {
		for i := range c.Events {
			if !after.before(c.Seq, i) {
				continue
			}
			e := NewAuditEntry(c, i)
			if !f.Match(e) {
				continue
			}
			if len(out) == limit {
				next = &Cursor{Seq: out[limit-1].Seq, Index: out[limit-1].Index}
				return errPageFull
			}
			out = append(out, e)
		}
		if scanned++; scanned >= bound && c.Seq < last {
			// Everything up to this commit has been looked at.
			next = &Cursor{Seq: c.Seq, Index: max(len(c.Events)-1, 0)}
			return errPageFull
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return nil, nil, err
	}
	return out, next, nil
}

// casePage reads one case's stream, a few dozen events.
func (a Audit) casePage(ctx context.Context, f AuditFilter, after Cursor, limit int) ([]AuditEntry, *Cursor, error) {
	out := []AuditEntry{}
	stream := accreditation.StreamPrefix + "." + f.CaseID
	if !eventstore.ValidStreamID(stream) {
		return out, nil, nil
	}
	events, err := a.Store.Load(ctx, stream)
	if err != nil {
		return nil, nil, err
	}
	for i := 0; i < len(events); {
		c := eventstore.Commit{Seq: events[i].Seq, Stream: stream}
		for i < len(events) && events[i].Seq == c.Seq {
			c.Events = append(c.Events, events[i])
			i++
		}
		for j := range c.Events {
			e := NewAuditEntry(c, j)
			if !after.before(e.Seq, j) || !f.Match(e) {
				continue
			}
			if len(out) == limit {
				return out, &Cursor{Seq: out[limit-1].Seq, Index: out[limit-1].Index}, nil
			}
			out = append(out, e)
		}
	}
	return out, nil, nil
}
