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
	if n := open(0); n != 1 {
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
		tm.readAt(t, "/api/v1/me", tm.admin, seq) // the read side has applied seq
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
