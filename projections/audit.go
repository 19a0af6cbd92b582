package projections

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
)

// AuditEntry is one event of the whole history, without its payload (the
// payload stays in the store and is read page by page).
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
}

// Audit is the read model of the whole event history across cases and accounts.
type Audit struct {
	Entries []AuditEntry `json:"entries"`
}

// NewAudit returns an empty audit model.
func NewAudit() *Audit { return &Audit{} }

// Name implements ReadModel.
func (m *Audit) Name() string { return "audit" }

// Apply implements ReadModel.
func (m *Audit) Apply(e eventstore.Event) {
	idx := 0
	if n := len(m.Entries); n > 0 && m.Entries[n-1].Seq == e.Seq {
		idx = m.Entries[n-1].Index + 1
	}
	caseID, _ := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if caseID == e.Stream {
		caseID = ""
	}
	m.Entries = append(m.Entries, AuditEntry{Seq: e.Seq, Index: idx, ID: e.ID, Stream: e.Stream, CaseID: caseID,
		Type: e.Type, Version: e.Version, OccurredAt: e.OccurredAt, Actor: e.Actor})
}

// Snapshot implements ReadModel.
func (m *Audit) Snapshot() ([]byte, error) { return json.Marshal(m) }

// Restore implements ReadModel.
func (m *Audit) Restore(b []byte) error { return json.Unmarshal(b, m) }

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

// Page returns up to limit entries after the cursor that match f, and the
// cursor of the next page (nil at the end).
func (m *Audit) Page(f AuditFilter, after Cursor, limit int) ([]AuditEntry, *Cursor) {
	start, _ := slices.BinarySearchFunc(m.Entries, after, func(e AuditEntry, c Cursor) int {
		switch {
		case e.Seq < c.Seq || (e.Seq == c.Seq && e.Index <= c.Index):
			return -1
		}
		return 1
	})
	out := []AuditEntry{}
	for i := start; i < len(m.Entries); i++ {
		if !f.Match(m.Entries[i]) {
			continue
		}
		if len(out) == limit {
			last := out[len(out)-1]
			return out, &Cursor{Seq: last.Seq, Index: last.Index}
		}
		out = append(out, m.Entries[i])
	}
	return out, nil
}
