package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAnAssessorWhoMayClaimACaseReadsNotItsProceedings: an assessor who
// may claim a queued case (qualified, on no role of it) reads the
// application they would assess, not what passed between the applicant
// and the office: why it was screened as it was, the information asked and
// answered, where the interview is held, the appeal's grounds and reasons.
// The case view names what it withholds; the history keeps the events with
// their text taken out. Those with a part in the case read all of it.
func TestAnAssessorWhoMayClaimACaseReadsNotItsProceedings(t *testing.T) {
	tm := newTeam(t)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	id := tm.openSenior(t)
	const (
		screening = "Accepted once her employer confirmed the CPD log"
		questions = "Which supervisor signed the reference?"
		answer    = "Dr Sup Ervisor, of the clinic where I was treated"
		place     = "Herengracht 12, Amsterdam"
		grounds   = "The assessors missed my supervision log"
		upheld    = "The log was not read: reassess"
	)
	tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted", "reason": screening}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/information-requests", tm.assessor.Token, map[string]string{"questions": questions}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/information-responses", tm.applicant.Token, map[string]string{"answer": answer}, 200)
	at := tm.clock.Now().Add(48 * time.Hour).Truncate(time.Minute)
	tm.post(t, "/api/v1/cases/"+id+"/interview", tm.assessor.Token, map[string]any{"at": at.Format(time.RFC3339), "place": place}, 200)
	// The verifier taken off: the case is back in the queue, which Nina,
	// qualified and on no role of it, may open to claim.
	tm.post(t, "/api/v1/cases/"+id+"/assignments/verifier/unassignment", tm.admin, map[string]any{"reason": "Away for a month"}, 200)
	nina := tm.newAssessor(t, "nina@example.org", "Nina New")

	texts := []string{screening, questions, answer, place}
	// check has each reader read the case id; nina may claim it.
	check := func(when, id string, texts []string, withheld []string) {
		t.Helper()
		for _, who := range []struct {
			name, token string
			sees        bool
		}{{"applicant", tm.applicant.Token, true}, {"office", tm.admin, true}, {"assessor on the case", tm.assessor.Token, true}, {"assessor who may claim", nina.Token, false}} {
			c := tm.get(t, "/api/v1/cases/"+id, who.token)
			view := fmt.Sprint(c)
			hist := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", who.token), 200).Body)
			for _, s := range texts {
				if who.sees && (!strings.Contains(view, s) || !strings.Contains(hist, s)) {
					t.Errorf("%s: the %s does not read %q in the case view (%v) and its history (%v)", when, who.name, s, strings.Contains(view, s), strings.Contains(hist, s))
				}
				if !who.sees && (strings.Contains(view, s) || strings.Contains(hist, s)) {
					t.Errorf("%s: the %s reads %q in the case view (%v) or its history (%v)", when, who.name, s, strings.Contains(view, s), strings.Contains(hist, s))
				}
			}
			var got []string
			for _, w := range asSlice(c["withheld"]) {
				got = append(got, w.(string))
			}
			want := withheld
			if who.sees {
				want = nil
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: the %s's case view withholds %v, want %v", when, who.name, got, want)
			}
			if !who.sees {
				if !strings.Contains(hist, "what passed between the applicant and the EMCC office") {
					t.Errorf("%s: the %s's history does not say that a text is hidden", when, who.name)
				}
				// What they would assess is there.
				if len(asSlice(c["self_assessment"])) == 0 || c["portfolio"] == nil {
					t.Errorf("%s: the %s does not read the application: %v", when, who.name, c)
				}
			}
		}
	}
	check("in the queue", id, texts, []string{"screening.reason", "information_requests", "interview.place"})

	// Once she claims the role, she reads them.
	tm.post(t, "/api/v1/cases/"+id+"/claim", nina.Token, map[string]string{"role": "verifier"}, 200)
	c := tm.get(t, "/api/v1/cases/"+id, nina.Token)
	if view := fmt.Sprint(c); c["withheld"] != nil || !strings.Contains(view, questions) || !strings.Contains(view, place) {
		t.Fatalf("the verifier who claimed the case: withheld %v, reads the request %v and the place %v", c["withheld"], strings.Contains(view, questions), strings.Contains(view, place))
	}

	// Another case: an appeal upheld back to assessment, the verifier
	// taken off. The appeal's grounds and reasons are proceedings too, and
	// the verifier who assessed the first case may claim this one.
	other := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+other+"/submit", tm.applicant.Token, declared, 200)
	tm.post(t, "/api/v1/cases/"+other+"/screening", tm.admin, map[string]string{"outcome": "accepted", "reason": screening}, 200)
	tm.post(t, "/api/v1/cases/"+other+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
	tm.post(t, "/api/v1/cases/"+other+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}, 200)
	tm.post(t, "/api/v1/cases/"+other+"/assessments", tm.assessor.Token, tm.assessmentBody(t, other, allRatings("partially_evidenced", nil), "not_award", "Too thin."), 200)
	tm.post(t, "/api/v1/cases/"+other+"/assessments", tm.verifier.Token, tm.assessmentBody(t, other, allRatings("partially_evidenced", nil), "not_award", "Agree."), 200)
	tm.post(t, "/api/v1/cases/"+other+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not enough depth."}, 200)
	tm.post(t, "/api/v1/cases/"+other+"/appeal", tm.applicant.Token, map[string]string{"grounds": grounds}, 200)
	tm.post(t, "/api/v1/cases/"+other+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": upheld, "return_to": "assessment"}, 200)
	tm.post(t, "/api/v1/cases/"+other+"/assignments/verifier/unassignment", tm.admin, map[string]any{"reason": "Fresh eyes for the appeal"}, 200)
	check("after an appeal", other, []string{screening, grounds, upheld}, []string{"screening.reason", "appeals", "evidence.files"})
}
