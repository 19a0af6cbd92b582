package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheDomainsRefusalsOfPageFormsAreDutch: a form of the pages that the
// domain refuses for a reason the web does not check itself (a payment's
// reference or reason, an interview without a place, an assessor's
// conflict with themself) shows that reason in Dutch on a Dutch page,
// beside its field, not the API's English.
func TestTheDomainsRefusalsOfPageFormsAreDutch(t *testing.T) {
	w := newWorld(t)
	Expect(t, w.in.Post(t, "/api/v1/rulesets", w.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"rules": []map[string]any{{"name": "fee", "values": map[string]any{"practitioner": 450}}}}), 201)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	paying := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+paying+"/submit", carla.Token, declared), 200)
	senior := w.seniorInAssessment(t, w.registerApplicant(t, "sam@example.org", "Sam Senior"))
	office := w.officeClient(t)
	office.setLang("nl")
	for _, tc := range []struct {
		path        string
		form        url.Values
		field, want string
	}{
		{"/office/cases/" + paying + "/payment", url.Values{"status": {"paid"}}, "reference", "verplicht: het betalingskenmerk"},
		{"/office/cases/" + paying + "/payment", url.Values{"status": {"paid"}, "reference": {"Transfer 2026-0117"}, "reason": {"Hardship"}}, "reason", "alleen als de vergoeding wordt kwijtgescholden"},
		{"/office/cases/" + paying + "/payment", url.Values{"status": {"waived"}, "reference": {"Transfer 2026-0117"}, "reason": {"Hardship"}}, "reference", "alleen als de vergoeding is betaald"},
		{"/office/cases/" + senior + "/interview", url.Values{"interview_at": {"2026-03-09T10:00"}}, "interview_place", "verplicht: een adres of een link"},
		{"/office/users/" + w.assessor.ID + "/profile", url.Values{"schemes": {"EIA"}, "max_level": {"practitioner"}, "languages": {"en"}, "conflicts": {w.assessor.ID}},
			"conflicts", "de assessor zelf: een belangenconflict is er met iemand anders"},
	} {
		a := office.post(tc.path, tc.form, true)
		if a.Status != http.StatusBadRequest {
			t.Errorf("POST %s %v: status %d, want 400", tc.path, tc.form, a.Status)
			continue
		}
		body := html.UnescapeString(a.Body)
		if !strings.Contains(body, `id="f-`+tc.field+`-error"`) || !strings.Contains(body, tc.want) {
			t.Errorf("POST %s %v: no %q at %s: %s", tc.path, tc.form, tc.want, tc.field, errorsOf(a.Body))
		}
	}
}
