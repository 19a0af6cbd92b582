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
}
