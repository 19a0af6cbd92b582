package web_test

import (
	"slices"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestNextStepAfterAnUpheldAppealAndASecondRefusal: the new refusal can be
// appealed, so the API's step, its allowed actions and every page agree on
// it. The web once worked the step out itself from "was the case ever
// appealed" and said "None." above the appeal form (issue 12).
func TestNextStepAfterAnUpheldAppealAndASecondRefusal(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	refuse := func() {
		t.Helper()
		Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/decision", w.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not yet at the level."}), 200)
	}
	refuse()
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/appeal", carla.Token, map[string]string{"grounds": "My supervision log was overlooked."}), 200)
	rita := w.in.CreateUser(t, w.admin, "office", "rita@example.org", "Rita Reviewer")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "Look again.", "return_to": "decision"}), 200)
	refuse()

	// The shipped rules set no appeal period (nobody publishes one): the
	// appeal is open, with no date to give.
	v := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)
	next, _ := v["next"].(map[string]any)
	if _, ok := v["appeal_deadline"]; ok || next["key"] != "not_awarded" || next["appeal"] != true || next["appeal_by"] != nil {
		t.Fatalf("next: got %v (appeal_deadline %v), want not_awarded with the appeal open and no date", next, v["appeal_deadline"])
	}
	if !slices.ContainsFunc(v["allowed_actions"].([]any), func(a any) bool { return a == "appeal" }) {
		t.Fatalf("allowed actions: got %v, want appeal among them", v["allowed_actions"])
	}
	if s := v["next_step"].(string); s != "none, unless the applicant appeals" {
		t.Fatalf("next_step: got %q, want the appeal", s)
	}

	staff, mine := "None, unless the applicant appeals.", "If you disagree with the decision, you can appeal."
	applicant, office := w.client(t), w.client(t)
	applicant.login(carla.Email, carla.Password)
	office.login(AdminEmail, AdminPassword)
	for _, tc := range []struct {
		who  string
		c    *client
		path string
		form bool   // the appeal form is offered
		want string // the next step, written to its reader
	}{
		{"applicant", applicant, "/applications/" + caseID, true, mine},
		{"applicant", applicant, "/applications", false, mine},
		{"office", office, "/office/cases/" + caseID, false, staff},
	} {
		p := tc.c.get(tc.path)
		if p.Status != 200 || !strings.Contains(p.Body, tc.want) {
			t.Errorf("%s GET %s: got %d, want the next step %q", tc.who, tc.path, p.Status, tc.want)
		}
		if got := strings.Contains(p.Body, `action="/applications/`+caseID+`/appeal"`); got != tc.form {
			t.Errorf("%s GET %s: appeal form shown %v, want %v", tc.who, tc.path, got, tc.form)
		}
	}
}

// TestTheOfficeReadsADraftsNextStepAsTheApplicants: the office's page of
// a draft said "You complete the portfolio, evidence and self-assessment,
// then submit." to the office, which does none of it; every other step
// names who acts, as the API's next_step does ("the applicant completes
// ..."). The applicant is still addressed as "you".
func TestTheOfficeReadsADraftsNextStepAsTheApplicants(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	office := w.officeClient(t)
	for lang, want := range map[string]string{
		"en": "The applicant completes the portfolio, evidence and self-assessment, then submits.",
		"nl": "De aanvrager vult het portfolio, het bewijs en de zelfevaluatie aan en dient de aanvraag dan in.",
	} {
		office.setLang(lang)
		if a := office.get("/office/cases/" + caseID); !strings.Contains(a.Body, want) {
			t.Errorf("%s: the office's page of a draft does not say %q", lang, want)
		}
	}
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	if a := c.get("/applications/" + caseID); !strings.Contains(a.Body, "Complete your portfolio, evidence and self-assessment") {
		t.Errorf("the applicant is not addressed as you")
	}
}
