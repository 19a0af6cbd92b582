package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// bothRolesHeld is Carla's practitioner case in assessment, Anna and
// Victor on it, and ratings of every category as evidenced.
func (w *world) bothRolesHeld(t *testing.T) (caseID string, ratings []map[string]any) {
	t.Helper()
	caseID = w.claimedCase(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	for cat := 1; cat <= 8; cat++ {
		ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced"})
	}
	return caseID, ratings
}

// TestTheModerationsLowerLevelIsNamedToTheAssessors: the assessors read
// the moderation's outcome in their workspace's history; an award at a
// lower level says which level, as the office's case page does, and so
// does an assessment recommending one.
func TestTheModerationsLowerLevelIsNamedToTheAssessors(t *testing.T) {
	w := newWorld(t)
	caseID, ratings := w.bothRolesHeld(t)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", w.assessor.Token, map[string]any{"ratings": ratings,
		"recommendation": "award", "rationale": "As I see it."}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", w.verifier.Token, map[string]any{"ratings": ratings,
		"recommendation": "award_lower", "recommended_level": "foundation", "rationale": "Foundation, as I see it."}), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/moderation", w.admin, map[string]string{
		"recommendation": "award_lower", "recommended_level": "foundation", "rationale": "The moderator sides with the verifier."}), 200))

	for _, lang := range []struct{ lang, named, lower string }{
		{"en", "Level: Foundation", "Award at a lower level"},
		{"nl", "Niveau: Foundation", "Toekennen op een lager niveau"},
	} {
		anna := w.client(t)
		anna.login(w.assessor.Email, w.assessor.Password)
		anna.setLang(lang.lang)
		page := anna.get("/assess/" + caseID)
		i := strings.Index(page.Body, `class="timeline"`)
		if i < 0 {
			t.Fatalf("%s: the workspace has no history\n%.3000s", lang.lang, page.Body)
		}
		history := page.Body[i:]
		if n := strings.Count(history, lang.lower); n != 2 {
			t.Fatalf("%s: the history says %q %d times, want 2 (the verifier's assessment, the moderation)", lang.lang, lang.lower, n)
		}
		if n := strings.Count(history, lang.named); n != 2 {
			t.Errorf("%s: the history names the lower level (%q) %d times, want 2 (the verifier's assessment, the moderation)\n%s", lang.lang, lang.named, n, history)
		}
	}
}

// TestTheWorkspaceShowsTheModeration: once both assessments are in and
// differ, the assessors' workspace has a moderation panel saying the office
// moderates, then its outcome, level and reasons; English and Dutch.
func TestTheWorkspaceShowsTheModeration(t *testing.T) {
	w := newWorld(t)
	caseID, ratings := w.bothRolesHeld(t)
	const reasons = "The moderator sides with the verifier on category 4."
	panel := func(who User, lang string) string {
		t.Helper()
		c := w.client(t)
		c.login(who.Email, who.Password)
		c.setLang(lang)
		body := c.get("/assess/" + caseID).Body
		i := strings.Index(body, `id="moderation"`)
		if i < 0 {
			return ""
		}
		return body[i:min(len(body), i+800)]
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", w.assessor.Token, map[string]any{"ratings": ratings,
		"recommendation": "award", "rationale": "As I see it."}), 200)
	if p := panel(w.assessor, "en"); p != "" {
		t.Fatalf("a moderation panel before the other assessment is in:\n%s", p)
	}
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", w.verifier.Token, map[string]any{"ratings": ratings,
		"recommendation": "not_award", "rationale": "Category 4 is not evidenced."}), 200))
	for lang, says := range map[string]string{"en": "the EMCC office moderates them", "nl": "het EMCC-bureau modereert ze"} {
		if p := panel(w.verifier, lang); !strings.Contains(p, says) {
			t.Errorf("%s: the pending moderation's panel does not say %q:\n%s", lang, says, p)
		}
	}
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/moderation", w.admin, map[string]string{
		"recommendation": "not_award", "rationale": reasons}), 200))
	for lang, says := range map[string]string{"en": "Do not award", "nl": "Niet toekennen"} {
		for _, who := range []User{w.assessor, w.verifier} {
			if p := panel(who, lang); !strings.Contains(p, says) || !strings.Contains(p, reasons) {
				t.Errorf("%s, %s: the moderation's panel does not give %q and its reasons:\n%s", lang, who.Email, says, p)
			}
		}
	}
}
