package projections_test

import (
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
func TestAssessorQueueOffersEveryClaimableCaseInOrder(t *testing.T) {
	store := eventstore.NewMemory()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	g := historygen.New(t, store, 33)
	g.OpenCases(t, 80)
	for i, id := range g.Cases() {
		g.Drive(t, id, 3+i%6)
	}
	waitAt(t, r, lastSeq(t, store))
	broad := accreditation.AssessorProfile{UserID: "newcomer", Schemes: []string{"EIA", "EQA"}, MaxLevel: framework.MasterPractitioner,
		Languages: []string{"en", "nl", "de", "fr", "es", "it"}, Active: true}
	ids := func(m *projections.Cases) (got, want []string) {
		page, _ := m.AssessorQueue(broad, g.Now(), 56*24*time.Hour, 100000)
		for _, it := range page.Items {
			got = append(got, it.CaseID)
		}
		var claimable []*accreditation.Case
		for _, c := range m.ByID {
			if c.State == accreditation.StateAwaitingAssessment && c.CanClaim(broad, "") == nil {
				claimable = append(claimable, c)
			}
		}
		slices.SortFunc(claimable, func(a, b *accreditation.Case) int {
			if c := a.SubmittedAt.Compare(b.SubmittedAt); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
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
}
