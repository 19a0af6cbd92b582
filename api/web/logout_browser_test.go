package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestLoggingOutLeavesNoDraftInTheBrowser: an assessor's unsent notes are
// kept in the browser so that a reload or an expired session loses
// nothing; logging out takes them away, the one saved and the one still
// being typed, so that the next person at a shared computer cannot read
// them.
func TestLoggingOutLeavesNoDraftInTheBrowser(t *testing.T) {
	w, anna, caseID := assessing(t)
	anna.click("#f-rating_1-evidenced")
	anna.fill("#f-notes_1", "Confidential: the applicant disclosed a health condition.")
	anna.do("wait for the draft", waitFor(`document.querySelector("[data-draft-status]").textContent !== ""`))
	drafts := `Object.keys(localStorage).filter(k => k.startsWith("accredit-draft:")).join("\n")`
	if js[string](anna, drafts) == "" {
		t.Fatal("no draft kept while typing: the test would prove nothing")
	}
	// More typed, its save still waiting on the timer as the form goes.
	anna.fill("#f-notes_2", "More of the same.")
	anna.submit(`form[action="/logout"] button[type=submit]`)
	if !strings.HasPrefix(anna.path(), "/login") {
		t.Fatalf("after logging out: at %s", anna.path())
	}
	if left := js[string](anna, drafts); left != "" {
		t.Fatalf("after logging out the browser still holds the drafts:\n%s", left)
	}
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.open("/assess/" + caseID)
	anna.see("Rating per category")
	if v := js[string](anna, `document.querySelector("#f-notes_1").value`); v != "" {
		t.Fatalf("a draft came back after logging out and in: %q", v)
	}
}

// TestADraftTimerFiringAfterTheLogoutSavesNothing: on a busy machine the
// page being left can still run its timers after the logout form went and
// its drafts were removed; a save due then must not write the draft back.
// The logout's submit event is dispatched without leaving the page, so
// the timer surely fires after it.
func TestADraftTimerFiringAfterTheLogoutSavesNothing(t *testing.T) {
	_, anna, _ := assessing(t)
	anna.fill("#f-notes_1", "Confidential, typed as the logout goes.")
	// The save is now waiting on its timer (400 ms after the last key).
	js[bool](anna, `(document.querySelector('form[action="/logout"]').dispatchEvent(new Event("submit", {cancelable: true})), window.sinceLogout = Date.now(), true)`)
	anna.do("wait past the save's timer", waitFor(`Date.now() - window.sinceLogout > 1000`))
	drafts := `Object.keys(localStorage).filter(k => k.startsWith("accredit-draft:")).join("\n")`
	if left := js[string](anna, drafts); left != "" {
		t.Fatalf("a save due after the logout wrote the draft back:\n%s", left)
	}
}

// assessing opens, in a browser, the assessment form of a case that the
// assessor Anna holds (with a verifier beside her), logged in as her.
func assessing(t *testing.T) (*world, *tab, string) {
	t.Helper()
	anna := browser(t)
	w := newWorld(t)
	anna.base = w.in.URL
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.open("/assess/" + caseID)
	anna.see("Rating per category")
	return w, anna, caseID
}
