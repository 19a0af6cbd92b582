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

// TestTheDutchRenewalMailSaysTeruggestuurd: a renewal returned to its
// holder is "teruggestuurd" in the Dutch email and in the account page's
// email choices, as the renewal's own page says (Teruggestuurd naar de
// houder), not "teruggegeven".
func TestTheDutchRenewalMailSaysTeruggestuurd(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	me := w.client(t)
	me.login(carla.Email, carla.Password)
	me.setLang("nl")
	account := me.get("/account").Body
	choices := url.Values{"language": {"nl"}}
	for _, m := range regexp.MustCompile(`name="receive" value="([a-z_]+)"`).FindAllStringSubmatch(account, -1) {
		choices.Add("receive", m[1])
	}
	if !strings.Contains(account, "Verlenging beoordeeld (verlengd, geweigerd of teruggestuurd)") {
		t.Error("the Dutch account page does not name the renewal's email as its page names a returned renewal")
	}
	if a := me.post("/account/notifications", choices, true); a.Status != http.StatusSeeOther {
		t.Fatalf("choose Dutch email: got %d", a.Status)
	}
	var years []map[string]any
	for range 5 {
		years = append(years, map[string]any{"practice_hours": 30, "supervision_hours": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "cpd_hours": 20})
	}
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal", carla.Token, map[string]any{"years": years,
		"reflection": "Five years.", "declarations": []string{"code_of_ethics", "diversity"}}), 200)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", w.admin, map[string]string{"assessor_id": w.assessor.ID}), 200)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", w.assessor.Token, map[string]string{"outcome": "return", "rationale": "Say more."}), 200)
	m := w.mailOf(t, "renewal_outcome")
	body, _ := Expect(t, w.in.Get(t, "/api/v1/outbox/"+m["id"].(string), w.admin), 200).Map(t)["body"].(string)
	if m["language"] != "nl" || !strings.Contains(body, "is naar u teruggestuurd") || strings.Contains(body, "teruggegeven") {
		t.Errorf("the Dutch mail on a returned renewal (%v): %s", m["language"], body)
	}
}
