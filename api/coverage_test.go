package api_test

import (
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/framework"
)

// TestTheCoverageMap (issue 16 item 3): a case's categories by the
// indicators at its level and below, each with the evidence citing it and,
// once assessed, the assessments that observed it, as the caller may see
// them: the verifier does not see what the assessor observed before
// assessing; a stranger gets nothing.
func TestTheCoverageMap(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t) // reflections.pdf cites categories 1 and 2, indicators 31 and 34
	cells := func(token string) map[int]map[string]any {
		t.Helper()
		m := tm.get(t, "/api/v1/cases/"+id+"/coverage", token)
		if m["level"] != "practitioner" || len(m["categories"].([]any)) != 8 {
			t.Fatalf("coverage: level %v, %d categories", m["level"], len(m["categories"].([]any)))
		}
		out := map[int]map[string]any{}
		for _, c := range m["categories"].([]any) {
			for _, cell := range c.(map[string]any)["indicators"].([]any) {
				out[int(cell.(map[string]any)["indicator"].(float64))] = cell.(map[string]any)
			}
		}
		return out
	}
	cat := framework.Default()
	got := cells(tm.applicant.Token)
	if want := len(cat.IndicatorsAtOrBelow(framework.Practitioner)); len(got) != want {
		t.Fatalf("cells: %d, want the %d indicators at practitioner and below", len(got), want)
	}
	for _, in := range cat.Indicators() {
		if _, ok := got[in.Number]; ok != framework.Practitioner.AtLeast(in.Level) {
			t.Fatalf("indicator %d (%s): in the map %v", in.Number, in.Level, ok)
		}
	}
	ev := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)[0].(map[string]any)["id"]
	for n, cell := range got {
		cited := len(cell["evidence"].([]any)) == 1 && cell["evidence"].([]any)[0] == ev
		if cited != (n == 31 || n == 34) {
			t.Fatalf("indicator %d: evidence %v", n, cell["evidence"])
		}
	}

	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", map[int][]int{1: {1}}), "award", "Good."), 200)
	if o := cells(tm.admin)[1]["observed_by"].([]any); len(o) != 1 || o[0] != "assessor" {
		t.Fatalf("the office: indicator 1 observed by %v, want the assessor", o)
	}
	if o := cells(tm.verifier.Token)[1]["observed_by"].([]any); len(o) != 0 {
		t.Fatalf("the verifier before assessing sees indicator 1 observed by %v", o)
	}
	stranger := tm.in.CreateUser(t, tm.admin, "applicant", "sam@example.org", "Sam Stranger")
	Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/coverage", stranger.Token), 404)
	Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/coverage", ""), 401)
}
