package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/dates"
)

// awardedWithASixMonthWindow is a world whose EIA rules open the renewal
// six months before the end, and Carla's accreditation awarded under them,
// with the time it ends and the time its renewal opens.
func awardedWithASixMonthWindow(t *testing.T) (w *world, carla User, acc string, until, opens time.Time) {
	t.Helper()
	w = newWorld(t)
	window := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "renewal_window_months", "values": map[string]any{"foundation": 6, "practitioner": 6, "senior_practitioner": 6, "master_practitioner": 6}},
	}}
	Expect(t, w.in.Post(t, "/api/v1/rulesets", w.admin, window), 201)
	carla = w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, acc = w.awardedCase(t, carla)
	until, err := time.Parse(time.RFC3339, Expect(t, w.in.Get(t, "/api/v1/accreditations/"+acc, carla.Token), 200).Map(t)["accreditation"].(map[string]any)["valid_until"].(string))
	if err != nil {
		t.Fatal(err)
	}
	opens = until.AddDate(0, -6, 0)
	return w, carla, acc, until, opens
}

// TestTheCertificateSaysWhenTheRenewalOpens: a holder whose renewal
// window had not yet opened read only "Renewal is not open now.", though
// the rule set in force knows the day it opens. The page now names that
// day, in either language; with no window (open until the end) nothing
// changes.
func TestTheCertificateSaysWhenTheRenewalOpens(t *testing.T) {
	w, carla, acc, _, opens := awardedWithASixMonthWindow(t)
	for lang, want := range map[string]string{
		"en": "Renewal opens on " + dates.DateTime("en", opens) + ".",
		"nl": "Verlengen is mogelijk vanaf " + dates.DateTime("nl", opens) + ".",
	} {
		t.Run(lang, func(t *testing.T) {
			c := w.client(t)
			c.setLang(lang)
			c.login(carla.Email, carla.Password)
			a := c.get("/accreditations/" + acc)
			if a.Status != http.StatusOK {
				t.Fatalf("the certificate: got %d, want 200", a.Status)
			}
			if !strings.Contains(a.Body, want) {
				t.Errorf("the certificate does not say %q:\n%s", want, between(a.Body, `id="renew-not-open"`, "</p>"))
			}
		})
	}
}

// TestTheOfficeIsNotToldARenewalIsClosedThatIsOpen: with no window set a
// renewal is open until the end, and the holder sees its form; the
// office, which renews nothing itself, read "Renewal is not open now." on
// the same page.
func TestTheOfficeIsNotToldARenewalIsClosedThatIsOpen(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, acc := w.awardedCase(t, carla)
	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	if a := holder.get("/accreditations/" + acc); !strings.Contains(a.Body, `action="/accreditations/`+acc+`/renew"`) {
		t.Fatalf("the holder is not offered the renewal")
	}
	office := w.officeClient(t)
	for lang, closed := range map[string]string{"en": "Renewal is not open now.", "nl": "Verlengen is nu niet mogelijk."} {
		office.setLang(lang)
		a := office.get("/accreditations/" + acc)
		if a.Status != http.StatusOK {
			t.Fatalf("%s: the certificate for the office: got %d", lang, a.Status)
		}
		if strings.Contains(a.Body, closed) {
			t.Errorf("%s: the office is told %q while the holder may renew", lang, closed)
		}
	}
}

// TestOnTheDayTheRenewalOpensItsTimeIsGiven: the window opens at the time
// of day the award was made, so many months before its end. Earlier that
// day the page said "Renewal opens on 2 September 2030", and a renewal
// sent was refused as "open from 2 September 2030": the day it was. Both
// give the time (UTC), in either language.
func TestOnTheDayTheRenewalOpensItsTimeIsGiven(t *testing.T) {
	w, carla, acc, until, opens := awardedWithASixMonthWindow(t)
	if opens.Hour() == 0 {
		t.Fatalf("the window opens at %v: this test needs a time within the day", opens)
	}
	w.clock.Set(time.Date(opens.Year(), opens.Month(), opens.Day(), 0, 30, 0, 0, time.UTC))
	for _, tc := range []struct{ lang, page, refusal string }{
		{"en", "Renewal opens on %s.", "Renewal is open from %s until %s (6 months before the accreditation ends)."},
		{"nl", "Verlengen is mogelijk vanaf %s.", "Verlengen kan van %s tot %s (6 maanden voordat de accreditatie afloopt)."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			c := w.client(t)
			c.setLang(tc.lang)
			c.login(carla.Email, carla.Password)
			if want, a := fmt.Sprintf(tc.page, dates.DateTime(tc.lang, opens)), c.get("/accreditations/"+acc); !strings.Contains(a.Body, want) {
				t.Errorf("the certificate does not say %q:\n%s", want, between(a.Body, `id="renew-not-open"`, "</p>"))
			}
			want := fmt.Sprintf(tc.refusal, dates.DateTime(tc.lang, opens), dates.DateTime(tc.lang, until))
			if a := c.post("/accreditations/"+acc+"/renew", renewalForm("4"), true); a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, want) {
				i := strings.Index(a.Body, "cannot ")
				t.Errorf("the renewal: got %d, want 422 saying %q: %q", a.Status, want, a.Body[max(i-300, 0):min(i+300, len(a.Body))])
			}
		})
	}
}
