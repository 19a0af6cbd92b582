package api_test

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// ruleOf returns the rule called name of a rule set as the API shows it.
func ruleOf(t *testing.T, rs map[string]any, name string) map[string]any {
	t.Helper()
	for _, r := range rs["rules"].([]any) {
		if r := r.(map[string]any); r["name"] == name {
			return r
		}
	}
	t.Fatalf("rule set %v has no rule %s", rs["id"], name)
	return nil
}

// Anyone reads the rules; the shipped ones carry only sourced figures, and
// what no publication gives is null ("not set").
func TestRuleSetsAreReadByAnyone(t *testing.T) {
	tm := newTeam(t)
	list := tm.get(t, "/api/v1/rulesets", "")
	sets := list["rule_sets"].([]any)
	if len(sets) != 3 {
		t.Fatalf("rule sets: got %d, want the shipped EIA and EQA ones and eia-2027-1", len(sets))
	}
	for _, s := range sets {
		s := s.(map[string]any)
		status := "in_force"
		if s["id"] == "eia-2027-1" { // supervision by quarter, from 1 January 2027
			status = "scheduled"
		}
		if s["status"] != status || s["shipped"] != true {
			t.Errorf("%v: status %v shipped %v, want %s and shipped", s["id"], s["status"], s["shipped"], status)
		}
		for _, r := range s["rules"].([]any) {
			r := r.(map[string]any)
			set := false
			for _, v := range r["values"].(map[string]any) {
				set = set || v != nil
			}
			if set && r["source"] == nil {
				t.Errorf("%v %v: figures %v without a source", s["id"], r["name"], r["values"])
			}
		}
	}
	eqa := tm.get(t, "/api/v1/rulesets/eqa-2024-1", "")
	if r := ruleOf(t, eqa, "contact_hours"); r["values"].(map[string]any)["foundation"] != nil || r["source"] != nil {
		t.Fatalf("EQA contact hours: got %v, want not set", r)
	}
	eia := Expect(t, tm.in.Get(t, "/api/v1/rulesets?scheme=EIA", ""), 200).Map(t)["rule_sets"].([]any)
	if len(eia) != 2 || ruleOf(t, eia[0].(map[string]any), "client_hours")["values"].(map[string]any)["senior_practitioner"] != 250.0 {
		t.Fatalf("EIA rule sets: got %v", eia)
	}
	Expect(t, tm.in.Get(t, "/api/v1/rulesets/eia-1999-1", ""), 404)
	Expect(t, tm.in.Get(t, "/api/v1/rulesets?scheme=ABC", ""), 400)
}

// The office publishes a version; a publish edited from an older version is
// refused, a retry with its key answered once. A case submitted before keeps
// its rules when returned and resubmitted; a new case is held to the new.
func TestPublishedRulesLeavePinnedCasesAlone(t *testing.T) {
	tm := newTeam(t)
	pinned := tm.openEIA(t)
	if c := tm.post(t, "/api/v1/cases/"+pinned+"/submit", tm.applicant.Token, declared, 200); c["rule_set"] != "eia-2024-1" {
		t.Fatalf("pinned to: got %v, want eia-2024-1", c["rule_set"])
	}
	fresh := tm.openEIA(t) // a draft: not pinned yet

	stricter := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"rules": []map[string]any{{"name": "client_hours", "values": map[string]any{"foundation": 50, "practitioner": 200, "senior_practitioner": 250, "master_practitioner": 500}}}}
	Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.applicant.Token, stricter), 403)
	Expect(t, tm.in.Post(t, "/api/v1/rulesets", "", stricter), 401)
	key := map[string]string{"Idempotency-Key": "publish-2026-03"}
	r := Expect(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: tm.admin, Body: stricter, Header: key}), 201)
	v := r.Map(t)
	if v["id"] != "eia-2026-1" || v["status"] != "in_force" || v["based_on"] != "eia-2027-1" || r.Header.Get("Location") != "/api/v1/rulesets/eia-2026-1" {
		t.Fatalf("published: got %v (Location %s)", v, r.Header.Get("Location"))
	}
	if src := ruleOf(t, v, "client_hours")["source"]; src != "set by the office on 2026-03-02" {
		t.Fatalf("source of the changed rule: got %v", src)
	}
	retry := Expect(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: tm.admin, Body: stricter, Header: key}), 201).Map(t)
	if retry["id"] != "eia-2026-1" {
		t.Fatalf("retry: got %v, want the first answer", retry["id"])
	}
	p := Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.admin, stricter), 409).Map(t)
	if !strings.Contains(p["detail"].(string), `"eia-2026-1"`) {
		t.Fatalf("stale publish: got %v", p)
	}
	// eia-2026-1, edited from the scheduled eia-2027-1 and in force before
	// it, replaced it: it stays in the history, marked so.
	if n := len(tm.get(t, "/api/v1/rulesets?scheme=EIA", "")["rule_sets"].([]any)); n != 3 {
		t.Fatalf("EIA versions: got %d, want 3", n)
	}
	if q := tm.get(t, "/api/v1/rulesets/eia-2027-1", ""); q["status"] != "replaced" || q["replaced_by"] != "eia-2026-1" {
		t.Fatalf("the shipped eia-2027-1: got status %v replaced by %v, want replaced by eia-2026-1", q["status"], q["replaced_by"])
	}
	if old := tm.get(t, "/api/v1/rulesets/eia-2024-1", ""); old["status"] != "superseded" {
		t.Fatalf("the shipped EIA rules: got status %v, want superseded", old["status"])
	}

	// The pinned case: returned, then resubmitted with its 140 hours.
	tm.post(t, "/api/v1/cases/"+pinned+"/screening", tm.admin, map[string]string{"outcome": "returned", "reason": "Add a supervisor reference."}, 200)
	if c := tm.get(t, "/api/v1/cases/"+pinned, tm.applicant.Token); c["checklist"] != nil && len(c["checklist"].([]any)) != 0 {
		t.Fatalf("checklist of the pinned case: got %v, want nothing unmet", c["checklist"])
	}
	if c := tm.post(t, "/api/v1/cases/"+pinned+"/submit", tm.applicant.Token, declared, 200); c["rule_set"] != "eia-2024-1" {
		t.Fatalf("resubmitted: pinned to %v, want eia-2024-1", c["rule_set"])
	}
	// The new case is held to the new rules.
	prob := Expect(t, tm.in.Post(t, "/api/v1/cases/"+fresh+"/submit", tm.applicant.Token, declared), 422).Map(t)
	unmet := prob["unmet"].([]any)
	if prob["rule_set"] != "eia-2026-1" || len(unmet) != 1 || unmet[0].(map[string]any)["rule"] != "client_hours" || unmet[0].(map[string]any)["required"] != 200.0 {
		t.Fatalf("new case: got %v", prob)
	}
}

