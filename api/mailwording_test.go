package api_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheNewAddressConfirmationDoesNotNameTheAccountHolder: the link that
// confirms a new address goes to an address not yet known to be the
// user's (a typo, someone else's): it greets whoever holds it without
// the account holder's name, in both languages.
func TestTheNewAddressConfirmationDoesNotNameTheAccountHolder(t *testing.T) {
	tm := newTeam(t)
	for i, lang := range []string{"en", "nl"} {
		Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"language": lang, "receive": []string{}}), 200)
		Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token,
			map[string]string{"email": "carla." + lang + "@example.org", "current_password": tm.applicant.Password}), 202)
		m := tm.waitKind(t, "email_verification", i+1)
		var body string
		for _, v := range m {
			if v["language"] == lang {
				body = v["body"].(string)
			}
		}
		if body == "" || strings.Contains(body, tm.applicant.Name) || strings.Contains(body, "Carla") {
			t.Errorf("%s: the confirmation to the new address names the account holder (or is missing):\n%s", lang, body)
		}
		if greeting := map[string]string{"en": "Hello,\n", "nl": "Goedendag,\n"}[lang]; !strings.HasPrefix(body, greeting) {
			t.Errorf("%s: the confirmation does not greet neutrally with %q:\n%s", lang, greeting, body)
		}
	}
}
