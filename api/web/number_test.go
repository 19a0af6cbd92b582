package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAThousandsSeparatorIsRefusedNotReadAsDecimals: "1,200" client hours
// on the English page was saved as 1.2 with no word; it is refused, the
// field says how to write it, what was typed stays in the form, and
// nothing is saved.
func TestAThousandsSeparatorIsRefusedNotReadAsDecimals(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	before := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["portfolio"].(map[string]any)["client_hours"]
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	form := url.Values{"first_practice_date": {"2021-01-15"}, "client_hours": {"1,200"}, "client_count": {"14"}, "cpd_hours_last_year": {"20"},
		"supervision_hours_last_year": {"6"}, "feedback_items_last_12m": {"6"}, "reflection_items_last_12m": {"5"}, "professional_body_member": {"yes"}}
	a := c.post("/applications/"+caseID+"/portfolio", form, true)
	if a.Status == http.StatusSeeOther || !strings.Contains(a.Body, "without a thousands separator") || !strings.Contains(a.Body, `value="1,200"`) {
		t.Fatalf("the form with 1,200 hours: %d; want it shown again with the field's error and the value typed:\n%.3000s", a.Status, a.Body)
	}
	after := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["portfolio"].(map[string]any)["client_hours"]
	if after != before {
		t.Fatalf("client_hours %v before, %v after a refused form", before, after)
	}
}
