package web_test

import (
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAReturnedRenewalsFormHoldsWhatWasSent: the assessor returns a
// renewal for one thing mended (here the reflection); the form the holder
// resubmits it with was empty, so that every year's figures (twenty-five
// of them) had to be typed again. It holds the renewal as sent: each
// year's figures, in the page's language, and the reflection.
func TestAReturnedRenewalsFormHoldsWhatWasSent(t *testing.T) {
	w := newWorld(t)
	carla, _, accID, rene := w.renewalAssigned(t)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", rene.Token,
		map[string]string{"outcome": "return", "rationale": "Say more about your supervision."}), 200))

	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	for _, lang := range []string{"en", "nl"} {
		holder.setLang(lang)
		page := holder.get("/accreditations/" + accID).Body
		if !strings.Contains(page, `action="/accreditations/`+accID+`/renew"`) {
			t.Fatalf("%s: the holder's page has no form to resubmit the returned renewal\n%.3000s", lang, page)
		}
		for name, want := range map[string]string{
			"years[0].practice_hours": "30", "years[4].supervision_hours": "6", "years[2].cpd_hours": "20",
			"years[1].supervision_hours_by_quarter[0]": "2", "years[1].supervision_hours_by_quarter[3]": "1",
		} {
			m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*value="([^"]*)"`).FindStringSubmatch(page)
			if m == nil || m[1] != want {
				t.Errorf("%s: the field %s of the returned renewal: got %v, want %q", lang, name, m, want)
			}
		}
		if !regexp.MustCompile(`name="reflection"[^>]*>\s*Five years in which my contracting changed.</textarea>`).MatchString(page) {
			t.Errorf("%s: the reflection of the returned renewal is not in its field", lang)
		}
	}
}
