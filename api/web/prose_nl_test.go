package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAControlCharacterInProseIsRefusedOnTheForm: a self-assessment
// statement or an interview's place holding an escape is refused beside
// its field, in the page's language, and nothing is recorded.
func TestAControlCharacterInProseIsRefusedOnTheForm(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	draft := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	senior := w.seniorInAssessment(t, w.registerApplicant(t, "sam@example.org", "Sam Senior"))
	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	office := w.officeClient(t)
	want := map[string]string{"en": "holds an invisible or control character", "nl": "bevat een onzichtbaar teken of stuurteken"}
	for _, lang := range []string{"en", "nl"} {
		applicant.setLang(lang)
		office.setLang(lang)
		for _, tc := range []struct {
			who   *client
			path  string
			form  url.Values
			field string
		}{
			{applicant, "/applications/" + draft + "/self-assessment", url.Values{"statement_1": {"Fine\r\nover two lines"}, "statement_2": {"Colour\x1b[31m red"}}, "statement_2"},
			{office, "/office/cases/" + senior + "/interview", url.Values{"interview_at": {"2026-03-09T10:00"}, "interview_place": {"Zeeburgerdijk 77\x1b[8m"}}, "interview_place"},
		} {
			a := tc.who.post(tc.path, tc.form, true)
			if a.Status != http.StatusBadRequest {
				t.Errorf("%s: POST %s: status %d, want 400", lang, tc.path, a.Status)
				continue
			}
			body := html.UnescapeString(a.Body)
			if !strings.Contains(body, `id="f-`+tc.field+`-error"`) || !strings.Contains(body, want[lang]) {
				t.Errorf("%s: POST %s: no %q at %s: %s", lang, tc.path, want[lang], tc.field, errorsOf(a.Body))
			}
		}
	}
	if c := Expect(t, w.in.Get(t, "/api/v1/cases/"+draft, carla.Token), 200).Map(t); c["self_assessment"] != nil && len(c["self_assessment"].([]any)) > 0 {
		t.Errorf("a refused self-assessment was recorded: %v", c["self_assessment"])
	}
	if c := Expect(t, w.in.Get(t, "/api/v1/cases/"+senior, w.admin), 200).Map(t); c["interview"] != nil {
		t.Errorf("a refused interview was recorded: %v", c["interview"])
	}
}
