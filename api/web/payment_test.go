package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheOfficeRecordsTheFeeTheApplicantIsAskedToPay (issue 13 item 4):
// under rules that set a fee, the submitted case tells its applicant to
// pay it, in their language; the office's case page offers the payment
// form instead of the screening, refuses a payment without its reference
// beside the field, and offers the screening once the fee is paid.
func TestTheOfficeRecordsTheFeeTheApplicantIsAskedToPay(t *testing.T) {
	w := newWorld(t)
	Expect(t, w.in.Post(t, "/api/v1/rulesets", w.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"rules": []map[string]any{{"name": "fee", "values": map[string]any{"practitioner": 450}}}}), 201)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)

	applicant, office := w.client(t), w.client(t)
	applicant.login(carla.Email, carla.Password)
	office.login(AdminEmail, AdminPassword)
	ap, oc := "/applications/"+caseID, "/office/cases/"+caseID
	// Submitted through the page: its confirmation does not promise the
	// screening that the unpaid fee holds back.
	sub := applicant.post(ap+"/submit", url.Values{"declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}}, true)
	if sub.Status != http.StatusSeeOther || !strings.HasSuffix(sub.Location, "?ok=submitted_fee") {
		t.Fatalf("submit: got %d to %q; %s", sub.Status, sub.Location, errorsOf(sub.Body))
	}
	if page := html.UnescapeString(applicant.get(sub.Location).Body); !strings.Contains(page, "The EMCC office screens it once the fee is paid.") || strings.Contains(page, "screens it next") {
		t.Fatalf("the confirmation after submitting with a fee due: %s", page)
	}
	reads := func(c *client, path, lang string, want, not []string) {
		t.Helper()
		a := c.get(path)
		checkPage(t, path, lang, a)
		body := html.UnescapeString(a.Body)
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s (%s) does not say %q", path, lang, s)
			}
		}
		for _, s := range not {
			if strings.Contains(body, s) {
				t.Errorf("GET %s (%s) says %q", path, lang, s)
			}
		}
	}
	payForm, screenForm := `action="/office/cases/`+caseID+`/payment"`, `action="/office/cases/`+caseID+`/screen"`

	reads(applicant, ap, "en", []string{"Pay the fee of EUR 450 to the EMCC office", "Waiting for your payment", "EUR 450, not yet paid"}, []string{"The applicant pays"})
	applicant.setLang("nl")
	reads(applicant, ap, "nl", []string{"Betaal de vergoeding van EUR 450 aan het EMCC-bureau", "Wacht op uw betaling"}, nil)
	applicant.setLang("en")
	reads(office, oc, "en", []string{"The applicant pays the fee of EUR 450", "Awaiting payment", "The fee of EUR 450 is due before screening", payForm}, []string{screenForm})

	bad := office.post(oc+"/payment", url.Values{"status": {"paid"}}, true)
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, `id="f-reference-error"`) {
		t.Fatalf("paid without a reference: got %d, want 400 with the error at the reference", bad.Status)
	}
	a := office.post(oc+"/payment", url.Values{"status": {"paid"}, "reference": {"Transfer 2026-0117"}}, true)
	if a.Status != http.StatusSeeOther || !strings.Contains(a.Location, "ok=payment") {
		t.Fatalf("record the payment: got %d to %q; %s", a.Status, a.Location, errorsOf(a.Body))
	}
	reads(office, a.Location, "en", []string{"The payment is recorded.", "EUR 450, paid (Reference: Transfer 2026-0117)", "Fee recorded by the EMCC office", screenForm}, []string{payForm})
	reads(applicant, ap, "en", []string{"EUR 450, paid", "the EMCC office checks that your application is complete"}, []string{"Pay the fee"})
}
