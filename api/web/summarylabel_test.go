package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTheSummaryNamesAFieldAsItsFormLabelsIt: the account page's language
// of the emails, refused, is named in the error summary as the form labels
// it, in English and Dutch, alone or with another field in error, not as
// the language of an application (field.language), which the new
// application's form still names it.
func TestTheSummaryNamesAFieldAsItsFormLabelsIt(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	office := w.officeClient(t)
	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	for _, tc := range []struct {
		what   string
		c      *client
		path   string
		form   url.Values
		en, nl string
	}{
		{"an email language", office, "/account/notifications", url.Values{"language": {"xx"}},
			"Language of the emails: ", "Taal van de e-mails: "},
		{"an email language with an email choice", office, "/account/notifications", url.Values{"language": {"xx"}, "receive": {"renewal_reminder"}},
			"Language of the emails: ", "Taal van de e-mails: "},
		{"an application's language", applicant, "/applications", url.Values{"scheme": {"EIA"}, "level": {"practitioner"}, "language": {"xx"}},
			"Language of the application: ", "Taal van de aanvraag: "},
	} {
		for _, lang := range []string{"en", "nl"} {
			tc.c.setLang(lang)
			want := map[string]string{"en": tc.en, "nl": tc.nl}[lang]
			a := tc.c.post(tc.path, tc.form, true)
			if got := summaryItem(a.Body, "language"); a.Status != http.StatusBadRequest || !strings.HasPrefix(got, want) {
				t.Errorf("%s, %s: got %d, %q at language; want %d, %q...", tc.what, lang, a.Status, got, http.StatusBadRequest, want)
			}
		}
	}
}
