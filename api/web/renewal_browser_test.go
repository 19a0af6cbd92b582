package web_test

import (
	"fmt"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestRenewalInTheBrowser (issue 13 item 8): the holder fills in the
// renewal form in a real browser, the office assigns the renewal to one
// assessor, who renews it; the holder reads each step written to them, in
// English and in Dutch.
func TestRenewalInTheBrowser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _, accID := w.awardedCase(t, carla)
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	w.admin = w.in.AdminToken(t)
	rene := w.newAssessor(t, "rene@example.org", "Rene Renewals")

	holder := browser(t)
	holder.base = w.in.URL
	holder.login(carla.Email, carla.Password)
	holder.open("/accreditations/" + accID)
	holder.see("Renew the accreditation", "Year 1: 2 March 2026 to 1 March 2027")
	for i := range 5 {
		holder.fill(fmt.Sprintf(`[id="f-years[%d].practice_hours"]`, i), "30")
		holder.fill(fmt.Sprintf(`[id="f-years[%d].supervision_hours"]`, i), "6")
		for q := range 4 {
			holder.fill(fmt.Sprintf(`[id="f-years[%d].supervision_hours_by_quarter[%d]"]`, i, q), "1,5")
		}
		holder.fill(fmt.Sprintf(`[id="f-years[%d].cpd_hours"]`, i), "20")
	}
	holder.fill("#f-reflection", "Five years in which my contracting changed.")
	holder.click("#f-declaration_code_of_ethics")
	// Without the diversity declaration the form is refused, and says so.
	holder.submit(`form[action$="/renew"] button[type=submit]`)
	holder.see("The renewal does not meet the rules yet")
	holder.click("#f-declaration_diversity")
	holder.submit(`form[action$="/renew"] button[type=submit]`)
	holder.see("The renewal is submitted.", "Your renewal is submitted: the EMCC office assigns an assessor to it.")
	holder.lang("nl")
	holder.see("Uw verlenging is ingediend: het EMCC-bureau wijst er een assessor aan toe.")
	holder.lang("en")

	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.open("/office/cases/" + caseID)
	office.see("Assign the renewal", "Five years in which my contracting changed.")
	office.set("#f-renewal_assessor_id", rene.ID)
	office.submit(`form[action$="/renewal/assign"] button[type=submit]`)
	office.see("The renewal is assigned.", "Rene Renewals")

	assessor := browser(t)
	assessor.base = w.in.URL
	assessor.login(rene.Email, rene.Password)
	assessor.open("/queue")
	assessor.see("Renewals to assess")
	assessor.submit(`main a[href="/accreditations/` + accID + `"]`)
	assessor.see("Assess the renewal", "7 words")
	assessor.click("#f-outcome-renew")
	assessor.fill("#f-rationale", "Five years evidenced.")
	assessor.submit(`form[action$="/renewal/assess"] button[type=submit]`)
	assessor.see("The outcome of the renewal is recorded.")

	holder.open("/accreditations/" + accID)
	holder.see("2 March 2036")
}
