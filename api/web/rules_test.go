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

// eqaForm is the office's form for a new EQA version with contact hours
// set at foundation: every other figure as the shipped rules have it.
func eqaForm(action, from string) url.Values {
	return url.Values{"based_on": {"eqa-2024-1"}, "effective_from": {from}, "action": {action},
		"v_completed_cycles_foundation": {"1"}, "v_completed_cycles_practitioner": {"1"}, "v_completed_cycles_senior_practitioner": {"1"}, "v_completed_cycles_master_practitioner": {"1"},
		"v_curriculum_all_categories_foundation": {"1"}, "v_curriculum_all_categories_practitioner": {"1"}, "v_curriculum_all_categories_senior_practitioner": {"1"}, "v_curriculum_all_categories_master_practitioner": {"1"},
		"src_completed_cycles":          {`coaching-at-work.com (2007/11/02, "prize possession"): at least one completed cycle`},
		"src_curriculum_all_categories": {"EMCC Competence Framework V3: a programme is placed at an EQA level against its eight categories"},
		"v_contact_hours_foundation":    {"20"}}
}

// The rules in words for anyone; the office reviews a new version against
// the one in force and publishes it.
func TestRulesPagesAndPublishing(t *testing.T) {
	w := newWorld(t)
	anon := w.client(t)
	a := anon.get("/rules")
	for _, want := range []string{"Rules of 1 January 2024", "Contact hours of the programme", "not set", "nobco.nl/keurmerk/EIA-niveaus", "250 hours",
		"What applicants confirm", "I work to a diversity policy and can show how I put it into practice."} {
		if !strings.Contains(a.Body, want) {
			t.Fatalf("rules page: no %q", want)
		}
	}
	if strings.Contains(a.Body, "Publish a new version") {
		t.Fatal("the rules page offers publishing to a visitor")
	}
	nl := w.client(t)
	nl.setLang("nl")
	if a := nl.get("/rules"); !strings.Contains(a.Body, "Regels van 1 januari 2024") || !strings.Contains(a.Body, "niet ingesteld") {
		t.Fatal("the Dutch rules page does not name the rules in Dutch")
	}

	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	if a := office.get("/rules"); !strings.Contains(a.Body, `href="/office/rules/eqa"`) {
		t.Fatal("the office is not offered to publish")
	}
	if a := office.get("/office/rules/eqa"); a.Status != http.StatusOK || !strings.Contains(a.Body, `name="v_contact_hours_foundation" value=""`) {
		t.Fatalf("publish form: got %d, or contact hours not offered unset", a.Status)
	}
	a = office.post("/office/rules/eqa", eqaForm("review", "2026-03-03"), true)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "Review: Rules of 3 March 2026") ||
		!strings.Contains(a.Body, "Contact hours of the programme, Foundation: from not set to 20 hours") {
		t.Fatalf("review: got %d", a.Status)
	}
	if n := len(Expect(t, w.in.Get(t, "/api/v1/rulesets?scheme=EQA", ""), 200).Map(t)["rule_sets"].([]any)); n != 1 {
		t.Fatalf("EQA versions after a review: got %d, want 1 (nothing published)", n)
	}
	bad := eqaForm("review", "2026-03-01")
	bad.Set("v_contact_hours_practitioner", "many")
	if a := office.post("/office/rules/eqa", bad, true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `id="f-v_contact_hours_practitioner-error"`) {
		t.Fatalf("a figure that is not a number: got %d", a.Status)
	}
	if a := office.post("/office/rules/eqa", eqaForm("review", "2026-03-01"), true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `id="f-effective_from-error"`) {
		t.Fatalf("a day in the past: got %d", a.Status)
	}
	a = office.post("/office/rules/eqa", eqaForm("publish", "2026-03-03"), true)
	if a.Status != http.StatusSeeOther || a.Location != "/rules/eqa-2026-1?ok=rules_published" {
		t.Fatalf("publish: got %d to %q", a.Status, a.Location)
	}
	a = office.get(a.Location)
	for _, want := range []string{"The new rules are published.", "Rules of 3 March 2026", "takes effect later", "Changes compared with Rules of 1 January 2024", "set by the office on 2 March 2026"} {
		if !strings.Contains(a.Body, want) {
			t.Fatalf("the new version's page: no %q", want)
		}
	}
	// Published from an older version: refused, the form says why.
	if a := office.post("/office/rules/eqa", eqaForm("publish", "2026-03-04"), true); a.Status != http.StatusConflict || !strings.Contains(a.Body, "These rules were published anew since the page was opened (the latest: Rules of 3 March 2026)") {
		t.Fatalf("a stale publish: got %d", a.Status)
	}
	// The day was wrong: published again from it, a day earlier, it is
	// replaced, and says so in both languages.
	mend := eqaForm("publish", "2026-03-02")
	mend.Set("based_on", "eqa-2026-1")
	if a := office.post("/office/rules/eqa", mend, true); a.Status != http.StatusSeeOther || a.Location != "/rules/eqa-2026-2?ok=rules_published" {
		t.Fatalf("publish the right day: got %d to %q", a.Status, a.Location)
	}
	if a := office.get("/rules/eqa-2026-1"); !strings.Contains(a.Body, "replaced before it took effect") {
		t.Fatalf("the replaced version's page: %d", a.Status)
	}
	// It links what replaced it (in force now: named once); the version it
	// superseded links the one in force; that one links nothing.
	replaced := anon.get("/rules/eqa-2026-1").Body
	if want := `<dt>Replaced by</dt><dd><a href="/rules/eqa-2026-2">Rules of 2 March 2026</a>`; !strings.Contains(replaced, want) || strings.Contains(replaced, "In force now") {
		t.Errorf("the replaced version's page does not link its replacement once, as %s", want)
	}
	if a := nl.get("/rules/eqa-2026-1"); !strings.Contains(a.Body, `<dt>Vervangen door</dt><dd><a href="/rules/eqa-2026-2">Regels van 2 maart 2026</a>`) {
		t.Error("the Dutch page of the replaced version does not link its replacement")
	}
	if a := anon.get("/rules/eqa-2024-1"); !strings.Contains(a.Body, `<dt>In force now</dt><dd><a href="/rules/eqa-2026-2">Rules of 2 March 2026</a>`) || strings.Contains(a.Body, "Replaced by") {
		t.Error("the superseded version's page does not link the version in force")
	}
	if a := anon.get("/rules/eqa-2026-2"); strings.Contains(a.Body, "Replaced by") || strings.Contains(a.Body, "In force now") {
		t.Error("the version in force points elsewhere")
	}
	if a := nl.get("/rules"); !strings.Contains(a.Body, "vervangen voordat het inging") {
		t.Fatal("the Dutch rules page does not say the version was replaced")
	}
	applicant := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	ac := w.client(t)
	ac.login(applicant.Email, applicant.Password)
	if a := ac.post("/office/rules/eqa", eqaForm("publish", "2026-03-05"), true); a.Status != http.StatusForbidden {
		t.Fatalf("an applicant publishing: got %d, want 403", a.Status)
	}
}

