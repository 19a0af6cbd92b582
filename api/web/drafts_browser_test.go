package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// drafts lists the assessment drafts this browser keeps, one key a line.
const drafts = `Object.keys(localStorage).filter(k => k.startsWith("accredit-draft:")).sort().join("\n")`

// draftThenSessionEnds has Anna type a draft on her assessment form, then
// ends her session elsewhere (no logout: her page's script never runs to
// remove it) and takes her tab to the login page, which keeps it.
func draftThenSessionEnds(t *testing.T) (*world, *tab, string) {
	t.Helper()
	w, anna, caseID := assessing(t)
	anna.click("#f-rating_1-evidenced")
	anna.fill("#f-notes_1", "Confidential: the applicant disclosed a health condition.")
	anna.do("wait for the draft", waitFor(`document.querySelector("[data-draft-status]").textContent !== ""`))
	Expect(t, w.in.Post(t, "/api/v1/users/"+w.assessor.ID+"/sessions/revocation", w.admin, nil), 200)
	anna.open("/assess/" + caseID)
	if p := anna.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("after the session ended: at %s, want the login page", p)
	}
	if js[string](anna, drafts) == "" {
		t.Fatal("the login page removed the draft: the assessor could not get it back")
	}
	return w, anna, caseID
}

// TestAnotherUsersLoginTakesAwayTheDraftsLeftBehind: on a shared computer,
// an assessor whose session ended without a logout leaves their draft in
// the browser; the next person to log in there must not be able to read
// it. Their page removes every draft that is not theirs (matched on the
// whole user id, not its end) and any draft last saved over a week ago,
// and keeps their own.
func TestAnotherUsersLoginTakesAwayTheDraftsLeftBehind(t *testing.T) {
	w, bob, _ := draftThenSessionEnds(t)
	now := `Date.now()`
	old := `Date.now() - 8 * 24 * 3600 * 1000`
	put := func(key, at string) {
		t.Helper()
		js[bool](bob, `(localStorage.setItem(`+strconv.Quote("accredit-draft:"+key)+`, JSON.stringify({at: `+at+`, fields: {notes_1: ["x"]}})), true)`)
	}
	put("assessment:C1:"+w.verifier.ID, now)     // Bob's own: kept
	put("assessment:C2:x"+w.verifier.ID, now)    // another id ending as Bob's
	put("assessment:C3:"+w.verifier.ID+"x", now) // another id starting as Bob's
	put("assessment:C4:"+w.verifier.ID, old)     // Bob's, last saved 8 days ago
	// More people's: a walk of the storage that removes some as it goes
	// skips others in Chromium, which reorders the keys on a removal.
	for i := range 10 {
		put(fmt.Sprintf("assessment:K%d:someone-%d", i, i), now)
	}
	bob.open("/login") // a page without a user removes nothing
	if got := strings.Count(js[string](bob, drafts), "\n") + 1; got != 15 {
		t.Fatalf("the login page left %d drafts, want all 15:\n%s", got, js[string](bob, drafts))
	}
	bob.login(w.verifier.Email, w.verifier.Password)
	if p := bob.path(); strings.HasPrefix(p, "/login") {
		t.Fatalf("Bob's login: at %s", p)
	}
	want := "accredit-draft:assessment:C1:" + w.verifier.ID
	if left := js[string](bob, drafts); left != want {
		t.Fatalf("after Bob logged in the browser holds the drafts:\n%s\nwant only his own fresh one %s", left, want)
	}
}

// TestADraftOutlivesAnExpiredSession: the same assessor logging in again
// after their session ended gets their draft back.
func TestADraftOutlivesAnExpiredSession(t *testing.T) {
	w, anna, caseID := draftThenSessionEnds(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.open("/assess/" + caseID)
	anna.see("Rating per category")
	if v := js[string](anna, `document.querySelector("#f-notes_1").value`); v != "Confidential: the applicant disclosed a health condition." {
		t.Fatalf("logged in again, the notes hold %q, want the draft", v)
	}
	if !js[bool](anna, `document.querySelector("#f-rating_1-evidenced").checked`) {
		t.Fatal("logged in again, the rating of the draft is not back")
	}
}
