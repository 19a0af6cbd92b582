package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// The evidence form offers the case's scheme's kinds only, the written
// portfolio's first; the assessor's workspace lists the evidence grouped
// by kind, with the number of items of each.
func TestTheWorkspaceGroupsTheEvidenceByKind(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCaseBefore(t, carla, func(caseID string) {
		for _, e := range []struct{ kind, title string }{{"learning_journal", "Journal one"}, {"case_study", "A year with a team leader"}, {"learning_journal", "Journal two"}} {
			Expect(t, w.in.Upload(t, caseID, carla.Token, map[string]string{"kind": e.kind, "title": e.title}, e.kind+".pdf", pdf, nil), 201)
		}
	})

	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	draft := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	form := applicant.get("/applications/" + draft + "/evidence").Body
	cs, lj := strings.Index(form, `value="case_study"`), strings.Index(form, `value="learning_journal"`)
	if cs < 0 || lj < cs || strings.Contains(form, `value="curriculum"`) {
		t.Fatalf("EIA evidence form: case study at %d, learning journal at %d, curriculum offered %v", cs, lj, strings.Contains(form, `value="curriculum"`))
	}

	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	page := anna.get("/assess/" + caseID).Body
	heads := []string{"Case study", "Learning journal", "Reflective statement"}
	at := -1
	for _, h := range heads {
		i := strings.Index(page, `<h3 class="ev-kind">`+h+` `)
		if i < 0 || i < at {
			t.Fatalf("workspace: heading %q at %d, want after the one before (%d): %s", h, i, at, heads)
		}
		at = i
	}
	if !strings.Contains(page, `Learning journal <span class="evidence-meta">(2)</span>`) {
		t.Fatalf("workspace: want the learning journals counted (2)")
	}
}
