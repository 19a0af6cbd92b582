package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestATextFieldLeftEmptySaysWhatToFillIn: a text field left empty said
// "Reason: required" ("Reden: verplicht"), one word, or "Fill this in",
// where a choice says "Choose one". It now names what to fill in, at the
// field and in the error summary, in either language: on the office's
// own forms (a revocation, a user disabled or made), on an application's
// and on the holder's.
func TestATextFieldLeftEmptySaysWhatToFillIn(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	ben := w.registerApplicant(t, "ben@example.org", "Ben Mentor")
	draft := w.readyEIA(t, carla)
	_, _, accID := w.awardedCase(t, ben)
	office := w.officeClient(t)
	applicant, holder := w.client(t), w.client(t)
	applicant.login(carla.Email, carla.Password)
	holder.login(ben.Email, ben.Password)

	for _, tc := range []struct {
		name   string
		who    *client
		path   string
		form   url.Values
		field  string
		en, nl string
	}{
		{"the office's revocation", office, "/office/accreditations/" + accID + "/revoke", url.Values{}, "revoke_reason", "Fill in ‘Reason’", "Vul ‘Reden’ in"},
		{"a user disabled", office, "/office/users/" + w.verifier.ID + "/disable", url.Values{}, "disable_reason", "Fill in ‘Reason’", "Vul ‘Reden’ in"},
		{"a user made", office, "/office/users", url.Values{"email": {"nina@example.org"}, "password": {"a long enough password"}, "role": {"assessor"}},
			"name", "Fill in ‘Full name’", "Vul ‘Volledige naam’ in"},
		{"the evidence's title", applicant, "/applications/" + draft + "/evidence", url.Values{"kind": {"other"}, "categories": {"1"}}, "title", "Fill in ‘Title’", "Vul ‘Titel’ in"},
		{"the holder's withdrawal", holder, "/accreditations/" + accID + "/withdraw", url.Values{}, "withdraw_reason", "Fill in ‘Reason’", "Vul ‘Reden’ in"},
	} {
		for _, lang := range []string{"en", "nl"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				want := map[string]string{"en": tc.en, "nl": tc.nl}[lang]
				tc.who.setLang(lang)
				a := tc.who.postAsking(tc.path, tc.form, true)
				if a.Status != http.StatusBadRequest {
					t.Fatalf("got %d, want 400; %s", a.Status, errorsOf(a.Body))
				}
				atField := `id="f-` + tc.field + `-error"><span class="visually-hidden">` + map[string]string{"en": "Error:", "nl": "Fout:"}[lang] + `</span> ` + want + `</p>`
				if !strings.Contains(a.Body, atField) {
					t.Errorf("the field does not say %q:\n%s", want, between(a.Body, `id="f-`+tc.field+`-error"`, "</p>"))
				}
				if inSummary := `<a href="#f-` + tc.field + `">` + want + `</a>`; !strings.Contains(a.Body, inSummary) {
					t.Errorf("the summary does not say %q:\n%s", want, between(a.Body, `class="error-summary"`, "</ul>"))
				}
			})
		}
	}
}