func TestPublishRefusesBadInputNamingTheField(t *testing.T) {
	tm := newTeam(t)
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"in the past", map[string]any{"scheme": "EQA", "based_on": "eqa-2024-1", "effective_from": "2026-03-01"}, "effective_from"},
		{"not a date", map[string]any{"scheme": "EQA", "based_on": "eqa-2024-1", "effective_from": "next year"}, "effective_from"},
		{"not a scheme", map[string]any{"scheme": "XYZ", "based_on": "eqa-2024-1", "effective_from": "2026-04-01"}, "scheme"},
		{"an EIA rule on EQA", map[string]any{"scheme": "EQA", "based_on": "eqa-2024-1", "effective_from": "2026-04-01",
			"rules": []map[string]any{{"name": "client_hours", "values": map[string]any{"foundation": 1}}}}, "rules[0].name"},
		{"a fraction of a cycle", map[string]any{"scheme": "EQA", "based_on": "eqa-2024-1", "effective_from": "2026-04-01",
			"rules": []map[string]any{{"name": "completed_cycles", "values": map[string]any{"foundation": 1.5}}}}, "rules[0].values.foundation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.admin, tc.body), 400).Map(t)
			named := false
			errs, _ := p["errors"].([]any)
			for _, e := range errs {
				named = named || e.(map[string]any)["field"] == tc.field
			}
			if !named {
				t.Fatalf("problem: got %v, want the field %s named", p, tc.field)
			}
		})
	}
}

// A date mistyped far ahead is refused; one set wrong within the bound is
// mended by publishing again from it with the right date: the first is
// then "replaced" and never takes effect.
func TestAMistypedRulesDateIsRefusedOrMended(t *testing.T) {
	tm := newTeam(t) // its clock: 2026-03-02
	rules := []map[string]any{{"name": "client_hours", "values": map[string]any{"foundation": 60}}}
	p := Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2207-04-01", "rules": rules}), 400).Map(t)
	if e := p["errors"].([]any)[0].(map[string]any); e["field"] != "effective_from" || !strings.Contains(e["reason"].(string), "within 5 years") {
		t.Fatalf("year 2207: %v", p)
	}
	wrong := Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2030-04-01", "rules": rules}), 201).Map(t)
	if wrong["status"] != "scheduled" {
		t.Fatalf("2030: %v", wrong)
	}
	// Not before eia-2027-1, which the mistyped version followed.
	right := Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": wrong["id"], "effective_from": "2027-04-01"}), 201).Map(t)
	if right["status"] != "scheduled" || right["based_on"] != wrong["id"] || ruleOf(t, right, "client_hours")["values"].(map[string]any)["foundation"] != float64(60) {
		t.Fatalf("the mended version: %v", right)
	}
	was := Expect(t, tm.in.Get(t, "/api/v1/rulesets/"+wrong["id"].(string), ""), 200).Map(t)
	if was["status"] != "replaced" || was["replaced_by"] != right["id"] {
		t.Fatalf("the mistyped version now: status %v, replaced_by %v", was["status"], was["replaced_by"])
	}
}

// TestAVersionThatReplacedEIA2027CanBeMendedEarlier: the office's first
// EIA version, edited from eia-2027-1 and taking effect before it, replaced
// it; eia-2027-1 never takes effect, so that version follows eia-2024-1 and
// its date may be mended to any day after that, also one before 2027.
func TestAVersionThatReplacedEIA2027CanBeMendedEarlier(t *testing.T) {
	tm := newTeam(t) // its clock: 2026-03-02
	rules := []map[string]any{{"name": "client_hours", "values": map[string]any{"foundation": 60}}}
	first := Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-09-01", "rules": rules}), 201).Map(t)
	if was := Expect(t, tm.in.Get(t, "/api/v1/rulesets/eia-2027-1", ""), 200).Map(t); was["status"] != "replaced" || was["replaced_by"] != first["id"] {
		t.Fatalf("eia-2027-1 after a version edited from it for 2026-09-01: status %v, replaced_by %v", was["status"], was["replaced_by"])
	}
	mended := Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": first["id"], "effective_from": "2026-06-01"}), 201).Map(t)
	if mended["status"] != "scheduled" || !strings.HasPrefix(mended["effective_from"].(string), "2026-06-01") {
		t.Fatalf("the mended version: %v", mended)
	}
	if was := Expect(t, tm.in.Get(t, "/api/v1/rulesets/"+first["id"].(string), ""), 200).Map(t); was["status"] != "replaced" || was["replaced_by"] != mended["id"] {
		t.Fatalf("the first version now: status %v, replaced_by %v", was["status"], was["replaced_by"])
	}
}
