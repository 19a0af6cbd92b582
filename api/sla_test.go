package api_test

import (
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
)

// TestTheServiceLevelIsTheConfiguredOne: ACCREDIT_SLA_DAYS sets a case's
// expected decision date and the queues' service level alike (the case
// view once used a constant of its own), and the default is the published
// "within 3 months" as 13 weeks.
func TestTheServiceLevelIsTheConfiguredOne(t *testing.T) {
	if d := app.Defaults().SLADays; d != 91 {
		t.Fatalf("default service level: %d days, want 91 (3 months, dnv.nl)", d)
	}
	tm := newTeam(t, func(c *app.Config) { c.SLADays = 30 })
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)
	submitted, err := time.Parse(time.RFC3339, c["submitted_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if want := submitted.Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339); c["expected_decision_by"] != want {
		t.Fatalf("expected_decision_by: %v, want %s (30 days after submission)", c["expected_decision_by"], want)
	}
	if q := tm.get(t, "/api/v1/queue", tm.admin); q["service_level_days"] != float64(30) {
		t.Fatalf("office queue service_level_days: %v, want 30", q["service_level_days"])
	}
	// A withdrawn case expects no decision: neither its view nor the
	// applicant's list says one is due (the view did, as the CLI showed).
	w := tm.post(t, "/api/v1/cases/"+id+"/withdraw", tm.applicant.Token, map[string]string{"reason": "Moving abroad."}, 200)
	if c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token); c["expected_decision_by"] != nil {
		t.Fatalf("withdrawn case view: expected_decision_by %v", c["expected_decision_by"])
	}
	for _, m := range tm.readAt(t, "/api/v1/me/cases", tm.applicant.Token, w["seq"].(float64))["cases"].([]any) {
		if m := m.(map[string]any); m["case_id"] == id && m["expected_decision_by"] != nil {
			t.Fatalf("withdrawn case in the applicant's list: expected_decision_by %v", m["expected_decision_by"])
		}
	}
}
