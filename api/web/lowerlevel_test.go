package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestNoAwardAtALowerLevelIsOfferedBelowFoundation: Foundation is the
// lowest level, yet the assessor's form and the office's moderation
// offered "Award at a lower level" on a Foundation case, with no level to
// choose, and sending it was refused. A Foundation case offers award and
// do not award; a case above Foundation still offers the lower level.
func TestNoAwardAtALowerLevelIsOfferedBelowFoundation(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	w.fillEIA(t, carla, caseID)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200))

	const lower = `value="award_lower"`
	assessor := w.client(t)
	assessor.login(w.assessor.Email, w.assessor.Password)
	if page := assessor.get("/assess/" + caseID); !strings.Contains(page.Body, `value="not_award"`) || strings.Contains(page.Body, lower) {
		t.Errorf("the assessor's form on a Foundation case: want award and do not award, no award at a lower level\n%.3000s", page.Body)
	}

	var last Response
	for _, tc := range []struct {
		u   User
		rec string
	}{{w.assessor, "award"}, {w.verifier, "not_award"}} {
		var ratings []map[string]any
		for cat := 1; cat <= 8; cat++ {
			ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced"})
		}
		last = Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", tc.u.Token, map[string]any{"ratings": ratings, "recommendation": tc.rec, "rationale": "As I see it."}), 200)
	}
	w.settled(t, last)
	office := w.officeClient(t)
	page := office.get("/office/cases/" + caseID)
	if !strings.Contains(page.Body, `action="/office/cases/`+caseID+`/moderate"`) {
		t.Fatalf("the office's case page has no moderation form\n%.3000s", page.Body)
	}
	if strings.Contains(page.Body, lower) {
		t.Error("the moderation of a Foundation case offers an award at a lower level")
	}

	// Above Foundation the lower level stays on offer.
	dora := w.registerApplicant(t, "dora@example.org", "Dora Doe")
	practitioner := w.claimedCase(t, dora)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+practitioner+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200))
	if page := assessor.get("/assess/" + practitioner); !strings.Contains(page.Body, lower) {
		t.Error("the assessor's form on a Practitioner case does not offer an award at a lower level")
	}
}
