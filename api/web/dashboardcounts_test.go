package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// tiles reads the dashboard's tiles as "value label", spaces collapsed.
func tiles(body string) []string {
	var out []string
	tile := regexp.MustCompile(`(?s)<span class="tile-value">([^<]*)</span>\s*<span class="tile-label">([^<]*)</span>`)
	for _, m := range tile.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(strings.TrimSpace(m[1])+" "+strings.TrimSpace(m[2])))
	}
	return out
}

// TestTheDashboardCountsOneInTheSingular: the office's dashboard says "1
// case in all", not "1 cases in all"; as its other figures beside words: a
// service level of 1 day, a median and a 90th percentile of 1 day, the
// chart of 1 decided case. Two cases are "cases" again. In English and in
// Dutch.
func TestTheDashboardCountsOneInTheSingular(t *testing.T) {
	w := newWorld(t, func(c *app.Config) { c.SLADays = 1 })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	// Decided a day after its submission: a median of 1 day.
	w.clock.Advance(24 * time.Hour)
	w.admin = w.in.AdminToken(t)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/decision", w.admin,
		map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}), 200))

	office := w.officeClient(t)
	for _, tc := range []struct {
		lang  string
		tiles []string
		desc  string
	}{
		{"en", []string{"1 case in all", "0 overdue (over 1 day)", "1 decided", "1 median day to decision", "1 day to decision, 90th percentile"},
			"A bar chart of 1 decided case by the number of days from submission to decision."},
		{"nl", []string{"1 dossier in totaal", "0 te laat (meer dan 1 dag)", "1 beslist", "1 mediaan dag tot besluit", "1 dag tot besluit, 90e percentiel"},
			"Een staafdiagram van 1 beslist dossier naar het aantal dagen van indiening tot besluit."},
	} {
		office.setLang(tc.lang)
		a := office.get("/office")
		got := tiles(a.Body)
		for _, want := range tc.tiles {
			if !strings.Contains("\n"+strings.Join(got, "\n")+"\n", "\n"+want+"\n") {
				t.Errorf("%s: no tile %q; got %q", tc.lang, want, got)
			}
		}
		if !strings.Contains(a.Body, `<desc id="days-desc">`+tc.desc+`</desc>`) {
			t.Errorf("%s: the chart is not described as %q: %s", tc.lang, tc.desc, regexp.MustCompile(`<desc[^>]*>[^<]*</desc>`).FindString(a.Body))
		}
	}

	// A second case: the plural again.
	dave := w.registerApplicant(t, "dave@example.org", "Dave Draft")
	draft := Expect(t, w.in.Post(t, "/api/v1/cases", dave.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201)
	w.settled(t, draft)
	for lang, want := range map[string]string{"en": "2 cases in all", "nl": "2 dossiers in totaal"} {
		office.setLang(lang)
		if got := tiles(office.get("/office").Body); !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("%s: no tile %q; got %q", lang, want, got)
		}
	}
}

// TestTheDashboardsWorkloadCountsRenewals: the dashboard's "Assessor
// workload" counted the cases each assessor holds, not the renewals they
// have to assess; one who held only a renewal was not on it at all. Their
// renewals now have a column, which leads to the renewals they hold, in
// either language.
func TestTheDashboardsWorkloadCountsRenewals(t *testing.T) {
	w := newWorld(t)
	_, _, _, rene := w.renewalAssigned(t)
	office := w.officeClient(t)
	row := regexp.MustCompile(`(?s)<tr><th scope="row"><a href="/office/users/` + rene.ID + `">Rene Renewals</a></th>(.*?)</tr>`)
	for lang, header := range map[string]string{"en": "Renewals to assess", "nl": "Te beoordelen verlengingen"} {
		t.Run(lang, func(t *testing.T) {
			office.setLang(lang)
			a := office.get("/office")
			workload := between(a.Body, `id="workload-heading"`, "</section>")
			if !strings.Contains(workload, `<th scope="col" class="num">`+header+`</th>`) {
				t.Errorf("the workload has no column %q:\n%s", header, workload)
			}
			m := row.FindStringSubmatch(workload)
			if m == nil {
				t.Fatalf("Rene Renewals, who holds a renewal, is not in the workload:\n%s", workload)
			}
			held := `/office/users/` + rene.ID + `#held-renewals`
			if want := `<td class="num">0</td><td class="num"><a href="` + held + `">1</a></td><td class="num">0</td>`; m[1] != want {
				t.Errorf("got the row %s, want %s", m[1], want)
			}
			if p := office.get(strings.TrimSuffix(held, "#held-renewals")); p.Status != 200 || !strings.Contains(p.Body, `id="held-renewals"`) {
				t.Errorf("the link leads to %d, without the renewals held", p.Status)
			}
		})
	}
}

