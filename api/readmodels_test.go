package api_test

import (
	"fmt"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/projections"
)

// readAt reads path as tok once the read side has applied seq.
func (tm *team) readAt(t *testing.T, path, tok string, seq float64) map[string]any {
	t.Helper()
	sep := "?"
	for _, c := range path {
		if c == '?' {
			sep = "&"
		}
	}
	p := fmt.Sprintf("%s%smin_seq=%d", path, sep, int64(seq))
	return Expect(t, Retry(t, func(map[string]string) Response { return tm.in.Get(t, p, tok) }), 200).Map(t)
}

// A case withdrawn while in assessment is no open work of its assessors':
// the office's workload figures agree with the queue filtered to them,
// which no longer holds it (and the dashboard does not call a disabled
// assessor's withdrawn case one in progress).
func TestAWithdrawnCaseIsNoOpenWorkOfItsAssessors(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	open := func(seq float64) float64 {
		t.Helper()
		for _, x := range tm.readAt(t, "/api/v1/stats", tm.admin, seq)["stats"].(map[string]any)["assessor_workload"].([]any) {
			if x := x.(map[string]any); x["user_id"] == tm.assessor.ID {
				return x["open"].(float64)
			}
		}
		return 0
	}
	if n := open(float64(lastSeq(t, tm.in))); n != 1 {
		t.Fatalf("in assessment: the assessor's open workload is %v, want 1", n)
	}
	w := tm.post(t, "/api/v1/cases/"+id+"/withdraw", tm.applicant.Token, map[string]string{"reason": "Moving abroad."}, 200)
	if n := len(tm.readAt(t, "/api/v1/queue?assessor_id="+tm.assessor.ID, tm.admin, w["seq"].(float64))["cases"].([]any)); n != 0 {
		t.Fatalf("the office queue filtered to the assessor holds %d cases after the withdrawal", n)
	}
	if n := open(w["seq"].(float64)); n != 0 {
		t.Fatalf("withdrawn: the assessor's open workload is %v, want 0", n)
	}
}

// A renewal left open when the accreditation is revoked waits for nobody:
// every step on it is refused, so it leaves the assessor's and the
// office's renewal lists.
func TestARenewalOfARevokedAccreditationLeavesTheLists(t *testing.T) {
	tm := newTeam(t)
	_, acc := tm.awardedCase(t)
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	tm.post(t, "/api/v1/accreditations/"+acc+"/renewal", tm.applicant.Token, eiaRenewalBody(), 200)
	a := tm.post(t, "/api/v1/accreditations/"+acc+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": tm.verifier.ID}, 200)
	listed := func(seq float64) []projections.RenewalItem {
		t.Helper()
		// The read side has applied seq: /api/v1/me is not read from the
		// read models and takes no min_seq, so it waited for nothing.
		tm.readAt(t, "/api/v1/stats", tm.admin, seq)
		var out []projections.RenewalItem
		tm.in.App.Reads.Read(func(s *projections.Set) { out = s.Typed().Cases.Renewals("", "") })
		return out
	}
	if l := listed(a["seq"].(float64)); len(l) != 1 || l[0].State != accreditation.StateRenewalInAssessment || l[0].AssessorID != tm.verifier.ID {
		t.Fatalf("the renewal given to the verifier: %+v", l)
	}
	r := tm.post(t, "/api/v1/accreditations/"+acc+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint upheld."}, 200)
	Expect(t, tm.in.Post(t, "/api/v1/accreditations/"+acc+"/renewal/assessment", tm.verifier.Token, map[string]string{"outcome": "renew", "rationale": "Fine."}), 409)
	if l := listed(r["seq"].(float64)); len(l) != 0 {
		t.Fatalf("the renewal lists after the accreditation was revoked: %+v", l)
	}
}

// calibrationOf is the calibration report's figures of each assessor, by
// user id, once the read side has applied seq.
func (tm *team) calibrationOf(t *testing.T, tok string, seq float64) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, a := range tm.readAt(t, "/api/v1/calibration", tok, seq)["assessors"].([]any) {
		a := a.(map[string]any)
		out[a["user_id"].(string)] = a
	}
	return out
}

// Both assessors recommend the award at the level applied for; the panel
// awards one level lower; the appeal is upheld. The decision had not gone
// the assessors' way, so the appeal is not against them.
func TestAnAppealUpheldAgainstALowerAwardIsNotAgainstTheAssessors(t *testing.T) {
	tm := newTeam(t)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id) // both recommend "award", at practitioner
	tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "foundation", "rationale": "One level lower."}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "Both assessors said practitioner."}, 200)
	r := tm.post(t, "/api/v1/cases/"+id+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "The assessors were right.", "return_to": "decision"}, 200)
	for who, a := range tm.calibrationOf(t, tm.admin, r["seq"].(float64)) {
		if a["appealed"].(float64) != 1 || a["appealed_against"].(float64) != 0 {
			t.Errorf("assessor %s: appealed %v, appealed_against %v; want 1 and 0: the decision had not gone their way", who, a["appealed"], a["appealed_against"])
		}
	}
}

// Both assessors recommend no award; refused, appealed and upheld back to
// the decision twice, on the same two assessments: each assessment is
// counted appealed, and overturned, once.
func TestAnAssessmentAppealedTwiceCountsOnce(t *testing.T) {
	tm := newTeam(t)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	otto := tm.in.CreateUser(t, tm.admin, "office", "otto@example.org", "Otto Reviewer")
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("partially_evidenced", nil), "not_award", "Thin."), 200)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("partially_evidenced", nil), "not_award", "Thin."), 200)
	var r map[string]any
	for _, reviewer := range []User{rita, otto} {
		tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not enough."}, 200)
		tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "Look again."}, 200)
		r = tm.post(t, "/api/v1/cases/"+id+"/appeal/decision", reviewer.Token, map[string]string{"outcome": "upheld", "rationale": "Decide again.", "return_to": "decision"}, 200)
	}
	for who, a := range tm.calibrationOf(t, tm.admin, r["seq"].(float64)) {
		if a["assessments"].(float64) != 1 || a["appealed"].(float64) != 1 || a["appealed_against"].(float64) != 1 || a["overturned"].(float64) != 1 {
			t.Errorf("assessor %s: %v assessments, appealed %v, appealed_against %v, overturned %v; want 1, 1, 1, 1", who, a["assessments"], a["appealed"], a["appealed_against"], a["overturned"])
		}
	}
}

// The assessor assesses on 31 March, the verifier on 1 April: each one's
// pairs are counted in the quarter they assessed in, as their quarter's
// report is "by when they assessed".
func TestPairsCountInTheQuarterEachAssessed(t *testing.T) {
	tm := newTeam(t)
	tm.setClock(t, time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC))
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Fine."), 200)
	tm.setClock(t, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	r := tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("partially_evidenced", nil), "award", "Fine."), 200)
	for who, want := range map[string]string{tm.assessor.ID: "2026-Q1", tm.verifier.ID: "2026-Q2"} {
		quarters := asSlice(tm.calibrationOf(t, tm.admin, r["seq"].(float64))[who]["quarters"])
		if len(quarters) != 1 {
			t.Fatalf("%s: quarters %v; want one, %s", who, quarters, want)
		}
		if q := quarters[0].(map[string]any); q["quarter"] != want || q["assessments"].(float64) != 1 || q["pairs"].(float64) == 0 {
			t.Errorf("%s: %v; want the assessment and its pairs in %s", who, q, want)
		}
	}
}
