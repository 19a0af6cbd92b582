package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestARenewalsReflectionIsWrittenNotConfirmed: the renewal's reflection
// is a text the holder writes, yet its rule read as a declaration does:
// "Renewal: a reflection on the period: not yet confirmed" when it was
// missing, "... confirmed" when given. It reads "not yet written" (at the
// reflection's field, which the error summary names by its label) and
// "written", in either language.
func TestARenewalsReflectionIsWrittenNotConfirmed(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	form := url.Values{"scheme": {"EIA"}, "declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}}
	for i := range 5 {
		form.Set(fmt.Sprintf("years[%d].practice_hours", i), "30")
		form.Set(fmt.Sprintf("years[%d].supervision_hours", i), "6")
		form.Set(fmt.Sprintf("years[%d].cpd_hours", i), "20")
		for q, h := range []string{"2", "1", "2", "1"} {
			form.Set(fmt.Sprintf("years[%d].supervision_hours_by_quarter[%d]", i, q), h)
		}
	}
	for _, tc := range []struct{ lang, missing, confirmed, given string }{
		{"en", "Reflection on the period: not yet written", "reflection on the period: not yet confirmed", "Renewal: a reflection on the period: written"},
		{"nl", "Reflectie op de periode: nog niet geschreven", "reflectie op de periode: nog niet bevestigd", "Verlenging: een reflectie op de periode: geschreven"},
	} {
		holder.setLang(tc.lang)
		a := holder.post("/accreditations/"+accID+"/renew", form, true)
		if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, tc.missing) || strings.Contains(a.Body, tc.confirmed) {
			t.Errorf("%s: a renewal without its reflection: got %d, want 422 saying %q, not %q", tc.lang, a.Status, tc.missing, tc.confirmed)
		}
	}
	form.Set("reflection", "Five years in which my contracting changed.")
	if a := holder.post("/accreditations/"+accID+"/renew", form, true); a.Status != http.StatusSeeOther {
		t.Fatalf("the renewal with its reflection: got %d, want 303\n%.2000s", a.Status, a.Body)
	}
	office := w.officeClient(t)
	for _, tc := range []struct{ lang, given string }{
		{"en", "Renewal: a reflection on the period: written"},
		{"nl", "Verlenging: een reflectie op de periode: geschreven"},
	} {
		office.setLang(tc.lang)
		if page := office.get("/accreditations/" + accID).Body; !strings.Contains(page, tc.given) {
			t.Errorf("%s: the renewal's checks on the accreditation page: want %q", tc.lang, tc.given)
		}
	}
}
