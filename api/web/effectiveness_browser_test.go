package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// assessAndDecide screens a submitted EIA practitioner case, has both
// assessors rate every category rating and recommend the award, and
// awards it days later.
func (w *world) assessAndDecide(t testing.TB, id, rating string, days int) {
	t.Helper()
	w.admin = w.in.AdminToken(t)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	for _, u := range []*User{&w.assessor, &w.verifier} {
		u.Token = w.in.Login(t, u.Email, u.Password)
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	for _, u := range []User{w.assessor, w.verifier} {
		var ratings []map[string]any
		for cat := 1; cat <= 8; cat++ {
			ratings = append(ratings, map[string]any{"category": cat, "rating": rating, "notes": "ok"})
		}
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assessments", u.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Consistent evidence."}), 200)
	}
	w.clock.Advance(time.Duration(days) * 24 * time.Hour)
	w.admin = w.in.AdminToken(t) // a login lasts 12 hours
	d := Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/decision", w.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}), 200).Map(t)
	// The pages read the read models: wait until they hold the decision.
	Expect(t, Retry(t, func(map[string]string) Response {
		return w.in.Get(t, fmt.Sprintf("/api/v1/stats?min_seq=%d", int64(d["seq"].(float64))), w.admin)
	}), 200)
}

// graduate is a new applicant who names programme in an EIA practitioner
// case, which both assessors rate rating in every category and which is
// awarded days after its submission.
func (w *world) graduate(t testing.TB, n int, programme, rating string, days int) {
	t.Helper()
	u := w.in.CreateUser(t, w.in.AdminToken(t), "applicant", fmt.Sprintf("graduate%d@example.org", n), fmt.Sprintf("Graduate %d", n))
	id := Expect(t, w.in.Post(t, "/api/v1/cases", u.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/portfolio", u.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5,
		"professional_body_member": true, "eqa_programme": programme}), 200)
	Expect(t, w.in.Upload(t, id, u.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections", "categories": "1,2,3,4,5,6,7,8"}, "r.pdf", pdf, nil), 201)
	var cats []map[string]any
	for cat := 1; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": "Statement"})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", u.Token, map[string]any{"categories": cats}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", u.Token, declared), 200)
	w.assessAndDecide(t, id, rating, days)
}

// notSee fails if the main content shows any of texts.
func (b *tab) notSee(texts ...string) {
	b.t.Helper()
	main := js[string](b, `document.querySelector("main").innerText`)
	for _, s := range texts {
		if strings.Contains(main, s) {
			b.t.Fatalf("page %s shows %q; it shows:\n%s", b.location(), s, main)
		}
	}
}

// TestProgrammeEffectivenessInTheBrowser (issue 16 item 4): a programme's
// provider follows the link on their accreditation's page to how their
// graduates fared. With 4 graduates decided nothing is shown; the fifth
// shows every figure, and that graduate's own small part (rated partially)
// merged with its neighbour, never alone; in English and Dutch. Another
// provider's programme is not found. The office finds every programme from
// its dashboard.
func TestProgrammeEffectivenessInTheBrowser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	olga := w.registerApplicant(t, "olga@example.org", "Olga Other")
	mine := w.awardedProgrammeNamed(t, carla, "Coaching Essentials", "Carla's Academy")
	theirs := w.awardedProgrammeNamed(t, olga, "Mentoring Masterclass", "Olga's School")
	for n := range 4 {
		w.graduate(t, n, mine, "evidenced", 21+7*n)
	}

	provider := browser(t)
	provider.base = w.in.URL
	provider.login(carla.Email, carla.Password)
	provider.open("/accreditations/" + mine)
	provider.see("How your graduates fared")
	provider.submit("#effectiveness-link")
	if p := provider.path(); p != "/programmes/"+mine {
		t.Fatalf("the link leads to %s", p)
	}
	provider.see("Coaching Essentials", "Fewer than 5 graduates have a decided EIA application: no figure is shown yet.",
		"1. Understanding Self", "Fewer than 5 graduates")
	provider.notSee("Evidenced:", "Awarded as applied for:", "Median:", "4 graduates")

	w.graduate(t, 4, mine, "partially_evidenced", 49)
	provider.login(carla.Email, carla.Password) // the clock moved on past the session
	provider.open("/programmes/" + mine)
	provider.see("5 graduates have a decided EIA application.",
		// The fifth graduate's ratings rest on one graduate: merged.
		"Not evidenced: 0 (0%)", "Partially evidenced or Evidenced: 10 (100%)", "merged: too few alone",
		"Awarded as applied for: 5 (100%)", "Median: 5 weeks.", "Up to 8 weeks: 5 (100%)")
	provider.notSee("Partially evidenced: 2", "Evidenced: 8")
	if n := js[int](provider, `document.querySelectorAll("#ratings-table svg rect.seg").length`); n != 16 {
		t.Fatalf("the ratings' bars: %d segments, want 2 in each of 8 categories", n)
	}
	provider.shoot("programme-effectiveness")
	provider.lang("nl")
	provider.see("5 afgestudeerden hebben een besliste EIA-aanvraag.", "Gedeeltelijk aangetoond of Aangetoond: 10 (100%)", "Mediaan: 5 weken.")
	provider.lang("en")
	provider.open("/programmes/" + theirs)
	provider.see("Page not found")
	provider.notSee("Mentoring Masterclass")

	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.open("/office")
	office.submit("#programmes-link")
	office.see("Coaching Essentials", "Mentoring Masterclass", "Fewer than 5 graduates")
	if got := office.text(`a[href="/programmes/` + mine + `"]`); got != "Coaching Essentials" {
		t.Fatalf("the office's link to Carla's programme reads %q", got)
	}
	office.submit(`a[href="/programmes/` + mine + `"]`)
	office.see("5 graduates have a decided EIA application.", "Partially evidenced or Evidenced: 10 (100%)")
}
