package projections_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
			t.Run("newest first: the same entries the other way round, across pages and bounded scans", func(t *testing.T) {
				id := g.Cases()[2]
				for _, f := range []projections.AuditFilter{{}, {Type: all[len(all)-1].Type}, {CaseID: id}, {Type: "test.note"}} {
					for _, bound := range []int{0, 3, 7} {
						a := projections.Audit{Store: store, ScanBound: bound}
						want := follow(t, projections.Audit{Store: store}, f, 1000)
						slices.Reverse(want)
						for _, limit := range []int{1, 2, 5, 1000} {
							got := followNewest(t, a, f, limit)
							if fmt.Sprint(keys(got)) != fmt.Sprint(keys(want)) || len(want) == 0 {
								t.Fatalf("filter %+v, bound %d, limit %d: got %v, want %v", f, bound, limit, keys(got), keys(want))
							}
						}
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
	return pages(t, a.Page, f, limit)
}

// followNewest reads every page of f, newest first, until the cursor is nil.
func followNewest(t *testing.T, a projections.Audit, f projections.AuditFilter, limit int) []projections.AuditEntry {
	t.Helper()
	return pages(t, a.PageNewest, f, limit)
}

// pages reads every page that page gives, in its order.
func pages(t *testing.T, page func(context.Context, projections.AuditFilter, projections.Cursor, int) ([]projections.AuditEntry, *projections.Cursor, error),
	f projections.AuditFilter, limit int) []projections.AuditEntry {
	t.Helper()
	var out []projections.AuditEntry
	var cur projections.Cursor
	for range 100_000 {
		got, next, err := page(context.Background(), f, cur, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > limit {
			t.Fatalf("page of %d entries, over the limit of %d", len(got), limit)
		}
		out = append(out, got...)
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

// TestTheAuditIsTheStoresAcrossRestartAndRebuild, on JetStream: the
// read-model snapshot a runner writes holds no event of the history (no
// event id, no event hash, no audit model), and after a restart from that
// snapshot and after a rebuild the audit pages (the whole history, one
// case's, one actor's) are what a fold of every stored commit gives, as the
// in-memory audit model gave them.
func TestTheAuditIsTheStoresAcrossRestartAndRebuild(t *testing.T) {
	store := natstest.Start(t).EventStore(t)
	g := historygen.New(t, store, 29)
	g.OpenCases(t, 12)
	g.Steps(t, 150)
	ctx := context.Background()
	dir := t.TempDir()
	opt := projections.Options{SnapshotDir: dir, Schema: projections.Schema}
	first := projections.NewRunner(store, projections.NewSet, opt)
	first.Start()
	waitAt(t, first, lastSeq(t, store))
	first.Stop()

	var fold []projections.AuditEntry
	var stored []eventstore.Event
	if err := store.Read(ctx, 0, lastSeq(t, store), func(c eventstore.Commit) error {
		for i := range c.Events {
			fold = append(fold, projections.NewAuditEntry(c, i))
		}
		stored = append(stored, c.Events...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	snap, err := os.ReadFile(filepath.Join(dir, "read-models.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Models map[string]json.RawMessage `json:"models"`
	}
	if err := json.Unmarshal(snap, &file); err != nil {
		t.Fatal(err)
	}
	if _, ok := file.Models["audit"]; ok || len(file.Models) == 0 {
		t.Fatalf("snapshot models %v: want the read models and no audit", slices.Sorted(maps.Keys(file.Models)))
	}
	for _, e := range stored {
		if bytes.Contains(snap, []byte(e.ID)) || bytes.Contains(snap, []byte(e.Hash)) {
			t.Fatalf("the snapshot (%d bytes) holds event %s (%s) of the history", len(snap), e.ID, e.Type)
		}
	}

	id, actor := fold[len(fold)-1].CaseID, fold[len(fold)-1].Actor.ID
	want := func(f projections.AuditFilter) []projections.AuditEntry {
		var out []projections.AuditEntry
		for _, e := range fold {
			if f.Match(e) {
				out = append(out, e)
			}
		}
		return out
	}
	check := func(t *testing.T, r *projections.Runner) {
		for _, f := range []projections.AuditFilter{{}, {CaseID: id}, {ActorID: actor}} {
			got := follow(t, projections.Audit{Store: store}, f, 7)
			if w := want(f); fmt.Sprint(keys(got)) != fmt.Sprint(keys(w)) {
				t.Fatalf("filter %+v at read-model position %d: got %d entries, want the fold's %d", f, r.Position(), len(got), len(w))
			}
			for i, e := range got {
				if w := want(f)[i]; !bytes.Equal(e.Data, w.Data) || e.Actor != w.Actor || !e.OccurredAt.Equal(w.OccurredAt) || e.Type != w.Type {
					t.Fatalf("filter %+v entry %d: got %+v, want %+v", f, i, e, w)
				}
			}
		}
	}
	resumed := projections.NewRunner(store, projections.NewSet, opt)
	resumed.Start()
	defer resumed.Stop()
	if got := resumed.Position(); got != lastSeq(t, store) {
		t.Fatalf("resumed at %d, want %d from the snapshot", got, lastSeq(t, store))
	}
	t.Run("after a restart from the snapshot", func(t *testing.T) { check(t, resumed) })
	if _, err := resumed.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Run("after a rebuild", func(t *testing.T) { check(t, resumed) })
}
