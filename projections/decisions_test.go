package projections_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// TestDecisionPagesAreTheWholeListInPieces pages the decisions of a driven
// history with every filter, page size and scan bound, following each
// next cursor as the API writes it, and requires the pages joined to be
// exactly the matching decisions newest first (by decision time, then case
// and number); the same from a snapshot's restore, whose order is rebuilt.
func TestDecisionPagesAreTheWholeListInPieces(t *testing.T) {
	store := eventstore.NewMemory()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	g := historygen.New(t, store, 5)
	g.OpenCases(t, 60)
	for _, id := range g.Cases() {
		g.Drive(t, id, 60)
	}
	waitAt(t, r, lastSeq(t, store))

	var live []projections.DecisionRecord
	var snap []byte
	r.Read(func(s *projections.Set) {
		m := s.Typed().Decisions
		live, _ = m.Page(projections.DecisionFilter{}, nil, 1<<30)
		var err error
		if snap, err = m.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
	if len(live) < 10 {
		t.Fatalf("the history took %d decisions; the test needs at least 10", len(live))
	}
	restored := projections.NewDecisions(nil)
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}

	// What every page must add up to: the records filtered, newest first.
	want := func(f projections.DecisionFilter) []string {
		all := slices.Clone(live)
		slices.SortFunc(all, func(a, b projections.DecisionRecord) int {
			return cmp.Or(b.DecidedAt.Compare(a.DecidedAt), cmp.Compare(b.CaseID, a.CaseID), cmp.Compare(b.Number, a.Number))
		})
		var ids []string
		for _, d := range all {
			if matches(f, d) {
				ids = append(ids, fmt.Sprintf("%s#%d", d.CaseID, d.Number))
			}
		}
		return ids
	}
	assessor := live[0].Assessments[0].UserID
	filters := []projections.DecisionFilter{{}, {Outcome: "awarded"}, {Outcome: "not_awarded"}, {Scheme: "EQA"},
		{AssessorID: assessor}, {Level: string(live[0].LevelAppliedFor)}, {From: live[len(live)/2].DecidedAt}, {To: live[len(live)/2].DecidedAt}}
	for _, f := range filters {
		w := want(f)
		for _, bound := range []int{0, 1, 2, 5} {
			restored.ScanBound = bound
			for _, limit := range []int{1, 3, 7, 1000} {
				var got []string
				var after *projections.DecisionCursor
				for pages := 0; ; pages++ {
					if pages > len(live)+1 {
						t.Fatalf("filter %+v bound %d limit %d: the cursors do not end", f, bound, limit)
					}
					page, next := restored.Page(f, after, limit)
					if len(page) > limit || (bound > 0 && len(page) > bound) {
						t.Fatalf("filter %+v bound %d limit %d: a page of %d", f, bound, limit, len(page))
					}
					for _, d := range page {
						got = append(got, fmt.Sprintf("%s#%d", d.CaseID, d.Number))
					}
					if next == nil {
						break
					}
					cur, err := projections.ParseDecisionCursor(next.String())
					if err != nil || cur != *next {
						t.Fatalf("cursor %q read back as %+v, %v", next.String(), cur, err)
					}
					after = &cur
				}
				if !slices.Equal(got, w) {
					t.Fatalf("filter %+v bound %d limit %d:\n got %v\nwant %v", f, bound, limit, got, w)
				}
			}
		}
	}
	if _, err := projections.ParseDecisionCursor("12.x.c"); err == nil {
		t.Fatal("a cursor with a number that is not one was read")
	}
}

// matches is DecisionFilter's rule written out again, so that the test
// does not check the pages against the code that made them.
func matches(f projections.DecisionFilter, d projections.DecisionRecord) bool {
	if f.Scheme != "" && string(d.Scheme) != f.Scheme || f.Outcome != "" && string(d.Outcome) != f.Outcome {
		return false
	}
	if f.Level != "" && string(d.LevelAppliedFor) != f.Level && string(d.LevelAwarded) != f.Level {
		return false
	}
	if !f.From.IsZero() && d.DecidedAt.Before(f.From) || !f.To.IsZero() && !d.DecidedAt.Before(f.To) {
		return false
	}
	if f.AssessorID == "" {
		return true
	}
	for _, a := range d.Assessments {
		if a.UserID == f.AssessorID {
			return true
		}
	}
	return false
}
