package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// A conflict of interest the office records on an assessor's profile after
// they took a role: the office's case page says so beside the form that
// gives the role to someone else, and the assessor's workspace says why
// they can no longer assess.
func TestAConflictDeclaredLaterIsShownOnTheCase(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	w.newAssessor(t, "nina@example.org", "Nina Newcomer") // someone to give the role to

	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	form := `<form method="post" action="/assess/` + caseID + `"`
	if a := anna.get("/assess/" + caseID); !strings.Contains(a.Body, form) || strings.Contains(a.Body, `id="conflicted"`) {
		t.Fatalf("before the declaration: the workspace has no assessment form, or speaks of a conflict: %.3000s", a.Body)
	}
	Expect(t, w.in.Put(t, "/api/v1/users/"+w.assessor.ID+"/assessor-profile", w.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{carla.ID}}), 200)

	if a := anna.get("/assess/" + caseID); strings.Contains(a.Body, form) || !strings.Contains(a.Body, "You have declared a conflict of interest with this applicant") {
		t.Fatalf("after the declaration the workspace still offers the assessment, or does not say why not: %.4000s", a.Body)
	}
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	c := office.get("/office/cases/" + caseID)
	if !strings.Contains(c.Body, `id="conflicted-assessor"`) || !strings.Contains(c.Body, "Anna Assessor, the assessor of this case, has declared a conflict of interest") ||
		!strings.Contains(c.Body, `href="#role-change-assessor"`) {
		t.Fatalf("the office's case page does not show the conflict with the way to reassign: %.5000s", c.Body)
	}
}
