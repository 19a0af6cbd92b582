package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// latestEIA is the id of the EIA rules a new version is edited from: the
// last one listed that was not replaced.
func latestEIA(t *testing.T, w *world) string {
	t.Helper()
	var latest string
	for _, v := range Expect(t, w.in.Get(t, "/api/v1/rulesets?scheme=EIA", ""), 200).Map(t)["rule_sets"].([]any) {
		if v := v.(map[string]any); v["status"] != "replaced" {
			latest = v["id"].(string)
		}
	}
	return latest
}

// quarterly has the office put the published supervision rule in force
// today: at least 1 h in each of the last four quarters, the year's 4 h
// unset.
func quarterly(t *testing.T, w *world) {
	t.Helper()
	all := map[string]any{"foundation": 1, "practitioner": 1, "senior_practitioner": 1, "master_practitioner": 1}
	Expect(t, w.in.Post(t, "/api/v1/rulesets", w.admin, map[string]any{"scheme": "EIA", "based_on": latestEIA(t, w), "effective_from": start.Format("2006-01-02"),
		"rules": []map[string]any{
			{"name": "supervision_hours_each_quarter", "values": all},
			{"name": "supervision_hours_last_year", "values": map[string]any{}},
		}}), 201)
}

// TestSupervisionByQuarterOnTheFormAndTheCase: under the quarterly rule
// the portfolio form asks for the hours of each of the last four quarters,
// in Dutch as in English; 4 h in one quarter and none in the others leaves
// the checklist saying the least supervised quarter is short; 1 h in each
// meets it, and the case shows the four figures. A quarter over the hours
// a quarter has is refused on its own input.
func TestSupervisionByQuarterOnTheFormAndTheCase(t *testing.T) {
	w := newWorld(t)
	quarterly(t, w)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "nl"}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)

	for lang, want := range map[string][]string{
		"en": {"Supervision hours in each of the last four quarters", "At least 1 in every quarter", "Oldest quarter (four quarters ago)", "Last quarter"},
		"nl": {"Supervisie-uren in elk van de laatste vier kwartalen", "Minstens 1 in elk kwartaal", "Oudste kwartaal (vier kwartalen geleden)", "Laatste kwartaal"},
	} {
		c.setLang(lang)
		page := c.get("/applications/" + caseID + "/portfolio")
		for _, s := range want {
			if !strings.Contains(page.Body, s) {
				t.Errorf("the %s form does not say %q", lang, s)
			}
		}
		if strings.Contains(page.Body, `name="supervision_hours_last_year"`) {
			t.Errorf("the %s form asks for the year's supervision hours, which these rules do not count", lang)
		}
	}

	form := func(quarters ...string) url.Values {
		v := url.Values{"first_practice_date": {"2021-01-15"}, "client_hours": {"140"}, "client_count": {"14"}, "cpd_hours_last_year": {"20"},
			"feedback_items_last_12m": {"6"}, "reflection_items_last_12m": {"5"}, "professional_body_member": {"yes"}}
		for i, q := range quarters {
			v.Set("supervision_hours_by_quarter_"+string(rune('1'+i)), q)
		}
		return v
	}
	c.setLang("en")
	if a := c.post("/applications/"+caseID+"/portfolio", form("4", "", "", ""), true); a.Status != http.StatusSeeOther {
		t.Fatalf("4 h in the oldest quarter: %d\n%.2000s", a.Status, a.Body)
	}
	p := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)
	if got := p["portfolio"].(map[string]any)["supervision_hours_by_quarter"]; len(got.([]any)) != 4 || got.([]any)[0] != 4.0 || got.([]any)[3] != 0.0 {
		t.Fatalf("supervision_hours_by_quarter: got %v, want [4 0 0 0]", got)
	}
	page := c.get("/applications/" + caseID)
	if s := "Supervision hours in each of the last four quarters: at least 1 in every quarter (your least supervised quarter: 0)"; !strings.Contains(page.Body, s) {
		t.Fatalf("the checklist with 4 h in one quarter does not say %q:\n%.4000s", s, page.Body)
	}
	c.setLang("nl")
	if s := "Supervisie-uren in elk van de laatste vier kwartalen: minstens 1 in elk kwartaal (uw kwartaal met de minste supervisie: 0)"; !strings.Contains(c.get("/applications/"+caseID).Body, s) {
		t.Fatalf("the Dutch checklist does not say %q", s)
	}

	a := c.post("/applications/"+caseID+"/portfolio", form("1", "1,5", "3000", "1"), true)
	third := regexp.MustCompile(`<input id="f-supervision_hours_by_quarter_3"[^>]*>`).FindString(a.Body)
	if a.Status != http.StatusBadRequest || !strings.Contains(third, `value="3000"`) || !strings.Contains(third, `aria-invalid="true"`) ||
		!strings.Contains(a.Body, "2208") {
		t.Fatalf("3000 h in a quarter: %d, want 400 marking the third quarter's input (%s) and saying its limit\n%.6000s", a.Status, third, a.Body)
	}
	if a := c.post("/applications/"+caseID+"/portfolio", form("1", "1,5", "2", "1"), true); a.Status != http.StatusSeeOther {
		t.Fatalf("1 h or more in each quarter: %d\n%.2000s", a.Status, a.Body)
	}
	page = c.get("/applications/" + caseID)
	if strings.Contains(page.Body, "kwartaal met de minste supervisie") {
		t.Fatalf("the checklist still counts the supervision short with 1 h or more in each quarter")
	}
	var cats []map[string]any
	for n := 1; n <= 8; n++ {
		cats = append(cats, map[string]any{"category": n, "statement": "Statement"})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/self-assessment", carla.Token, map[string]any{"categories": cats}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", carla.Token, declared), 200)
	office := w.officeClient(t)
	for lang, want := range map[string]string{"en": "1, 1.5, 2 and 1 hours, the oldest quarter first", "nl": "1, 1,5, 2 en 1 uur, het oudste kwartaal eerst"} {
		office.setLang(lang)
		if page := office.get("/office/cases/" + caseID); !strings.Contains(page.Body, want) {
			t.Fatalf("the office's case page does not show the quarters as %q:\n%.6000s", want, page.Body)
		}
	}
}

