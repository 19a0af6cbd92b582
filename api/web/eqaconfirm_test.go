package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// claimedEQA takes an EQA practitioner programme of provider through the
// API to its submission, accepted by the office, and w.assessor's claim of
// the assessor's role: it awaits its assessments.
func (w *world) claimedEQA(t testing.TB, provider User) string {
	t.Helper()
	id := w.openEQA(t, provider, "practitioner", "en", "Coaching Essentials", "Academie Noord")
	var curriculum []map[string]any
	for cat := 1; cat <= 8; cat++ {
		curriculum = append(curriculum, map[string]any{"category": cat, "description": fmt.Sprintf("Module %d", cat)})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/portfolio", provider.Token, map[string]any{"contact_hours": 150, "completed_cycles": 2, "curriculum": curriculum}), 200)
	Expect(t, w.in.Upload(t, id, provider.Token, map[string]string{"kind": "programme_document", "title": "Curriculum", "categories": "1,2,3,4,5,6,7,8"}, "curriculum.md", []byte("# Curriculum"), nil), 201)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", provider.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200))
	return id
}

// TestTheEQAAssessmentConfirmationSummarisesTheReviewAreas: the page that
// asks the assessor to confirm an EQA assessment lists each of the five
// review areas with the rating given, named as the form names them, beside
// the eight categories' ratings, in English and in Dutch; an EIA
// assessment's confirmation names no review area.
func TestTheEQAAssessmentConfirmationSummarisesTheReviewAreas(t *testing.T) {
	w := newWorld(t)
	paula := w.registerApplicant(t, "paula@example.org", "Paula Provider")
	id := w.claimedEQA(t, paula)
	eia := w.claimedCase(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	for _, c := range []string{id, eia} { // in assessment: both roles held
		Expect(t, w.in.Post(t, "/api/v1/cases/"+c+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	}

	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	form := url.Values{"recommendation": {"award"}, "rationale": {"Solid programme."},
		"area_course_content": {"evidenced"}, "area_learner_experience": {"partially_evidenced"}, "area_tutor_effectiveness": {"evidenced"},
		"area_student_assessment": {"not_evidenced"}, "area_quality_systems": {"evidenced"}}
	for n := 1; n <= 8; n++ {
		form.Set(fmt.Sprintf("rating_%d", n), "evidenced")
	}
	summary := regexp.MustCompile(`(?s)<dl class="summary">.*?</dl>`)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"<dt>Ratings of the eight categories</dt><dd>Evidenced: 8</dd>",
			"<dt>Course content</dt><dd>Evidenced</dd>", "<dt>Learner experience</dt><dd>Partially evidenced</dd>",
			"<dt>Tutor effectiveness</dt><dd>Evidenced</dd>", "<dt>Methods of assessing students</dt><dd>Not evidenced</dd>",
			"<dt>Quality systems</dt><dd>Evidenced</dd>"}},
		{"nl", []string{"<dt>Waarderingen van de acht categorieën</dt><dd>Aangetoond: 8</dd>",
			"<dt>Inhoud van de opleiding</dt><dd>Aangetoond</dd>", "<dt>Ervaring van de deelnemers</dt><dd>Gedeeltelijk aangetoond</dd>",
			"<dt>Effectiviteit van de docenten</dt><dd>Aangetoond</dd>", "<dt>Beoordeling van de deelnemers</dt><dd>Niet aangetoond</dd>",
			"<dt>Kwaliteitssystemen</dt><dd>Aangetoond</dd>"}},
	} {
		anna.setLang(tc.lang)
		a := anna.postAsking("/assess/"+id, form, true)
		s := summary.FindString(a.Body)
		if a.Status != http.StatusOK || !strings.Contains(a.Body, "data-confirm") || s == "" {
			t.Fatalf("%s: an EQA assessment with every area rated: got %d, want the confirmation page; %s", tc.lang, a.Status, errorsOf(a.Body))
		}
		for _, want := range tc.want {
			if !strings.Contains(s, want) {
				t.Errorf("%s: the summary lacks %q:\n%s", tc.lang, want, s)
			}
		}
	}

	anna.setLang("en")
	eiaForm := url.Values{"recommendation": {"award"}, "rationale": {"Consistent evidence."}}
	for n := 1; n <= 8; n++ {
		eiaForm.Set(fmt.Sprintf("rating_%d", n), "evidenced")
	}
	a := anna.postAsking("/assess/"+eia, eiaForm, true)
	if s := summary.FindString(a.Body); a.Status != http.StatusOK || s == "" || strings.Contains(s, "Course content") {
		t.Fatalf("an EIA assessment: got %d, want the confirmation page naming no review area:\n%s", a.Status, s)
	}
}
