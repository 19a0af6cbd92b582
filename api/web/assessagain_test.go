package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAnAssessmentSentAgainIsAnsweredAsTheFirst: the assessor sends their
// assessment, and the same form is sent again (a double click whose first
// answer came back first, or Back and send): it is answered as the first,
// the workspace saying it is recorded; not a page saying it was sent "in
// another tab" and that "nothing was sent", what was written to be copied
// and kept, when this very form's assessment is the one recorded. Sent
// again changed (Back, edit, send), it is still that page. Sent twice at
// once, both are answered as the first and one assessment is recorded.
func TestAnAssessmentSentAgainIsAnsweredAsTheFirst(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	fields := url.Values{"recommendation": {"award"}, "rationale": {"Consistent practitioner evidence."}, "confirm": {"yes"}}
	for n := 1; n <= 8; n++ {
		fields.Set("rating_"+itoa(n), "evidenced")
	}
	inAssessment := func() string {
		caseID := w.claimedCase(t, carla)
		w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200))
		return caseID
	}
	for _, lang := range []string{"en", "nl"} {
		t.Run(lang, func(t *testing.T) {
			anna.setLang(lang)
			caseID := inAssessment()
			ws := "/assess/" + caseID
			f := formOf(t, anna.get(ws), fields)
			first := anna.postAsking(ws, f, false)
			if first.Status != http.StatusSeeOther || !strings.Contains(first.Location, "ok=assessed") {
				t.Fatalf("the assessment: %d %s\n%.2000s", first.Status, first.Location, first.Body)
			}
			again := anna.postAsking(ws, f, false)
			if again.Status != http.StatusSeeOther || again.Location != first.Location {
				t.Errorf("the same form sent again: got %d to %q, want 303 to %q as the first\n%.3000s", again.Status, again.Location, first.Location, problemsOf(again.Body))
			}
			edited := url.Values{}
			for k, v := range f {
				edited[k] = v
			}
			edited.Set("rationale", "Changed my mind after sending.")
			if back := anna.postAsking(ws, edited, false); back.Status != http.StatusConflict || !strings.Contains(back.Body, "Changed my mind after sending.") {
				t.Errorf("the form sent again changed: got %d, want 409 with what was typed kept\n%.3000s", back.Status, problemsOf(back.Body))
			}
			caseID = inAssessment()
			ws = "/assess/" + caseID
			f = formOf(t, anna.get(ws), fields)
			for i, a := range sendAtOnce(t, ws, []*client{anna, anna}, []url.Values{f, f}) {
				if a.Status != http.StatusSeeOther || !strings.Contains(a.Location, "ok=assessed") {
					t.Errorf("sent twice at once, answer %d: %d %q\n%.3000s", i, a.Status, a.Location, problemsOf(a.Body))
				}
			}
			c := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, w.admin), 200).Map(t)
			if n := len(c["assessments"].([]any)); n != 1 {
				t.Errorf("assessments recorded: %d", n)
			}
		})
	}
}

// problemsOf is the text of a page's main part, for a failure's message.
func problemsOf(body string) string {
	m := regexp.MustCompile(`(?s)<main.*?</h1>(.{0,1000})`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " ")), " ")
}
