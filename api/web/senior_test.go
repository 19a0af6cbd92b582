package web_test

import (
	"fmt"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestBrowserSeniorPractitionerWithFeePortfolioAndPanel is the parts of the
// EIA Senior Practitioner journey that TestBrowserInterviewAtSeniorPractitioner
// and TestBrowserEIAJourney leave to the API (issue 13, "Done means"), in a
// real browser, under a version of the rules with NOBCO's written portfolio,
// a fee and a panel of two: the checklist counts the learning journals
// uploaded; the applicant submits with both declarations and is asked to
// pay; the office records the payment and screens; after the interview and
// both assessments the office decides, refused with a panel of one and
// awarded by two.
func TestBrowserSeniorPractitionerWithFeePortfolioAndPanel(t *testing.T) {
	carla := browser(t)
	w := newWorld(t)
	carla.base = w.in.URL
	all := func(v float64) map[string]any {
		return map[string]any{"foundation": v, "practitioner": v, "senior_practitioner": v, "master_practitioner": v}
	}
	Expect(t, w.in.Post(t, "/api/v1/rulesets", w.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "evidence_case_study", "values": all(1), "source": "nobco.nl/wat-moet-je-aantonen-voor-eia-certificering"},
		{"name": "evidence_learning_journal", "values": all(5), "source": "nobco.nl/wat-moet-je-aantonen-voor-eia-certificering"},
		{"name": "fee", "values": map[string]any{"senior_practitioner": 600}},
		{"name": "panel_quorum", "values": all(2)},
	}}), 201)
	me := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	id := Expect(t, w.in.Post(t, "/api/v1/cases", me.Token, map[string]any{"scheme": "EIA", "level": "senior_practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/portfolio", me.Token, map[string]any{"first_practice_date": "2019-01-15", "client_hours": 300, "client_count": 25,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	var cats []map[string]any
	for cat := 1; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("My senior practice in category %d", cat)})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", me.Token, map[string]any{"categories": cats}), 200)
	upload := func(kind, title string) {
		t.Helper()
		Expect(t, w.in.Upload(t, id, me.Token, map[string]string{"kind": kind, "title": title, "categories": "1"}, kind+".pdf", pdf, nil), 201)
	}
	upload("case_study", "A year with a leadership team")
	for i := 1; i <= 4; i++ {
		upload("learning_journal", fmt.Sprintf("Learning journal %d", i))
	}

	// The checklist counts the journals uploaded; the fifth completes it.
	carla.login(me.Email, me.Password)
	carla.open("/applications/" + id)
	carla.see("Learning journals uploaded: at least 5 (now 4)")
	if !js[bool](carla, `document.querySelector("#submit-application").disabled`) {
		t.Fatal("the submit button is enabled with four learning journals")
	}
	upload("learning_journal", "Learning journal 5")
	carla.open("/applications/" + id)
	carla.see("Everything is in place. You can submit.")
	carla.click("#f-declaration_code_of_ethics")
	carla.click("#f-declaration_diversity")
	carla.submit("#submit-application")
	carla.see("Your application is submitted", "Pay the fee of EUR 600 to the EMCC office")

	// The office records the payment, then screens.
	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.open("/office/cases/" + id)
	office.see("EUR 600, not yet paid")
	office.click("#f-status-paid")
	office.fill("#f-reference", "INV-2026-0042")
	office.submit(`form[action$="/payment"] button[type=submit]`)
	office.see("The payment is recorded.", "EUR 600, paid")
	office.click("#f-outcome-accepted")
	office.submit(`form[action$="/screen"] button[type=submit]`)
	office.see("The screening is recorded.")

	// The interview and both assessments (in the browser in
	// TestBrowserInterviewAtSeniorPractitioner).
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/interview", w.admin, map[string]any{"at": start.Add(time.Hour), "place": "EMCC office"}), 200)
	w.clock.Set(start.Add(2 * time.Hour))
	for _, u := range []User{w.assessor, w.verifier} {
		u.Token = w.in.Login(t, u.Email, u.Password)
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/interview/record", u.Token, map[string]any{"notes": "Reflective."}), 200)
		var ratings []map[string]any
		for cat := 1; cat <= 8; cat++ {
			ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced", "notes": "ok"})
		}
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assessments", u.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Senior practice."}), 200)
	}

	// The panel: one member is refused, naming the quorum; two award.
	rita := w.in.CreateUser(t, w.admin, "office", "rita@example.org", "Rita Panel")
	otto := w.in.CreateUser(t, w.admin, "office", "otto@example.org", "Otto Panel")
	office.open("/office/cases/" + id)
	office.click("#f-outcome-awarded")
	// The form puts the recording user on the panel; take them off.
	js[bool](office, `(() => { document.querySelectorAll("select[id^='f-vote_']").forEach(s => s.value = ""); return true; })()`)
	office.set("#f-vote_"+rita.ID, "for")
	office.fill("#f-rationale", "The panel follows the assessors.")
	office.submit(`form[action$="/decide"] button[type=submit]`)
	office.see("There is a problem", "the quorum is 2")
	office.click("#f-outcome-awarded")
	js[bool](office, `(() => { document.querySelectorAll("select[id^='f-vote_']").forEach(s => s.value = ""); return true; })()`)
	office.set("#f-vote_"+rita.ID, "for")
	office.set("#f-vote_"+otto.ID, "for")
	office.submit(`form[action$="/decide"] button[type=submit]`)
	office.see("The decision is recorded.", "Awarded")

	carla.open("/applications/" + id)
	carla.see("Awarded", "The panel follows the assessors.")
}
