package projections_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// The assessors' queue reads an index of the cases awaiting assessment: it
// offers every one of them the profile may claim, oldest submission first,
// the same after a restore from the snapshot.
//
// The queue reads only the parts of that index a profile matches (by
// scheme, language and level), merged: for broad and narrow profiles, and
// for pages of every size, it offers what the whole index filtered by
// CanClaim gives.
func TestAssessorQueueOffersEveryClaimableCaseInOrder(t *testing.T) {
	r, g := drivenRunner(t, 33, 80, func(i int) int { return 3 + i%6 })
	broad := accreditation.AssessorProfile{UserID: "newcomer", Schemes: []string{"EIA", "EQA"}, MaxLevel: framework.MasterPractitioner,
		Languages: []string{"en", "nl", "de", "fr", "es", "it"}, Active: true}
	profiles := []accreditation.AssessorProfile{broad,
		{UserID: "narrow-nl", Schemes: []string{"EIA"}, MaxLevel: framework.Practitioner, Languages: []string{"nl"}, Active: true},
		{UserID: "en-de", Schemes: []string{"EIA", "EQA"}, MaxLevel: framework.SeniorPractitioner, Languages: []string{"en", "de"}, Active: true},
		{UserID: "eqa-only", Schemes: []string{"EQA"}, MaxLevel: framework.MasterPractitioner, Languages: []string{"fr", "en", "it"}, Active: true},
	}
	for _, p := range profiles[1:] {
		for _, limit := range []int{1, 3, 100000} {
			check := func(m *projections.Cases, when string) {
				page, _ := m.AssessorQueue(p, g.Now(), 56*24*time.Hour, limit)
				var got, want []string
				for _, it := range page.Items {
					got = append(got, it.CaseID)
				}
				for _, c := range claimableOf(m, p) {
					want = append(want, c.ID)
				}
				more := len(want) > limit
				want = want[:min(limit, len(want))]
				if !slices.Equal(got, want) || page.HasMore != more {
					t.Fatalf("%s, %s, limit %d: offered %v (more %v), want %v (more %v)", when, p.UserID, limit, got, page.HasMore, want, more)
				}
			}
			r.Read(func(s *projections.Set) { check(s.Typed().Cases, "live") })
		}
	}
	ids := func(m *projections.Cases) (got, want []string) {
		page, _ := m.AssessorQueue(broad, g.Now(), 56*24*time.Hour, 100000)
		for _, it := range page.Items {
			got = append(got, it.CaseID)
		}
		claimable := claimableOf(m, broad)
		for _, c := range claimable {
			want = append(want, c.ID)
		}
		return got, want
	}
	var snap []byte
	r.Read(func(s *projections.Set) {
		got, want := ids(s.Typed().Cases)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("offered %v, want every claimable case by submission %v", got, want)
		}
		var err error
		if snap, err = s.Typed().Cases.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
	restored := projections.NewCases()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got, want := ids(restored); !slices.Equal(got, want) {
		t.Fatalf("after a restore: offered %v, want %v", got, want)
	}
	for _, p := range profiles[1:] {
		page, _ := restored.AssessorQueue(p, g.Now(), 56*24*time.Hour, 100000)
		var got, want []string
		for _, it := range page.Items {
			got = append(got, it.CaseID)
		}
		for _, c := range claimableOf(restored, p) {
			want = append(want, c.ID)
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("after a restore, %s: offered %v, want %v", p.UserID, got, want)
		}
	}
}

// claimableOf is every case of m awaiting assessment that p may claim,
// by submission, from all the cases (not the queue's index).
func claimableOf(m *projections.Cases, p accreditation.AssessorProfile) []*accreditation.Case {
	var claimable []*accreditation.Case
	for _, c := range allCases(m) {
		if c.State == accreditation.StateAwaitingAssessment && c.CanClaim(p, "") == nil {
			claimable = append(claimable, c)
		}
	}
	slices.SortFunc(claimable, func(a, b *accreditation.Case) int {
		if c := a.SubmittedAt.Compare(b.SubmittedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return claimable
}

// The cases' snapshot is in chunks of a fixed size, in id order: one with
// more cases than a chunk holds restores to the same cases and encodes to
// the same bytes again.
func TestTheCasesSnapshotInChunksRestoresTheSameCases(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 41)
	g.OpenCases(t, 2500)
	g.Steps(t, 3000)
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	waitAt(t, r, lastSeq(t, store))
	var snap []byte
	var want map[string]*accreditation.Case
	r.Read(func(s *projections.Set) {
		var err error
		if snap, err = s.Typed().Cases.Snapshot(); err != nil {
			t.Fatal(err)
		}
		want = map[string]*accreditation.Case{}
		s.Typed().Cases.Each(func(c *accreditation.Case) { want[c.ID] = c })
	})
	var file struct {
		Chunks []json.RawMessage `json:"chunks"`
	}
	if err := json.Unmarshal(snap, &file); err != nil || len(file.Chunks) != 3 {
		t.Fatalf("snapshot of 2,500 cases: %d chunks (err %v), want 3", len(file.Chunks), err)
	}
	restored := projections.NewCases()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if restored.Len() != len(want) {
		t.Fatalf("restored %d cases, want %d", restored.Len(), len(want))
	}
	for id, c := range want {
		if got, _ := restored.Case(id); !reflect.DeepEqual(got, c) {
			t.Fatalf("case %s restored differs", id)
		}
	}
	again, err := restored.Snapshot()
	if err != nil || !bytes.Equal(again, snap) {
		t.Fatalf("the restored cases encode to other bytes (%d vs %d, err %v)", len(again), len(snap), err)
	}
}

// allCases is every case of m, the cold ones decoded.
func allCases(m *projections.Cases) []*accreditation.Case {
	var out []*accreditation.Case
	m.Each(func(c *accreditation.Case) { out = append(out, c) })
	return out
}

// An assessor's own cases are the queued cases they hold a role on, oldest
// submission first, read from their index of open cases (not from every
// case they ever held): the same after a restore from the snapshot.
func TestAssessorsOwnCasesAreTheirQueuedCasesInOrder(t *testing.T) {
	r, g := drivenRunner(t, 57, 120, func(i int) int { return 2 + i%40 })
	check := func(m *projections.Cases, when string) {
		t.Helper()
		want := map[string][]*accreditation.Case{}
		for _, c := range allCases(m) {
			if !c.State.Queued() {
				continue
			}
			for _, a := range c.Assignments.All() {
				want[a.UserID] = append(want[a.UserID], c)
			}
		}
		finished := 0
		for _, c := range allCases(m) {
			if !c.State.Queued() && c.Assignments.Len() > 0 {
				finished++
			}
		}
		if len(want) == 0 || finished == 0 {
			t.Fatalf("%s: %d assessors with open cases, %d finished cases with assessors: the test needs both", when, len(want), finished)
		}
		for user, cases := range want {
			slices.SortFunc(cases, func(a, b *accreditation.Case) int {
				if c := a.SubmittedAt.Compare(b.SubmittedAt); c != 0 {
					return c
				}
				return strings.Compare(a.ID, b.ID)
			})
			var exp, got []string
			for _, c := range cases {
				for role, a := range c.Assignments.All() {
					if a.UserID == user {
						exp = append(exp, c.ID+"/"+string(role))
					}
				}
			}
			_, mine := m.AssessorQueue(accreditation.AssessorProfile{UserID: user}, g.Now(), 56*24*time.Hour, 100000)
			for _, it := range mine.Items {
				got = append(got, it.CaseID+"/"+string(it.MyRole))
			}
			if !slices.Equal(got, exp) {
				t.Fatalf("%s: %s's own cases %v, want %v", when, user, got, exp)
			}
		}
	}
	var snap []byte
	r.Read(func(s *projections.Set) {
		check(s.Typed().Cases, "followed")
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

// A queue's page made in an array used before (the API's pool) holds that
// page's items only, as one made afresh does: nothing of the page before.
func TestAQueuePageMadeInAUsedArrayIsTheFreshPage(t *testing.T) {
	r, g := drivenRunner(t, 33, 80, func(i int) int { return 3 + i%6 })
	sla := 56 * 24 * time.Hour
	p := accreditation.AssessorProfile{UserID: "newcomer", Schemes: []string{"EIA", "EQA"}, MaxLevel: framework.MasterPractitioner,
		Languages: []string{"en", "nl", "de", "fr", "es", "it"}, Active: true}
	used := func() []projections.QueueItem { // a full array, left as a page written out left it
		items := make([]projections.QueueItem, 500)
		for i := range items {
			items[i] = projections.QueueItem{CaseID: "stale", Claimable: []accreditation.AssessorRole{accreditation.RoleVerifier}}
		}
		return items
	}
	r.Read(func(s *projections.Set) {
		m := s.Typed().Cases
		for _, limit := range []int{1, 3, 100} {
			fresh := m.OfficeQueue(projections.QueueFilter{}, g.Now(), sla, 1, limit)
			if got := m.OfficeQueueIn(used(), projections.QueueFilter{}, g.Now(), sla, 1, limit); len(fresh.Items) == 0 || !reflect.DeepEqual(got, fresh) {
				t.Fatalf("office queue, limit %d, in a used array: %+v, made afresh: %+v", limit, got, fresh)
			}
			if got := m.OfficeQueueIn(nil, projections.QueueFilter{State: "none"}, g.Now(), sla, 0, limit); got.Items == nil {
				t.Fatalf("office queue, limit %d, in no array: items nil (JSON null), want empty", limit)
			}
			if avail, mine := m.AssessorQueueIn(nil, nil, accreditation.AssessorProfile{UserID: "nobody"}, g.Now(), sla, limit, projections.AssessorCursors{}); avail.Items == nil || mine.Items == nil {
				t.Fatalf("assessor's queue, limit %d, in no arrays: items %v and %v (nil is JSON null), want empty", limit, avail.Items, mine.Items)
			}
			freshAvail, freshMine := m.AssessorQueue(p, g.Now(), sla, limit)
			avail, mine := m.AssessorQueueIn(used(), used()[:7], p, g.Now(), sla, limit, projections.AssessorCursors{})
			if len(freshAvail.Items) == 0 || !reflect.DeepEqual(avail, freshAvail) || !reflect.DeepEqual(mine, freshMine) {
				t.Fatalf("assessor's queue, limit %d, in used arrays: %+v and %+v, made afresh: %+v and %+v", limit, avail, mine, freshAvail, freshMine)
			}
		}
	})
}
