package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// awardedProgramme takes an EQA programme of provider through the API to
// an award at Senior Practitioner and waits until the register lists it.
func (w *world) awardedProgramme(t testing.TB, provider User) string {
	t.Helper()
	return w.awardedProgrammeNamed(t, provider, "Coachopleiding Plus", "Academie Noord")
}

// awardedProgrammeNamed is awardedProgramme of the programme name, run by
// the provider providerName.
func (w *world) awardedProgrammeNamed(t testing.TB, provider User, name, providerName string) string {
	t.Helper()
	id := w.openEQA(t, provider, "senior_practitioner", "en", name, providerName)
	var curriculum []map[string]any
	for cat := 1; cat <= 8; cat++ {
		curriculum = append(curriculum, map[string]any{"category": cat, "description": fmt.Sprintf("Module %d", cat)})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/portfolio", provider.Token, map[string]any{"contact_hours": 150, "completed_cycles": 2, "curriculum": curriculum}), 200)
	Expect(t, w.in.Upload(t, id, provider.Token, map[string]string{"kind": "programme_document", "title": "Curriculum", "categories": "1,2,3,4,5,6,7,8"}, "curriculum.md", []byte("# Curriculum\n"), nil), 201)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", provider.Token, map[string]any{"declarations": []string{"code_of_ethics"}}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	for _, u := range []User{w.assessor, w.verifier} {
		var ratings, areas []map[string]any
		for cat := 1; cat <= 8; cat++ {
			ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced", "notes": "ok"})
		}
		for _, a := range []string{"course_content", "learner_experience", "tutor_effectiveness", "student_assessment", "quality_systems"} {
			areas = append(areas, map[string]any{"area": a, "rating": "evidenced", "notes": "ok"})
		}
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assessments", u.Token, map[string]any{"ratings": ratings, "review_areas": areas, "recommendation": "award", "rationale": "Sound."}), 200)
	}
	d := Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/decision", w.admin, map[string]string{"outcome": "awarded", "level": "senior_practitioner", "rationale": "Meets the level."}), 200).Map(t)
	accID := d["accreditation"].(map[string]any)["id"].(string)
	Expect(t, Retry(t, func(map[string]string) Response {
		return w.in.Get(t, fmt.Sprintf("/api/v1/register/%s?min_seq=%d", accID, int64(d["seq"].(float64))), "")
	}), 200)
	return accID
}

// prefilled reads a form's text inputs as the page filled them in.
var prefilled = regexp.MustCompile(`<input[^>]*? name="([^"]+)" value="([^"]*)"`)

// The EQA-graduate route on the pages (issue 13 item 9): the office sets
// a figure for graduates in the rules form, reviewed against the version in
// force; the applicant picks their programme from the register's EQA
// programmes in force, and the case names it.
func TestTheEQAGraduateRouteOnThePages(t *testing.T) {
	w := newWorld(t)
	provider := w.registerApplicant(t, "noord@example.org", "Academie Noord")
	programme := w.awardedProgramme(t, provider)

	office := w.officeClient(t)
	form := url.Values{"action": {"review"}}
	for _, m := range prefilled.FindAllStringSubmatch(office.get("/office/rules/eia").Body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("effective_from", start.AddDate(0, 0, 1).Format("2006-01-02"))
	if form.Get("based_on") != "eia-2027-1" || form.Get("v_client_hours_practitioner") != "100" || !form.Has("g_client_hours_practitioner") {
		t.Fatalf("the EIA form does not offer graduates' figures beside the rules: %v", form)
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("g_client_hours_practitioner", "lots")
	if a := office.post("/office/rules/eia", bad, true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `id="f-g_client_hours_practitioner-error"`) {
		t.Fatalf("a graduates' figure that is not a number: got %d", a.Status)
	}
	form.Set("g_client_hours_practitioner", "60")
	a := office.post("/office/rules/eia", form, true)
	if want := "Client contact hours, for graduates of an EQA-accredited programme, Practitioner: from not set to 60 hours"; a.Status != http.StatusOK || !strings.Contains(a.Body, want) {
		t.Fatalf("review: got %d, want %q; errors: %v", a.Status, want, regexp.MustCompile(`class="error-message"[^>]*>[^<]*(<[^>]*>)?[^<]*`).FindAllString(a.Body, -1))
	}
	form.Set("action", "publish")
	if a = office.post("/office/rules/eia", form, true); a.Status != http.StatusSeeOther {
		t.Fatalf("publish: got %d", a.Status)
	}
	if a = office.get(a.Location); !strings.Contains(a.Body, "Client contact hours, for graduates of an EQA-accredited programme") || !strings.Contains(a.Body, "as for everyone") {
		t.Fatal("the version's page does not show the graduates' figures")
	}

	gina := w.registerApplicant(t, "gina@example.org", "Gina Graduate")
	caseID := w.readyEIA(t, gina)
	g := w.client(t)
	g.login(gina.Email, gina.Password)
	page := g.get("/applications/" + caseID + "/portfolio")
	if !strings.Contains(page.Body, `<option value="`+programme+`">Coachopleiding Plus, Academie Noord (Senior Practitioner)</option>`) {
		t.Fatal("the portfolio form does not offer the register's EQA programme")
	}
	portfolio := url.Values{"first_practice_date": {"2021-01-15"}, "client_hours": {"70"}, "client_count": {"14"}, "cpd_hours_last_year": {"20"},
		"supervision_hours_last_year": {"6"}, "supervision_hours_by_quarter_1": {"2"}, "supervision_hours_by_quarter_2": {"1"}, "supervision_hours_by_quarter_3": {"2"}, "supervision_hours_by_quarter_4": {"1"}, "feedback_items_last_12m": {"6"}, "reflection_items_last_12m": {"5"}, "professional_body_member": {"yes"},
		"eqa_programme": {"01J00000000000000000000000"}}
	if a := g.post("/applications/"+caseID+"/portfolio", portfolio, true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `id="f-eqa_programme-error"`) {
		t.Fatalf("an id that is no programme on the register: got %d", a.Status)
	}
	portfolio.Set("eqa_programme", programme)
	if a := g.post("/applications/"+caseID+"/portfolio", portfolio, true); a.Status != http.StatusSeeOther {
		t.Fatalf("saving the portfolio with the programme: got %d", a.Status)
	}
	if page = g.get("/applications/" + caseID + "/portfolio"); !strings.Contains(page.Body, `<option value="`+programme+`" selected>`) {
		t.Fatal("the portfolio form does not show the programme chosen")
	}
	page = g.get("/applications/" + caseID)
	if !strings.Contains(page.Body, "The EQA-accredited programme you graduated from") || !strings.Contains(page.Body, "Coachopleiding Plus (Academie Noord)") {
		t.Fatal("the application does not name the programme")
	}
	if o := office.get("/office/cases/" + caseID); !strings.Contains(o.Body, "Graduate of the EQA-accredited programme") || !strings.Contains(o.Body, "Coachopleiding Plus (Academie Noord)") {
		t.Fatal("the office's case page does not name the programme")
	}
	if strings.Contains(page.Body, "Client contact hours") && strings.Contains(page.Body, "100 hours") {
		t.Fatal("the checklist still asks a graduate with 70 hours for 100")
	}
}
