package accreditation

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/framework"
)

// The assessments on a case read and write as the map by role they were
// kept in before: the same bytes, the same assessments read back, left
// out of the case when none is in.
func TestAssessmentsAreWrittenAsTheMapByRoleWas(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	assessor := Assessment{Role: RoleAssessor, UserID: "U1", Recommendation: RecommendAward, Level: framework.Practitioner,
		Ratings: []CategoryRating{{Category: 1, Indicators: []int{1, 2}, Rating: RatingEvidenced}}, SubmittedAt: at}
	verifier := Assessment{Role: RoleVerifier, UserID: "U2 <&>", Recommendation: RecommendNotAward, SubmittedAt: at.Add(time.Hour),
		Areas: []AreaRating{{Area: "design", Rating: RatingPartiallyEvidenced}}}
	for _, in := range [][]Assessment{nil, {assessor}, {verifier}, {verifier, assessor}} {
		m := map[AssessorRole]Assessment{}
		var as Assessments
		for _, a := range in {
			m[a.Role] = a
			as.set(a)
		}
		if as.Len() != len(in) {
			t.Fatalf("%d in, Len %d", len(in), as.Len())
		}
		want := writtenAsTheMap(t, m, as)
		cj, _ := json.Marshal(Case{ID: "c", Assessments: as})
		if (len(in) == 0) == bytes.Contains(cj, []byte(`"assessments"`)) || !bytes.Contains(cj, want[1:len(want)-1]) {
			t.Fatalf("in a case: %s, the map %s", cj, want)
		}
	}
}

func TestAssessmentsHoldEachRoleInItsPlaceAndCloneDeep(t *testing.T) {
	var as Assessments
	as.set(Assessment{Role: RoleVerifier, UserID: "V", Ratings: []CategoryRating{{Category: 1, Indicators: []int{7}}}})
	if as.Done(RoleAssessor) || !as.Done(RoleVerifier) || as.Len() != 1 {
		t.Fatalf("verifier alone: %+v", as)
	}
	if a, ok := as.Get(RoleVerifier); !ok || a.UserID != "V" || a.Role != RoleVerifier {
		t.Fatalf("verifier's: %+v %v", a, ok)
	}
	as.set(Assessment{Role: "judge", UserID: "J"})
	if as.Len() != 1 {
		t.Fatalf("a role that is none was recorded: %+v", as)
	}
	c := as.clone()
	c.Verifier.Ratings[0].Indicators[0] = 0
	if as.Verifier.Ratings[0].Indicators[0] != 7 || c.Verifier == as.Verifier {
		t.Fatal("the clone shares the verifier's assessment")
	}
	as.set(Assessment{Role: RoleAssessor, UserID: "A"})
	var roles []AssessorRole
	for r := range as.All() {
		roles = append(roles, r)
	}
	if len(roles) != 2 || roles[0] != RoleAssessor || roles[1] != RoleVerifier {
		t.Fatalf("yielded %v", roles)
	}
}
