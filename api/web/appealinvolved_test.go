package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAnOfficeUserWhoDecidedTheCaseIsToldAnotherDecidesTheAppeal: an
// appeal is decided by an office user not involved before, so the one who
// recorded the decision gets no form to decide it; their case page, of a
// case under appeal, said nothing of the appeal, and gave no way on. It
// shows the grounds and says another office user decides the appeal, in
// the page's language; an office user not involved gets the form.
func TestAnOfficeUserWhoDecidedTheCaseIsToldAnotherDecidesTheAppeal(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/decision", w.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not yet."}), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/appeal", carla.Token, map[string]string{"grounds": "My supervisor's reference was not read."}), 200))

	decider := w.officeClient(t)
	for _, tc := range []struct{ lang, want string }{
		{"en", "You took part in this case, so another office user, not involved before, decides the appeal."},
		{"nl", "U was bij dit dossier betrokken, dus een andere medewerker van het bureau, die er nog niet bij betrokken was, beslist over het beroep."},
	} {
		decider.setLang(tc.lang)
		page := decider.get("/office/cases/" + caseID).Body
		if !strings.Contains(page, tc.want) || !strings.Contains(page, "My supervisor&#39;s reference was not read.") {
			t.Errorf("%s: the office user who decided: want the appeal's grounds and %q", tc.lang, tc.want)
		}
		if strings.Contains(page, "/appeal-decision") {
			t.Errorf("%s: the office user who decided is offered the appeal's decision", tc.lang)
		}
	}

	olga := w.in.CreateUser(t, w.admin, "office", "olga@example.org", "Olga Office")
	reviewer := w.client(t)
	reviewer.login(olga.Email, olga.Password)
	page := reviewer.get("/office/cases/" + caseID).Body
	if !strings.Contains(page, `action="/office/cases/`+caseID+`/appeal-decision"`) || strings.Contains(page, `id="appeal-involved"`) {
		t.Error("an office user not involved: want the form to decide the appeal and no word that another decides it")
	}
}
