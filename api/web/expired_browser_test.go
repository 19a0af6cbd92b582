package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAFormSentAfterTheSessionEndedComesBack: nothing typed is lost when
// the session ends while a form is open. Sent then, the form leads to the
// login page, which says what was typed is kept; logged in again, the
// person is back on the form's page with the text in it. Logging out
// leaves nothing of it in the tab (a shared computer), nor does another
// person's login, and the form's success page forgets it.
func TestAFormSentAfterTheSessionEndedComesBack(t *testing.T) {
	carlaTab := browser(t)
	w := newWorld(t)
	carlaTab.base = w.in.URL
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/information-requests", w.assessor.Token, map[string]string{"questions": "Which supervisor signed your log?"}), 200)
	page := "/applications/" + caseID
	answer := "Dr Jansen has supervised me since 2022.\n\n" + strings.Repeat("A long answer that took a while to write. ", 40)
	kept := `Object.keys(sessionStorage).filter(k => k.startsWith("accredit-kept")).join("\n")`
	endSessions := func() {
		t.Helper()
		Expect(t, w.in.Post(t, "/api/v1/users/"+carla.ID+"/sessions/revocation", w.admin, nil), 200)
	}
	// typeAndLose types the answer, ends the session elsewhere and sends
	// the form: it lands on the login page, which logs in again.
	typeAndLose := func() {
		t.Helper()
		carlaTab.open(page)
		carlaTab.fill("#f-answer", answer)
		endSessions()
		carlaTab.submit(`form[action$="/respond"] button[type=submit]`)
		if p := carlaTab.path(); !strings.HasPrefix(p, "/login?expired=1") {
			t.Fatalf("the form sent after the session ended: at %s, want the login page", p)
		}
		carlaTab.see("Your session had ended, so your form was not sent.", "What you typed is kept in this browser tab")
		carlaTab.fill("#f-email", carla.Email)
		carlaTab.fill("#f-password", carla.Password)
		carlaTab.submit("main form button[type=submit]")
		if p := carlaTab.path(); p != page {
			t.Fatalf("logged in again: at %s, want the form's page %s", p, page)
		}
	}
	answerNow := func() string { return js[string](carlaTab, `document.querySelector("#f-answer").value`) }

	carlaTab.login(carla.Email, carla.Password)
	typeAndLose()
	if got := answerNow(); got != answer {
		t.Fatalf("logged in again, the answer holds %q, want what was typed", got)
	}
	carlaTab.see("was not sent, and is back. Check it and send it again.")
	if js[string](carlaTab, kept) == "" {
		t.Fatal("nothing kept in the tab: the logout below would prove nothing")
	}

	carlaTab.submit(`form[action="/logout"] button[type=submit]`)
	if left := js[string](carlaTab, kept); left != "" {
		t.Fatalf("after logging out the tab still holds what was typed:\n%s", left)
	}
	carlaTab.login(carla.Email, carla.Password)
	carlaTab.open(page)
	if got := answerNow(); got != "" {
		t.Fatalf("what was typed came back after logging out and in: %q", got)
	}

	typeAndLose()
	if got := answerNow(); got != answer {
		t.Fatalf("the second time, the answer holds %q, want what was typed", got)
	}
	carlaTab.submit(`form[action$="/respond"] button[type=submit]`)
	if p := carlaTab.path(); p != page+"?ok=answered" {
		t.Fatalf("the answer sent again: at %s, want %s?ok=answered", p, page)
	}
	if left := js[string](carlaTab, kept); left != "" {
		t.Fatalf("the answer went through, yet the tab still holds it:\n%s", left)
	}

	// Someone else logging in in the tab after the session ended (a
	// shared computer) is not given what was typed before.
	carlaTab.open("/account")
	carlaTab.fill("#f-new_email", "carla.private@example.org")
	endSessions()
	carlaTab.submit(`form[action="/account/email"] button[type=submit]`)
	carlaTab.see("What you typed is kept in this browser tab")
	dora := w.registerApplicant(t, "dora@example.org", "Dora Coach")
	carlaTab.fill("#f-email", dora.Email)
	carlaTab.fill("#f-password", dora.Password)
	carlaTab.submit("main form button[type=submit]")
	if p := carlaTab.path(); p != "/account" {
		t.Fatalf("Dora logged in: at %s, want the page of the form sent, /account (hers)", p)
	}
	if v := js[string](carlaTab, `document.querySelector("#f-new_email").value`); v != "" {
		t.Fatalf("Dora's own form shows what Carla typed: %q", v)
	}
	if left := js[string](carlaTab, kept); left != "" {
		t.Fatalf("another person logged in, and the tab still holds what the one before typed:\n%s", left)
	}
}

// TestEveryStaleKeptFormGoes: a page forgets the forms kept in the tab
// (as above) once they are stale, all of them, and keeps
// the fresh one. Chromium reorders the storage's keys on a removal, so a
// walk down its indexes that removes as it goes skips some.
func TestEveryStaleKeptFormGoes(t *testing.T) {
	b := browser(t)
	w := newWorld(t)
	b.base = w.in.URL
	b.login(w.assessor.Email, w.assessor.Password)
	b.open("/queue")
	js[bool](b, `(() => {
		for (let j = 1; j <= 20; j++) sessionStorage.setItem("accredit-kept:/stale/" + j, JSON.stringify({at: 0, user: "x", fields: {}}));
		sessionStorage.setItem("accredit-kept:/fresh", JSON.stringify({at: Date.now(), user: document.body.dataset.user, page: "/fresh", fields: {}}));
		return true;
	})()`)
	b.open("/queue")
	if left := js[string](b, `Object.keys(sessionStorage).filter(k => k.startsWith("accredit-kept:/stale/")).join("\n")`); left != "" {
		t.Fatalf("stale kept forms left in the tab:\n%s", left)
	}
	if !js[bool](b, `sessionStorage.getItem("accredit-kept:/fresh") !== null`) {
		t.Fatal("the fresh kept form went too")
	}
}
