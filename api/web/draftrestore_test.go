package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAnotherFormsRefusalRestoresTheAssessmentsDraft: the workspace shown
// again for a refused request for information has the assessment form
// empty, for that is not the form sent; the assessor's draft of it, kept
// in their browser, is restored there as on any showing of the page, and
// not left out, to be saved over with the empty form on the next key.
// The assessment form shown again with its own refusal keeps what was
// sent instead.
func TestAnotherFormsRefusalRestoresTheAssessmentsDraft(t *testing.T) {
	w := newWorld(t)
	caseID := w.claimedCase(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200))
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	const restore = "data-draft-restore"
	if page := anna.get("/assess/" + caseID); !strings.Contains(page.Body, restore) {
		t.Fatalf("the workspace does not restore the assessment's draft\n%.3000s", page.Body)
	}
	a := anna.post("/assess/"+caseID+"/request-information", url.Values{"questions": {""}}, true)
	if a.Status != http.StatusBadRequest && a.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a request for information without questions: got %d, want 400 or 422", a.Status)
	}
	if !strings.Contains(a.Body, `action="/assess/`+caseID+`"`) {
		t.Fatalf("the refused request's workspace has no assessment form\n%.3000s", a.Body)
	}
	if !strings.Contains(a.Body, restore) {
		t.Errorf("the workspace shown for a refused request for information does not restore the assessment's draft")
	}
	b := anna.post("/assess/"+caseID, url.Values{"rationale": {"Half written."}}, true)
	if b.Status != http.StatusBadRequest || !strings.Contains(b.Body, "Half written.") {
		t.Fatalf("an assessment without ratings: got %d, want 400 with what was written", b.Status)
	}
	if strings.Contains(b.Body, restore) {
		t.Errorf("the assessment form shown again with its refusal restores a draft over what was sent")
	}
}
