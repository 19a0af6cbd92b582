package accreditation

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/emcc/accredit/domain/framework"
)

// fullCase is a case with every part of its state filled in: an EQA
// programme through a request for information, moderation, an award at a
// lower level, an upheld appeal, a second award, a renewal, a second renewal returned and a revocation.
func fullCase(t *testing.T) *Case {
	t.Helper()
	h := given(t, SchemeEQA, inAssessment)
	h.do(assessorA, with((*Case).RequestInformation, ask("q")))
	h.do(applicant, with((*Case).ProvideInformation, answer("a")))
	h.do(assessorA, assess(RecommendAward, ""))
	h.do(assessorB, assess(RecommendAwardLower, framework.Foundation))
	h.do(officeDecide, with((*Case).Moderate, ModerationInput{Recommendation: RecommendAwardLower, Level: framework.Foundation, Rationale: seal("m")}))
	h.do(officeDecide, with((*Case).Decide, award(framework.Foundation, "acc-1")))
	h.do(applicant, with((*Case).Appeal, grounds()))
	h.do(officeReview, with((*Case).DecideAppeal, AppealDecisionInput{Outcome: AppealUpheld, Rationale: seal("r"), ReturnTo: ReturnToDecision}))
	h.do(officeDecide, with((*Case).Decide, award(framework.Practitioner, "acc-2")))
	h.now = h.c.Accreditation.ValidUntil.AddDate(0, -1, 0)
	h.do(applicant, renewCmd(h.rules, eqaRenewal()))
	h.do(officeDecide, assignRenewal(assessorC))
	h.do(assessorC, assessRenewal(RenewalRenew, "renewed"))
	h.do(applicant, renewCmd(h.rules, eqaRenewal()))
	h.do(officeDecide, assignRenewal(assessorC))
	h.do(assessorC, assessRenewal(RenewalReturn, "returned"))
	h.do(officeDecide, with((*Case).Revoke, ReasonInput{Reason: seal("r")}))
	c := h.c
	c.WithdrawalReason = seal("not withdrawn, but the clone must copy it too")
	return c
}

func TestCloneIsDeep(t *testing.T) {
	orig := fullCase(t)
	snapshot := mustJSON(t, orig)
	clone := orig.Clone()
	if !reflect.DeepEqual(clone, orig) {
		t.Fatalf("clone differs from the original")
	}
	t.Run("no memory shared", func(t *testing.T) {
		noSharing(t, "Case", reflect.ValueOf(orig).Elem(), reflect.ValueOf(clone).Elem())
	})
	t.Run("mutating the clone leaves the original intact", func(t *testing.T) {
		clone.Programme.Name.Data[0] ^= 0xff
		clone.Portfolio.Curriculum[0].Indicators[0] = 0
		clone.Evidence[0].Categories[0] = 0
		clone.SelfAssessment[1] = seal("x")
		clone.Assignments.remove(RoleAssessor)
		clone.Assessments.Assessor.Ratings[0].Notes.Data[0] = 0
		clone.InformationRequests[0].Answer.Data[0] = 0
		clone.Moderation.Level = ""
		clone.Decision.Level = ""
		clone.PastDecisions[0].Rationale.Data[0] = 0
		clone.Appeals[0].Grounds.Data[0] = 0
		clone.Accreditation.Renewals[0].By = "x"
		clone.Accreditation.Current.Aims[0].Statement.Data[0] = 0
		clone.Accreditation.Current.Checks[0].Met = false
		clone.Accreditation.Current.Reason.Data[0] = 0
		clone.Accreditation.Reason.Data[0] = 0
		clone.Eligibility[0].Met = false
		clone.Participants[0].UserID = "x"
		clone.WithdrawalReason.Data[0] = 0
		if got := mustJSON(t, orig); got != snapshot {
			t.Fatalf("original changed: %s", firstDiff(got, snapshot))
		}
	})
	if New("x").Clone().ID != "x" || (*Case)(nil).Clone() != nil {
		t.Fatalf("clone of a fresh or nil case")
	}
}

// noSharing fails when a and b (equal values) share a pointer, the backing
// array of a non-empty slice, or a map.
func noSharing(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: pointer shared", path)
		}
		noSharing(t, path, a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() == 0 {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: slice shared", path)
		}
		for i := range a.Len() {
			noSharing(t, fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
		}
	case reflect.Map:
		if a.Len() == 0 {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: map shared", path)
		}
		for _, k := range a.MapKeys() {
			noSharing(t, fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), b.MapIndex(k))
		}
	case reflect.Struct:
		if a.Type().PkgPath() == "time" {
			return
		}
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			noSharing(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
		}
	case reflect.Interface:
		if !a.IsNil() {
			noSharing(t, path, a.Elem(), b.Elem())
		}
	}
}

// firstDiff shows where got and want first differ, with some context.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-60, 0)
	return fmt.Sprintf("at byte %d: got ...%s..., want ...%s...", i, got[from:min(i+60, len(got))], want[from:min(i+60, len(want))])
}
