package api_test

import (
	"slices"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// declareConflict has the office record on assessor u's profile a conflict
// of interest with the team's applicant.
func (tm *team) declareConflict(t *testing.T, u User) {
	t.Helper()
	Expect(t, tm.in.Put(t, "/api/v1/users/"+u.ID+"/assessor-profile", tm.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{tm.applicant.ID}}), 200)
}

func conflictedRoles(v map[string]any) []string {
	var out []string
	for _, r := range asSlice(v["conflicted_roles"]) {
		out = append(out, r.(string))
	}
	return out
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// An assessor who declares a conflict of interest with the applicant after
// taking a role takes no further step on the case: the office sees the
// role to give to someone else, the assessor sees why they can do nothing,
// and the next holder goes on.
func TestAConflictDeclaredAfterTakingARoleStopsTheAssessor(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	body := tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Consistent evidence.")
	if v := tm.get(t, "/api/v1/cases/"+id, tm.assessor.Token); !slices.Contains(asSlice(v["allowed_actions"]), any("assess")) || v["conflicted_roles"] != nil {
		t.Fatalf("before the declaration the assessor may assess and holds nothing in conflict: %v, %v", v["allowed_actions"], v["conflicted_roles"])
	}
	tm.declareConflict(t, tm.assessor)

	v := tm.get(t, "/api/v1/cases/"+id, tm.assessor.Token)
	if got := conflictedRoles(v); !slices.Equal(got, []string{"assessor"}) || len(asSlice(v["allowed_actions"])) != 0 {
		t.Fatalf("the conflicted assessor's view: conflicted_roles %v, allowed_actions %v; want [assessor] and none", got, v["allowed_actions"])
	}
	wantProblem(t, tm.in.Post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, body), 409, "conflict of interest")
	wantProblem(t, tm.in.Post(t, "/api/v1/cases/"+id+"/information-requests", tm.assessor.Token, map[string]any{"questions": "Why?"}), 409, "conflict of interest")
	if got := conflictedRoles(tm.get(t, "/api/v1/cases/"+id, tm.admin)); !slices.Equal(got, []string{"assessor"}) {
		t.Fatalf("the office's view: conflicted_roles %v, want [assessor]", got)
	}
	if got := conflictedRoles(tm.get(t, "/api/v1/cases/"+id, tm.verifier.Token)); got != nil {
		t.Fatalf("the verifier's view names another's conflict: %v", got)
	}
	if got := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["conflicted_roles"]; got != nil {
		t.Fatalf("the applicant's view names the assessors' conflicts: %v", got)
	}
	// The verifier, with no conflict, goes on.
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Agree."), 200)

	nina := tm.newAssessor(t, "nina@example.org", "Nina New")
	nina.Token = tm.in.Login(t, nina.Email, nina.Password)
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/assignments/assessor", tm.admin, map[string]any{"assessor_id": nina.ID, "reason": "Anna declared a conflict of interest."}), 200)
	if got := conflictedRoles(tm.get(t, "/api/v1/cases/"+id, tm.admin)); got != nil {
		t.Fatalf("after the reassignment the office still sees %v in conflict", got)
	}
	if d := tm.post(t, "/api/v1/cases/"+id+"/assessments", nina.Token, body, 200); d["state"] != "awaiting_decision" {
		t.Fatalf("the new assessor's assessment: state %v", d["state"])
	}
}

// The same holds for the assessor of a renewal.
func TestAConflictStopsTheRenewalsAssessor(t *testing.T) {
	tm := newTeam(t)
	id, accID := tm.awardedCase(t)
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	renata := tm.newAssessor(t, "renata@example.org", "Renata Renewals")
	renata.Token = tm.in.Login(t, renata.Email, renata.Password)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, eiaRenewalBody(), 200)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": renata.ID}, 200)
	tm.declareConflict(t, renata)

	assess := map[string]string{"outcome": "renew", "rationale": "Five years evidenced."}
	wantProblem(t, tm.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", renata.Token, assess), 409, "conflict of interest")
	if got := conflictedRoles(tm.get(t, "/api/v1/cases/"+id, tm.admin)); !slices.Contains(got, "renewal_assessor") {
		t.Fatalf("the office's view: conflicted_roles %v, want renewal_assessor among them", got)
	}
	nina := tm.newAssessor(t, "nina@example.org", "Nina New")
	nina.Token = tm.in.Login(t, nina.Email, nina.Password)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": nina.ID}, 200)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", nina.Token, assess, 200)
}
