package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAnAssessmentFromAStalePageSaysTheCaseMovedOn: an assessment sent
// from a page opened before the case moved on (the assessor's assessment
// sent in another tab: the verifier's turn) answered with the errors of
// the assessment form (a rating missing, ...) on a page that no longer
// shows that form: a summary whose links led nowhere, and not a word on
// why. It now answers with the case as it is, saying that the assessment
// was sent already and that nothing was sent now, and shows what was
// written (notes, rationale) to be kept; in either language.
func TestAnAssessmentFromAStalePageSaysTheCaseMovedOn(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	var ratings []map[string]any
	for cat := 1; cat <= 8; cat++ {
		ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced"})
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", w.assessor.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Sent in the other tab."}), 200)

	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	// Half written: one category rated, with notes, and a rationale.
	stale := url.Values{"rating_1": {"evidenced"}, "notes_1": {"Strong contracting evidence."}, "rationale": {"Half-way through my reading."}}
	for lang, said := range map[string]string{
		"en": "Your assessment of this case was sent already, since the page was opened",
		"nl": "Uw beoordeling van dit dossier is al verstuurd sinds de pagina werd geopend",
	} {
		t.Run(lang, func(t *testing.T) {
			anna.setLang(lang)
			a := anna.postAsking("/assess/"+caseID, stale, true)
			body := html.UnescapeString(a.Body)
			if a.Status != http.StatusConflict || strings.Contains(a.Body, "data-confirm") {
				t.Fatalf("got %d, want 409 and the workspace; %s", a.Status, errorsOf(a.Body))
			}
			if !strings.Contains(body, said) {
				t.Errorf("the page does not say the case moved on (%q): %s", said, errorsOf(a.Body))
			}
			if strings.Contains(a.Body, `<a href="#f-`) || strings.Contains(a.Body, `class="error-message"`) {
				t.Errorf("the page lists the errors of a form it does not show: %s", errorsOf(a.Body))
			}
			if unsent := between(body, `id="unsent"`, "</section>"); !strings.Contains(unsent, "Strong contracting evidence.") || !strings.Contains(unsent, "Half-way through my reading.") {
				t.Errorf("what was written is not shown to be kept:\n%s", unsent)
			}
		})
	}
	if as := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, w.admin), 200).Map(t)["assessments"].([]any); len(as) != 1 {
		t.Errorf("%d assessments, want the one sent before", len(as))
	}
}
