package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAQuestionLabelTakesNoColonInTheSummary: a field labelled by a
// question was listed in the error summary as "What kind of evidence is
// it?: Choose what kind of evidence it is", a colon after the question
// mark. The question stands on its own; other labels keep their colon.
func TestAQuestionLabelTakesNoColonInTheSummary(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	for _, tc := range []struct{ lang, want, colon string }{
		{"en", "What kind of evidence is it? Choose", "?:"},
		{"nl", "Wat voor bewijs is het? Kies", "?:"},
	} {
		c.setLang(tc.lang)
		a := c.post("/applications/"+caseID+"/evidence", url.Values{"title": {"Reflections"}}, true)
		s := html.UnescapeString(errorSummary.FindString(a.Body))
		if a.Status != http.StatusBadRequest || !strings.Contains(s, tc.want) || strings.Contains(s, tc.colon) {
			t.Errorf("%s: an upload without its kind: got %d, want the summary to say %q and no %q:\n%s", tc.lang, a.Status, tc.want, tc.colon, s)
		}
	}
}
