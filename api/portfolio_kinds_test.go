package api_test

import (
	"slices"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// checklistRules are the names of the rules a case's checklist lists.
func checklistRules(c map[string]any) []string {
	var out []string
	list, _ := c["checklist"].([]any)
	for _, u := range list {
		out = append(out, u.(map[string]any)["rule"].(string))
	}
	return out
}

// The written portfolio is counted from what is uploaded: once the office
// publishes the counts NOBCO gives (a case study, five learning journals),
// a draft's checklist asks for them, submission is refused until they are
// uploaded, and an EQA programme's kind is refused on an EIA case.
func TestTheWrittenPortfolioIsCountedFromTheUploads(t *testing.T) {
	tm := newTeam(t)
	limits := tm.get(t, "/api/v1/evidence/limits", "")
	byScheme := limits["kinds_by_scheme"].(map[string]any)
	if eia := byScheme["EIA"].([]any); eia[0] != "case_study" || slices.Contains(eia, any("curriculum")) {
		t.Fatalf("EIA kinds: got %v, want the written portfolio's first and no EQA kind", eia)
	}
	id := tm.openEIA(t)
	if got := checklistRules(tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)); len(got) != 0 {
		t.Fatalf("checklist under the shipped rules: got %v, want nothing", got)
	}
	nobco := "nobco.nl/wat-moet-je-aantonen-voor-eia-certificering"
	every := func(n int) map[string]any {
		return map[string]any{"foundation": n, "practitioner": n, "senior_practitioner": n, "master_practitioner": n}
	}
	tm.post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"rules": []map[string]any{
			{"name": "evidence_case_study", "values": every(1), "source": nobco},
			{"name": "evidence_learning_journal", "values": every(5), "source": nobco},
		}}, 201)
	if got, want := checklistRules(tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)), []string{"evidence_case_study", "evidence_learning_journal"}; !slices.Equal(got, want) {
		t.Fatalf("checklist after the office's version: got %v, want %v", got, want)
	}
	bad := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "curriculum", "title": "Curriculum"}, "c.pdf", pdf, nil), 400).Map(t)
	if errs, _ := bad["errors"].([]any); len(errs) == 0 || errs[0].(map[string]any)["field"] != "kind" {
		t.Fatalf("an EQA kind on an EIA case: got %v, want a 400 naming kind", bad)
	}
	upload := func(kind, title string) {
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": kind, "title": title}, kind+".pdf", pdf, nil), 201)
	}
	upload("case_study", "Case study: a year with a team leader")
	for _, title := range []string{"Journal 1", "Journal 2", "Journal 3", "Journal 4"} {
		upload("learning_journal", title)
	}
	p := Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared), 422).Map(t)
	unmet := p["unmet"].([]any)
	if len(unmet) != 1 || unmet[0].(map[string]any)["rule"] != "evidence_learning_journal" || unmet[0].(map[string]any)["given"] != 4.0 {
		t.Fatalf("submit with 4 journals: got %v", p)
	}
	upload("learning_journal", "Journal 5")
	if c := tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200); c["rule_set"] != "eia-2026-1" {
		t.Fatalf("submitted under %v, want eia-2026-1", c["rule_set"])
	}
}
