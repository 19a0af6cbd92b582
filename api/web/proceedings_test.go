package web_test

import (
	"html"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheWorkspaceOfACaseInTheQueueWithholdsItsProceedings: an assessor
// who may claim a case reads its application in the workspace, not what
// passed between the applicant and the office (here the information asked
// and answered, and why the screening went as it did), and the page says
// so, in English and in Dutch; the assessor on the case reads them and is
// told of nothing withheld.
func TestTheWorkspaceOfACaseInTheQueueWithholdsItsProceedings(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	const reason, questions, answer = "Accepted once her employer confirmed the log", "Who signed the reference?", "Dr Sup Ervisor, of my clinic"
	id := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted", "reason": reason}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/information-requests", w.assessor.Token, map[string]string{"questions": questions}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/information-responses", carla.Token, map[string]string{"answer": answer}), 200)
	// The verifier taken off: the case is back in the queue.
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments/verifier/unassignment", w.admin, map[string]any{"reason": "Away for a month"}), 200)
	quinn := w.newAssessor(t, "quinn@example.org", "Quinn Queue")

	for _, who := range []struct {
		name string
		u    User
		sees bool
	}{{"the assessor on the case", w.assessor, true}, {"an assessor who may claim it", quinn, false}} {
		for lang, notice := range map[string]string{"en": "Until you take a role on this case", "nl": "Zolang u geen rol op deze zaak hebt"} {
			c := w.client(t)
			c.login(who.u.Email, who.u.Password)
			c.setLang(lang)
			page := c.get("/assess/" + id)
			if page.Status != 200 {
				t.Fatalf("%s, %s: the workspace answered %d", who.name, lang, page.Status)
			}
			body := page.Body
			for _, s := range []string{reason, questions, answer} {
				if got := strings.Contains(body, html.EscapeString(s)); got != who.sees {
					t.Errorf("%s, %s: reads %q in the workspace: %v, want %v", who.name, lang, s, got, who.sees)
				}
			}
			shown := strings.Contains(body, `id="withheld"`) && strings.Contains(body, html.EscapeString(notice))
			if shown == who.sees {
				t.Errorf("%s, %s: the notice of what is withheld shown: %v, want %v", who.name, lang, shown, !who.sees)
			}
		}
	}
}
