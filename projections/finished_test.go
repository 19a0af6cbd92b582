package projections_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/projections"
)

// An assessor's finished cases are the cases they hold a role on and are
// done with (their assessment is in, or the case is decided or withdrawn),
// newest submission first; paged by cursor they come out whole, each once,
// and the same after a restore from the snapshot.
func TestFinishedPagesAnAssessorsDoneCasesNewestFirst(t *testing.T) {
	r, g := drivenRunner(t, 57, 120, func(i int) int { return 4 + i%14 })

	// want is found the slow way: every case, decoded.
	want := func(m *projections.Cases, userID string) (done []string, open int) {
		var cs []*accreditation.Case
		for _, c := range allCases(m) {
			var role accreditation.AssessorRole
			for r, a := range c.Assignments.All() {
				if a.UserID == userID {
					role = r
				}
			}
			if role == "" {
				continue
			}
			if c.Assessments.Done(role) || !c.State.InProgress() {
				cs = append(cs, c)
			} else {
				open++
			}
		}
		slices.SortFunc(cs, func(a, b *accreditation.Case) int {
			if c := b.SubmittedAt.Compare(a.SubmittedAt); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		})
		for _, c := range cs {
			done = append(done, c.ID)
		}
		return done, open
	}
	paged := func(m *projections.Cases, userID string, limit int) []string {
		var got []string
		var after projections.FinishedCursor
		for pages := 0; ; pages++ {
			if pages > 1000 {
				t.Fatal("the pages never end")
			}
			p := m.Finished(userID, after, limit)
			if len(p.Items) > limit {
				t.Fatalf("a page of %d items, limit %d", len(p.Items), limit)
			}
			for _, it := range p.Items {
				if it.MyRole == "" || it.Outcome != "" && it.DecidedAt == nil {
					t.Fatalf("item %+v: want their role, and the decision's time with its outcome", it)
				}
				got = append(got, it.CaseID)
			}
			if p.Next == nil {
				return got
			}
			var ok bool
			if after, ok = projections.ParseFinishedCursor(p.Next.String()); !ok {
				t.Fatalf("the cursor %q does not parse back", p.Next.String())
			}
		}
	}
	check := func(m *projections.Cases, when string) {
		total, unfinished := 0, 0
		for i := range 4 {
			who := g.Profile(i).UserID
			w, open := want(m, who)
			total, unfinished = total+len(w), unfinished+open
			for _, limit := range []int{1, 3, 50} {
				if got := paged(m, who, limit); !slices.Equal(got, w) {
					t.Fatalf("%s: %s's finished cases by pages of %d: got %v, want %v", when, who, limit, got, w)
				}
			}
		}
		if total == 0 || unfinished == 0 {
			t.Fatalf("%s: the history gives %d finished and %d unfinished cases to the assessors; want some of each", when, total, unfinished)
		}
		if p := m.Finished("nobody", projections.FinishedCursor{}, 10); len(p.Items) != 0 || p.Next != nil {
			t.Fatalf("%s: a user with no cases has %+v", when, p)
		}
	}
	var snap []byte
	r.Read(func(s *projections.Set) {
		check(s.Typed().Cases, "live")
		var err error
		if snap, err = s.Typed().Cases.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
	restored := projections.NewCases()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	check(restored, "restored")
}

func TestFinishedCursorRefusesWhatItDidNotWrite(t *testing.T) {
	for _, v := range []string{"", "x", "12", "12.", ".abc", "1e3.abc", "-.abc"} {
		if _, ok := projections.ParseFinishedCursor(v); ok {
			t.Errorf("ParseFinishedCursor(%q) accepted it", v)
		}
	}
}
