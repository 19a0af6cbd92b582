package web_test

import (
	"html"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestThePortfolioSummarySpeaksOfTheApplicant: the office's case page and
// the assessor's workspace show the applicant's portfolio, and the office
// its eligibility, with labels that speak of the applicant, not the form's
// questions and first person addressed to them ("When did you first
// practise", "I am a member"); in English and Dutch.
func TestThePortfolioSummarySpeaksOfTheApplicant(t *testing.T) {
	w := newWorld(t)
	id := w.claimedCase(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	for _, tc := range []struct {
		lang            string
		says, addresses []string
	}{
		{"en", []string{"First practised as a coach or mentor", "Member of a professional body"},
			[]string{"When did you first practise", "I am a member", "Reflections on your practice", "Years since you"}},
		{"nl", []string{"Begonnen als coach of mentor", "Lid van een beroepsvereniging"},
			[]string{"Wanneer begon u", "Ik ben lid", "Reflecties op uw praktijk", "sinds u begon"}},
	} {
		for _, who := range []struct {
			name, email, password, page string
		}{{"office", AdminEmail, AdminPassword, "/office/cases/" + id}, {"assessor", w.assessor.Email, w.assessor.Password, "/assess/" + id}} {
			c := w.client(t)
			c.login(who.email, who.password)
			c.setLang(tc.lang)
			page := c.get(who.page)
			if page.Status != 200 {
				t.Fatalf("%s, %s: %s answered %d", tc.lang, who.name, who.page, page.Status)
			}
			for _, s := range tc.says {
				if !strings.Contains(page.Body, html.EscapeString(s)) {
					t.Errorf("%s, %s: the portfolio does not say %q", tc.lang, who.name, s)
				}
			}
			for _, s := range tc.addresses {
				if strings.Contains(page.Body, html.EscapeString(s)) {
					t.Errorf("%s, %s: the portfolio addresses the applicant: %q", tc.lang, who.name, s)
				}
			}
		}
	}
}
