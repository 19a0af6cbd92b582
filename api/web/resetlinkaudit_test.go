package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheOfficesResetLinkIsInTheAuditHistory: a reset link made on a
// user's page (a colleague's, here) is recorded with the office user who
// made it, once for the form sent twice, and the audit history shows it
// under its name in either language, never with its token.
func TestTheOfficesResetLinkIsInTheAuditHistory(t *testing.T) {
	w := newWorld(t)
	colleague := w.in.CreateUser(t, w.admin, "office", "olga@example.org", "Olga Office")
	admin := Expect(t, w.in.Get(t, "/api/v1/me", w.admin), 200).Map(t)["id"].(string)
	office := w.officeClient(t)
	form := url.Values{"idem": {"reset-link-1"}}
	var tokens []string
	for range 2 { // sent again (its answer lost): one record
		a := office.post("/office/users/"+colleague.ID+"/reset-link", form, true)
		m := regexp.MustCompile(`reset-password\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(html.UnescapeString(a.Body))
		if a.Status != 200 || m == nil {
			t.Fatalf("the reset link: got %d, no link in\n%s", a.Status, a.Body)
		}
		tokens = append(tokens, m[1])
	}

	var page struct {
		Events []struct {
			Stream string         `json:"stream"`
			Actor  map[string]any `json:"actor"`
		} `json:"events"`
	}
	Expect(t, w.in.Get(t, "/api/v1/audit?type=accounts.reset_link_issued", w.admin), 200).JSON(t, &page)
	if len(page.Events) != 1 || page.Events[0].Actor["id"] != admin || page.Events[0].Stream != "accounts.user."+colleague.ID {
		t.Fatalf("the records of the link: %+v, want one by %s on the colleague's stream", page.Events, admin)
	}

	for lang, label := range map[string]string{"en": "Password reset link made by the office", "nl": "Herstellink voor het wachtwoord gemaakt door het bureau"} {
		t.Run(lang, func(t *testing.T) {
			office.setLang(lang)
			a := office.get("/office/audit?type=accounts.reset_link_issued")
			if a.Status != 200 || strings.Count(a.Body, `<code class="event-type">accounts.reset_link_issued</code>`) != 1 || !strings.Contains(a.Body, label) || !strings.Contains(a.Body, "Administrator") {
				t.Fatalf("the audit history does not show the link once as %q, by the Administrator:\n%s", label, a.Body)
			}
			for _, tok := range tokens {
				if strings.Contains(a.Body, tok) {
					t.Fatalf("the audit history shows a link's token")
				}
			}
		})
	}
}
