package web_test

import (
	"net/http"
	"net/url"
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

// A profile the office lowers after the assessor took a role (here a
// language taken off): the assessor's user page and the office's queue
// mark the case, the case page says why beside the form that gives the
// role to someone else, and the workspace tells the assessor, in English
// and Dutch.
func TestAProfileLoweredIsShownOnTheCase(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)

	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	form := `<form method="post" action="/assess/` + caseID + `"`
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	if a, u := anna.get("/assess/"+caseID), office.get("/office/users/"+w.assessor.ID); !strings.Contains(a.Body, form) || strings.Contains(a.Body, `id="barred"`) ||
		strings.Contains(u.Body, "No longer meets the role") || strings.Contains(u.Body, `id="held-barred"`) || strings.Contains(anna.get("/queue").Body, "no longer meets this role") ||
		strings.Contains(office.get("/office").Body, "profile no longer meets the role they hold") || strings.Contains(office.get("/office/cases").Body, `id="barred-`) {
		t.Fatalf("before the change: the workspace has no assessment form or speaks of a bar, or the user page marks a case: %.3000s", a.Body)
	}
	Expect(t, w.in.Put(t, "/api/v1/users/"+w.assessor.ID+"/assessor-profile", w.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"nl"}, "conflicts": []string{}}), 200)

	if q := anna.get("/queue"); !strings.Contains(q.Body, "Your profile no longer meets this role") {
		t.Fatalf("the assessor's queue does not mark the case: %.4000s", q.Body)
	}
	if a := anna.get("/assess/" + caseID); strings.Contains(a.Body, form) || !strings.Contains(a.Body, `id="barred"`) ||
		!strings.Contains(a.Body, "Your assessor profile no longer meets the conditions of your role") || !strings.Contains(a.Body, "Does not assess in English, the language of the case.") {
		t.Fatalf("after the change the workspace still offers the assessment, or does not say why not: %.4000s", a.Body)
	}
	// A step sent from a page opened before the change (a second tab) is
	// refused in the reader's words, not the API's English.
	anna.setLang("nl")
	r := anna.post("/assess/"+caseID+"/request-information", url.Values{"questions": {"Which supervisor signed the log?"}}, true)
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Uw assessorprofiel voldoet niet meer aan de voorwaarden van uw rol in dit dossier") || strings.Contains(r.Body, "no longer meet") {
		t.Fatalf("a question after the change: status %d, want 409 said in Dutch: %.4000s", r.Status, r.Body)
	}
	c := office.get("/office/cases/" + caseID)
	if !strings.Contains(c.Body, `id="barred-assessor"`) || !strings.Contains(c.Body, "Anna Assessor, the assessor of this case, no longer meets the role&#39;s conditions") ||
		!strings.Contains(c.Body, "Does not assess in English") || !strings.Contains(c.Body, `href="#role-change-assessor"`) || strings.Contains(c.Body, `id="conflicted-assessor"`) {
		t.Fatalf("the office's case page does not show the bar with the way to reassign: %.5000s", c.Body)
	}
	if d := office.get("/office"); !strings.Contains(d.Body, "Anna Assessor&#39;s profile no longer meets the role they hold on a case in progress") ||
		!strings.Contains(d.Body, `href="/office/users/`+w.assessor.ID+`#held"`) {
		t.Fatalf("the dashboard does not say the barred assessor's case waits: %.6000s", d.Body)
	}
	if q := office.get("/office/cases"); !strings.Contains(q.Body, `id="barred-assessor-`+caseID+`"`) || strings.Contains(q.Body, `id="barred-verifier-`) {
		t.Fatalf("the office's queue does not mark the barred assessor (and only them): %.6000s", q.Body)
	}
	u := office.get("/office/users/" + w.assessor.ID)
	if !strings.Contains(u.Body, "No longer meets the role&#39;s conditions</span> Does not assess in English") || !strings.Contains(u.Body, `id="held-barred"`) {
		t.Fatalf("the assessor's user page does not mark the case: %.5000s", u.Body)
	}
	office.setLang("nl")
	if c := office.get("/office/cases/" + caseID); !strings.Contains(c.Body, "voldoet sinds de wijziging van het assessorprofiel niet meer") || !strings.Contains(c.Body, "Beoordeelt niet in het Engels") {
		t.Fatalf("the Dutch case page: %.5000s", c.Body)
	}
}
