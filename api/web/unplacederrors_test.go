package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestARefusalForAFieldThePageDoesNotShowIsNotADeadLink: a form's refusal
// answered with a page that does not show that form (the office asking
// the applicant for information, or assigning a renewal, on a case whose
// page offers neither) listed the field's error in the summary as a link
// to #f-questions, #f-renewal_assessor_id: no element had that id, the
// link led nowhere. Every link of the summary now lands on an element of
// the page; the error of a field the page does not have is said in words
// in the summary, unlinked; in either language.
func TestARefusalForAFieldThePageDoesNotShowIsNotADeadLink(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	draft := w.readyEIA(t, carla)
	office := w.officeClient(t)
	for _, tc := range []struct {
		path   string
		en, nl string
	}{
		{"/office/cases/" + draft + "/request-information", "Fill in ‘Questions for the applicant’", "Vul ‘Vragen aan de aanvrager’ in"},
		{"/office/cases/" + draft + "/renewal/assign", "Assessor: Choose one", "Assessor: Kies er een"},
	} {
		for _, lang := range []string{"en", "nl"} {
			t.Run(tc.path+"/"+lang, func(t *testing.T) {
				office.setLang(lang)
				a := office.postAsking(tc.path, url.Values{}, true)
				if a.Status != http.StatusBadRequest {
					t.Fatalf("got %d, want 400; %s", a.Status, errorsOf(a.Body))
				}
				if missing := unlinkedErrors(a.Body); missing != nil {
					t.Errorf("the summary links to %v, which the page does not have", missing)
				}
				want := map[string]string{"en": tc.en, "nl": tc.nl}[lang]
				if summary := html.UnescapeString(between(a.Body, `class="error-summary"`, "</ul>")); !strings.Contains(summary, "<li>"+want+"</li>") {
					t.Errorf("the summary does not say %q:\n%s", want, summary)
				}
			})
		}
	}
}
