package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/dates"
)

// TestTheAppealDeadlineIsGivenWithItsTime: an appeal period ends at the
// moment the decision was made, so many days on, not at the end of that
// day. The pages said "you can appeal until 1 April 2026" and then refused
// an appeal sent that afternoon as "ended on 1 April 2026"; they give the
// time of day (in UTC, as every time is shown), in both languages.
func TestTheAppealDeadlineIsGivenWithItsTime(t *testing.T) {
	w := newWorld(t)
	window := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "appeal_window_days", "values": map[string]any{"foundation": 30, "practitioner": 30, "senior_practitioner": 30, "master_practitioner": 30}},
	}}
	Expect(t, w.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: w.admin, Body: window}), 201)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/decision", w.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not yet at the level."}), 200)
	v := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)
	deadline, err := time.Parse(time.RFC3339, v["appeal_deadline"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if deadline.Hour() == 0 && deadline.Minute() == 0 {
		t.Fatalf("deadline %v at midnight: this test needs one within a day", deadline)
	}

	carlaWeb := w.client(t)
	carlaWeb.login(carla.Email, carla.Password)
	for _, tc := range []struct{ lang, intro, next string }{
		{"en", "You can appeal until %s.", "you can appeal until %s."},
		{"nl", "U kunt in beroep gaan tot %s.", "kunt u tot %s in beroep gaan."},
	} {
		carlaWeb.setLang(tc.lang)
		body := carlaWeb.get("/applications/" + caseID).Body
		at := dates.DateTime(tc.lang, deadline)
		for _, want := range []string{tc.intro, tc.next} {
			if want = strings.Replace(want, "%s", at, 1); !strings.Contains(body, want) {
				t.Errorf("%s: the application page does not say %q: %.4000s", tc.lang, want, body)
			}
		}
	}

	// Later that day (UTC) the period has ended, and the refusal says when.
	w.clock.Set(deadline.Add(time.Minute))
	carlaWeb = w.client(t)
	carlaWeb.login(carla.Email, carla.Password)
	grounds := url.Values{"grounds": {"My supervision log was overlooked."}}
	carlaWeb.refused(t, "/applications/"+caseID+"/appeal", grounds, http.StatusUnprocessableEntity,
		"The period for appealing this decision ended on "+dates.DateTime("en", deadline)+".")
}