// The applicant sees the rules their case is held to in words, never the
// internal id; a version published later leaves it alone.
func TestApplicantSeesTheRulesInWords(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	page := c.get("/applications/" + caseID)
	if !strings.Contains(page.Body, ">Rules of 1 January 2024</a>") || strings.Contains(page.Body, ">eia-2024-1<") {
		t.Fatal("the application does not name its rules in words")
	}
	Expect(t, w.in.Post(t, "/api/v1/rulesets", w.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"rules": []map[string]any{{"name": "client_hours", "values": map[string]any{"practitioner": 300}}}}), 201)
	w.clock.Set(start.Add(24 * time.Hour))
	c.login(carla.Email, carla.Password)
	if page := c.get("/applications/" + caseID); !strings.Contains(page.Body, ">Rules of 1 January 2024</a>") {
		t.Fatal("a later version changed the rules the submitted application is held to")
	}
	c.setLang("nl")
	if page := c.get("/applications/" + caseID); !strings.Contains(page.Body, ">Regels van 1 januari 2024</a>") {
		t.Fatal("the application does not name its rules in Dutch")
	}
}

// In a real browser: the office finds the rules in the menu, sets the EQA
// contact hours that no publication gives, reviews the change against the
// rules in force and publishes; anyone then reads the new version.
func TestBrowserOfficePublishesRules(t *testing.T) {
	office := browser(t)
	w := newWorld(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.submit(`nav a[href="/rules"]`)
	office.see("Rules of 1 January 2024", "not set")
	office.submit(`main a[href="/office/rules/eqa"]`)
	office.see("New version of the rules", "Contact hours of the programme")
	office.set("#f-effective_from", "2026-04-01")
	office.fill("#f-v_contact_hours_foundation", "20")
	office.fill("#f-v_contact_hours_master_practitioner", "180")
	office.submit(`main form button[value=review]`)
	office.see("Review: Rules of 1 April 2026", "Contact hours of the programme, Foundation: from not set to 20 hours",
		"Contact hours of the programme, Master Practitioner: from not set to 180 hours")
	office.submit(`main form button[value=publish]`)
	office.see("The new rules are published.", "Rules of 1 April 2026", "takes effect later", "set by the office on 2 March 2026")

	visitor := browser(t)
	visitor.base = w.in.URL
	visitor.open("/rules")
	visitor.lang("nl")
	visitor.see("Regels van 1 januari 2024", "Regels van 1 april 2026", "gaat later in")
}

// TestRulesPagesHeadingsDoNotSkipALevel: a rule version's page names its
// declarations under its h1 with an h2 (not an h3), while the rules page,
// where they belong to a scheme's h2 section, keeps an h3.
func TestRulesPagesHeadingsDoNotSkipALevel(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	heading := regexp.MustCompile(`<h([1-6])[\s>]`)
	for _, path := range []string{"/rules", "/rules/eqa-2024-1"} {
		a := c.get(path)
		if a.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, a.Status)
		}
		if !strings.Contains(a.Body, "What applicants confirm, at submission and at renewal</h") {
			t.Fatalf("GET %s: the page shows no declarations", path)
		}
		last := 0
		for _, m := range heading.FindAllStringSubmatchIndex(a.Body, -1) {
			lv := int(a.Body[m[2]] - '0')
			if last > 0 && lv > last+1 {
				t.Errorf("GET %s: h%d after h%d: %q", path, lv, last, a.Body[m[0]:min(len(a.Body), m[0]+70)])
			}
			last = lv
		}
	}
}

// TestRuleSourcesAreMarkedEnglish: the sources of the rules and of the
// declarations quote the EMCC's and NOBCO's published wording, in English;
// on a Dutch page their element says so, so that a screen reader does not
// read them with Dutch pronunciation.
func TestRuleSourcesAreMarkedEnglish(t *testing.T) {
	w := newWorld(t)
	anon := w.client(t)
	anon.setLang("nl")
	for _, path := range []string{"/rules", "/rules/eia-2024-1"} {
		page := anon.get(path).Body
		for _, source := range []string{"coacharya.com/emcc-2", "nobco.nl/keurmerk/EIA-niveaus: working"} {
			tags := regexp.MustCompile(`<[a-z]+[^>]*>(`+regexp.QuoteMeta(source)+`)`).FindAllString(page, -1)
			if len(tags) == 0 {
				t.Errorf("%s: no source %q", path, source)
			}
			for _, tag := range tags {
				if !strings.Contains(tag, `lang="en"`) {
					t.Errorf("%s: the source is not marked English: %s", path, tag)
				}
			}
		}
	}
}