// TestTheDashboardTellsOfADisabledAssessorsRenewals: a disabled assessor
// holding a renewal in assessment was told of on the dashboard only when
// they held cases too; the renewal waits as a case does, until the office
// gives it to another assessor.
func TestTheDashboardTellsOfADisabledAssessorsRenewals(t *testing.T) {
	w := newWorld(t)
	_, _, _, rene := w.renewalAssigned(t)
	office := w.officeClient(t)
	if a := office.post("/office/users/"+rene.ID+"/disable", url.Values{"disable_reason": {"Left EMCC."}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("disabling Rene: got %d", a.Status)
	}
	for lang, want := range map[string]string{
		"en": "Rene Renewals is disabled and holds a renewal to assess, which waits until you assign it to another assessor.",
		"nl": "Rene Renewals is geblokkeerd en heeft een te beoordelen verlenging, die wacht tot u haar aan een andere assessor toewijst.",
	} {
		office.setLang(lang)
		a := office.get("/office")
		notice := between(a.Body, `<p class="notice notice-attention stranded">`, "</p>")
		if !strings.HasPrefix(html.UnescapeString(notice), want) || !strings.Contains(notice, `href="/office/users/`+rene.ID+`#held-renewals"`) {
			t.Errorf("%s: got the notice %q, want %q leading to the renewals held", lang, notice, want)
		}
	}
}

// TestTheStatsCountRenewalsAsTheDashboardDoes: GET /api/v1/stats and the
// dashboard read one tally, so the renewals an assessor holds are in both
// (the API once left them out, and an assessor who held only renewals),
// and leave both once assessed.
func TestTheStatsCountRenewalsAsTheDashboardDoes(t *testing.T) {
	w := newWorld(t)
	_, _, accID, rene := w.renewalAssigned(t)
	workload := func() map[string]map[string]any {
		t.Helper()
		var st struct {
			Stats struct {
				Workload []map[string]any `json:"assessor_workload"`
			} `json:"stats"`
		}
		Expect(t, w.in.Get(t, "/api/v1/stats", w.admin), 200).JSON(t, &st)
		out := map[string]map[string]any{}
		for _, row := range st.Stats.Workload {
			out[row["user_id"].(string)] = row
		}
		return out
	}
	got := workload()[rene.ID]
	if got == nil || got["renewals"] != 1.0 || got["open"] != 0.0 || got["completed"] != 0.0 {
		t.Fatalf("Rene, who holds one renewal and no case: %v", got)
	}
	rene.Token = w.in.Login(t, rene.Email, rene.Password)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", rene.Token,
		map[string]string{"outcome": "renew", "rationale": "Practice, supervision and CPD meet the rules."}), 200))
	if got := workload()[rene.ID]; got != nil {
		t.Errorf("Rene has assessed the renewal and holds nothing, but is listed: %v", got)
	}
}

// TestTheDashboardsOutcomesSayTheLevelAppliedFor: the outcomes table
// counts each case under the level it applied for (an award at a lower
// level counts as awarded there), and says so, in English and in Dutch.
func TestTheDashboardsOutcomesSayTheLevelAppliedFor(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	for lang, want := range map[string][2]string{
		"en": {"Outcomes by the level applied for", "Level applied for"},
		"nl": {"Uitkomsten per aangevraagd niveau", "Aangevraagd niveau"},
	} {
		office.setLang(lang)
		body := office.get("/office").Body
		section := regexp.MustCompile(`(?s)<section aria-labelledby="outcomes-heading">.*?</section>`).FindString(body)
		if !strings.Contains(section, `<h2 id="outcomes-heading">`+want[0]+`</h2>`) || !strings.Contains(section, `<th scope="col">`+want[1]+`</th>`) {
			t.Errorf("%s: the outcomes table does not say %q, %q:\n%s", lang, want[0], want[1], section)
		}
	}
}