// TestTheRenewalFormSaysTheQuarterlyMinimumOfItsRules: the renewal form asks
// for each year's quarters and says the minimum a quarter the rules it is
// checked against set (renewal_supervision_hours_each_quarter), in Dutch as
// in English: none under eia-2024-1, which counts the year's hours; 1 h
// under eia-2027-1.
func TestTheRenewalFormSaysTheQuarterlyMinimumOfItsRules(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	legend := regexp.MustCompile(`<legend>([^<]*)</legend>\s*<div[^>]*>\s*<label for="f-years\[0\]\.supervision_hours_by_quarter\[0\]"`)
	quarters := func(c *client, lang string) string {
		t.Helper()
		c.setLang(lang)
		page := c.get("/accreditations/" + accID)
		m := legend.FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("%s: no quarters on the renewal form: %d\n%.3000s", lang, page.Status, page.Body)
		}
		return m[1]
	}
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	for _, lang := range []string{"en", "nl"} {
		if got := quarters(c, lang); strings.Contains(got, "at least") || strings.Contains(got, "minstens") {
			t.Errorf("%s, under eia-2024-1, which sets no minimum a quarter: the quarters are asked as %q", lang, got)
		}
	}
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC)) // eia-2027-1
	c = w.client(t)
	c.login(carla.Email, carla.Password)
	for lang, want := range map[string]string{"en": "(at least 1 in every quarter ended by the time you send;", "nl": "(minstens 1 in elk kwartaal dat voorbij is wanneer u verstuurt;"} {
		if got := quarters(c, lang); !strings.Contains(got, want) {
			t.Errorf("%s, under eia-2027-1: the quarters are asked as %q, want it to say %q", lang, got, want)
		}
	}
}
