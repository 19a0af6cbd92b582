package projections_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// TestAuditPagesTheHistoryFromTheStore checks, on the memory store and on
// JetStream, that the audit history read page by page from the store is
// every event once and in order, that a case's history is that case's
// stream alone, and that a page whose reading hits the scan bound comes
// back short with a cursor that loses nothing.
func TestAuditPagesTheHistoryFromTheStore(t *testing.T) {
	stores := map[string]func(t *testing.T) eventstore.Store{
		"memory":    func(*testing.T) eventstore.Store { return eventstore.NewMemory() },
		"jetstream": func(t *testing.T) eventstore.Store { return natstest.Start(t).EventStore(t) },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			g := historygen.New(t, store, 17)
			g.OpenCases(t, 8)
			for _, id := range g.Cases() {
				g.Drive(t, id, 12)
			}
			ctx := context.Background()
			// Commits of several events, so that pages end inside one.
			for n := range 3 {
				stream := accreditation.StreamPrefix + "." + g.Cases()[n]
				head, err := store.Head(ctx, stream)
				if err != nil {
					t.Fatal(err)
				}
				var evs []eventstore.Event
				for i := range 3 + n {
					evs = append(evs, eventstore.Event{ID: fmt.Sprintf("NOTE%d%d", n, i), Type: "test.note", SchemaVersion: 1,
						OccurredAt: g.Now(), Actor: domain.Actor{ID: "office", Role: domain.RoleOffice}, Data: []byte(`{}`)})
				}
				if _, err := store.Append(ctx, eventstore.AppendRequest{Stream: stream, Expected: head, Events: evs}); err != nil {
					t.Fatal(err)
				}
				g.Drive(t, g.Cases()[n], 2)
			}
			var all []projections.AuditEntry
			if err := store.Read(ctx, 0, lastSeq(t, store), func(c eventstore.Commit) error {
				for i := range c.Events {
					all = append(all, projections.NewAuditEntry(c, i))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			audit := projections.Audit{Store: store}

			t.Run("every event once, in order, across pages", func(t *testing.T) {
				got := follow(t, audit, projections.AuditFilter{}, 2)
				if want := keys(all); fmt.Sprint(keys(got)) != fmt.Sprint(want) {
					t.Fatalf("paged history: got %d entries, want the store's %d in order", len(got), len(want))
				}
			})
			t.Run("a case's history is its stream alone", func(t *testing.T) {
				id := g.Cases()[1] // with a commit of four events
				events, err := store.Load(ctx, accreditation.StreamPrefix+"."+id)
				if err != nil {
					t.Fatal(err)
				}
				got := follow(t, audit, projections.AuditFilter{CaseID: id}, 2)
				if len(got) != len(events) || len(got) == 0 {
					t.Fatalf("case %s: got %d entries, want its %d events", id, len(got), len(events))
				}
				for i, e := range got {
					if e.CaseID != id || e.ID != events[i].ID || len(e.Data) == 0 {
						t.Fatalf("entry %d: got case %s event %s, want case %s event %s with its payload", i, e.CaseID, e.ID, id, events[i].ID)
					}
				}
			})
			t.Run("a bounded scan comes back short and loses nothing", func(t *testing.T) {
				typ := all[len(all)-1].Type
				var want []projections.AuditEntry
				for _, e := range all {
					if e.Type == typ {
						want = append(want, e)
					}
				}
				bounded := projections.Audit{Store: store, ScanBound: 3}
				first, next, err := bounded.Page(ctx, projections.AuditFilter{Type: typ}, projections.Cursor{}, 1000)
				if err != nil || next == nil || len(first) == len(want) {
					t.Fatalf("first page with a bound of 3 commits: got %d of %d entries, next %v, err %v; want a short page and a cursor", len(first), len(want), next, err)
				}
				got := follow(t, bounded, projections.AuditFilter{Type: typ}, 1000)
				if fmt.Sprint(keys(got)) != fmt.Sprint(keys(want)) {
					t.Fatalf("type %s through bounded pages: got %d entries, want %d", typ, len(got), len(want))
				}
			})
		})
	}
}

// follow reads every page of f until next_cursor is absent.
func follow(t *testing.T, a projections.Audit, f projections.AuditFilter, limit int) []projections.AuditEntry {
	t.Helper()
	var out []projections.AuditEntry
	var cur projections.Cursor
	for range 100_000 {
		page, next, err := a.Page(context.Background(), f, cur, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > limit {
			t.Fatalf("page of %d entries, over the limit of %d", len(page), limit)
		}
		out = append(out, page...)
		if next == nil {
			return out
		}
		cur = *next
	}
	t.Fatal("pages never end")
	return nil
}

func keys(es []projections.AuditEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = fmt.Sprintf("%d.%d:%s", e.Seq, e.Index, e.ID)
	}
	return out
}
