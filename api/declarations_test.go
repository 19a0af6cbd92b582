package api_test

import (
	"fmt"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// Submission without the declarations is refused with the unmet list; the
// case records each declaration's version and when it was confirmed. A
// new text published by the office is a new version, which a new case
// confirms, while the case pinned before keeps the version it confirmed.
func TestDeclarationsAreConfirmedAtSubmission(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	p := Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, map[string]any{"declarations": []string{"code_of_ethics"}}), 422).Map(t)
	if got := fmt.Sprint(p["unmet"]); got != "[map[given:false required:true rule:declaration_diversity]]" {
		t.Fatalf("unmet: got %s, want the diversity declaration only", got)
	}
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, nil), 422)
	c := tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	if got := fmt.Sprint(c["declarations"]); got != "[map[confirmed_at:2026-03-02T09:00:00Z key:code_of_ethics version:1] map[confirmed_at:2026-03-02T09:00:00Z key:diversity version:1]]" {
		t.Fatalf("declarations recorded: got %s", got)
	}

	rs := tm.post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"declarations": []map[string]any{{"key": "diversity", "text": map[string]string{
			"en": "I work to a written diversity policy and review it every year.",
			"nl": "Ik werk volgens een geschreven diversiteitsbeleid en herzie het elk jaar."}}}}, 201)
	if ds := rs["declarations"].([]any); len(ds) != 2 || ds[1].(map[string]any)["version"] != 2.0 {
		t.Fatalf("published declarations: got %v, want diversity at version 2", ds)
	}
	fresh := tm.openEIA(t)
	c = tm.post(t, "/api/v1/cases/"+fresh+"/submit", tm.applicant.Token, declared, 200)
	if got := c["declarations"].([]any)[1].(map[string]any)["version"]; got != 2.0 {
		t.Fatalf("a new case confirms diversity version %v, want 2", got)
	}
	tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "returned", "reason": "Add a reference."}, 200)
	c = tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	if got := c["declarations"].([]any)[1].(map[string]any)["version"]; got != 1.0 || c["rule_set"] != "eia-2024-1" {
		t.Fatalf("the pinned case resubmitted: diversity version %v under %v, want 1 under eia-2024-1", got, c["rule_set"])
	}
}
