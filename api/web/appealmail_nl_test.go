package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheDutchAppealMailSaysGegrond: the Dutch email on a decided appeal
// calls it gegrond or ongegrond, as the applicant's pages do (Beroep
// gegrond), not toegewezen or afgewezen.
func TestTheDutchAppealMailSaysGegrond(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	me := w.client(t)
	me.login(carla.Email, carla.Password)
	choices := url.Values{"language": {"nl"}}
	for _, m := range regexp.MustCompile(`name="receive" value="([a-z_]+)"`).FindAllStringSubmatch(me.get("/account").Body, -1) {
		choices.Add("receive", m[1])
	}
	if a := me.post("/account/notifications", choices, true); a.Status != http.StatusSeeOther {
		t.Fatalf("choose Dutch email: got %d", a.Status)
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/decision", w.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not yet at the level."}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/appeal", carla.Token, map[string]string{"grounds": "My supervision log was overlooked."}), 200)
	rita := w.in.CreateUser(t, w.admin, "office", "rita@example.org", "Rita Reviewer")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "Look again.", "return_to": "decision"}), 200)
	m := w.mailOf(t, "appeal_outcome")
	body, _ := Expect(t, w.in.Get(t, "/api/v1/outbox/"+m["id"].(string), w.admin), 200).Map(t)["body"].(string)
	if m["language"] != "nl" || !strings.Contains(body, "is beslist: het beroep is gegrond.") || strings.Contains(body, "toegewezen") {
		t.Errorf("the Dutch mail on an upheld appeal (%v): %s", m["language"], body)
	}
}
