package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// formOf is the form of page with its token and one-time value (the
// hidden fields it was rendered with) and the fields given.
func formOf(t *testing.T, page answer, fields url.Values) url.Values {
	t.Helper()
	token, idem := csrfField.FindStringSubmatch(page.Body), idemField.FindStringSubmatch(page.Body)
	if token == nil || idem == nil {
		t.Fatalf("no token or one-time value on the page: %.1000s", page.Body)
	}
	f := url.Values{"csrf": {token[1]}, "idem": {idem[1]}}
	for k, v := range fields {
		f[k] = v
	}
	return f
}

// sessionOf is the session cookie an answer sets ("" when none).
func sessionOf(a answer) string {
	for _, ck := range (&http.Response{Header: a.Header}).Cookies() {
		if ck.Name == "__Host-accredit_session" && ck.Value != "" {
			return ck.Value
		}
	}
	return ""
}

// TestASignupSentAgainAfterItsAnswerIsAnsweredAsTheFirst: the person signs
// up, goes back to the sign-up page (or the browser sends the form again
// as its answer was lost) and sends the same form again, the browser now
// logged in by the first. It is answered as the first: logged in as the
// account the first made, on its home page; not a refusal of the form's
// token (made before the login), nor a second account.
func TestASignupSentAgainAfterItsAnswerIsAnsweredAsTheFirst(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	form := formOf(t, c.get("/signup"), url.Values{"name": {"Dora Doe"}, "email": {"dora@example.org"}, "password": {"dora's long password"}})
	first := c.post("/signup", form, false)
	if first.Status != http.StatusSeeOther || sessionOf(first) == "" {
		t.Fatalf("the sign-up: got %d to %q, want 303 and a session", first.Status, first.Location)
	}
	again := c.post("/signup", form, false)
	if again.Status != http.StatusSeeOther || again.Location != first.Location || sessionOf(again) == "" {
		t.Fatalf("the sign-up sent again: got %d to %q, want 303 to %q as the first, logged in: %.1500s", again.Status, again.Location, first.Location, again.Body)
	}
	if a := c.get(again.Location); a.Status != http.StatusOK || !strings.Contains(a.Body, "Dora Doe") {
		t.Fatalf("after the sign-up sent again, %s: got %d, want Dora's page: %.1000s", again.Location, a.Status, a.Body)
	}
	me := w.in.Get(t, "/api/v1/me", sessionOf(again))
	if me.Status != http.StatusOK || me.Map(t)["email"] != "dora@example.org" {
		t.Fatalf("the session of the sign-up sent again: %d %v, want Dora's", me.Status, me.Map(t))
	}
}

// TestALoginSentAgainAfterItsAnswerLogsIn: logged in, the person goes back
// to the login page and sends it again; that logs them in again (the new
// login replaces the session), rather than refusing the token the page was
// made with before the first login.
func TestALoginSentAgainAfterItsAnswerLogsIn(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	form := formOf(t, c.get("/login"), url.Values{"email": {carla.Email}, "password": {carla.Password}})
	first := c.post("/login", form, false)
	if first.Status != http.StatusSeeOther || sessionOf(first) == "" {
		t.Fatalf("the login: got %d to %q, want 303 and a session", first.Status, first.Location)
	}
	again := c.post("/login", form, false)
	if again.Status != http.StatusSeeOther || again.Location != "/applications" || sessionOf(again) == "" {
		t.Fatalf("the login sent again: got %d to %q, want 303 to /applications and a session: %.1500s", again.Status, again.Location, again.Body)
	}
	if a := c.get("/applications"); a.Status != http.StatusOK {
		t.Fatalf("after the login sent again, /applications: got %d, want 200", a.Status)
	}
}

// TestFormsSentAgainAfterALoginNeedThisBrowsersToken: the login and sign-up
// forms take the token this browser's pages carry without a session even
// once it is logged in, which only this browser's seed makes; a token made
// from another seed is refused still, and so is the token from before the
// login on any other form.
func TestFormsSentAgainAfterALoginNeedThisBrowsersToken(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	mallory := w.registerApplicant(t, "mallory@example.org", "Mallory Forger")
	c := w.client(t)
	before := c.csrf()
	c.login(carla.Email, carla.Password)
	// The attacker's own browser: its pages' token, which it can read.
	forged := w.client(t).csrf()
	cases := []struct {
		name, path string
		form       url.Values
	}{
		{"a login as the attacker with another browser's token", "/login", url.Values{"csrf": {forged}, "email": {mallory.Email}, "password": {mallory.Password}}},
		{"a sign-up with another browser's token", "/signup", url.Values{"csrf": {forged}, "name": {"Eve Forged"}, "email": {"eve@example.org"}, "password": {"eve's long password"}}},
		{"a login with no token", "/login", url.Values{"email": {mallory.Email}, "password": {mallory.Password}}},
		{"a case opened with the token from before the login", "/applications", url.Values{"csrf": {before}, "scheme": {"EIA"}, "level": {"foundation"}, "language": {"en"}}},
		{"a logout with the token from before the login", "/logout", url.Values{"csrf": {before}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := c.post(tc.path, tc.form, false)
			if a.Status != http.StatusForbidden || sessionOf(a) != "" {
				t.Fatalf("got %d (session set: %v), want 403 and no session", a.Status, sessionOf(a) != "")
			}
		})
	}
	if r := w.in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": "eve@example.org", "password": "eve's long password"}); r.Status != http.StatusUnauthorized {
		t.Errorf("the forged sign-up's account logs in: got %d, want 401 (no account)", r.Status)
	}
	if a := c.get("/applications"); a.Status != http.StatusOK || !strings.Contains(a.Body, "Carla Coach") {
		t.Errorf("after the refused forms, the browser: got %d, want still Carla's", a.Status)
	}
	// This browser's own token from before the login, on the login form:
	// the person sending it again.
	if a := c.post("/login", url.Values{"csrf": {before}, "email": {carla.Email}, "password": {carla.Password}}, false); a.Status != http.StatusSeeOther {
		t.Fatalf("the login with this browser's token from before the login: got %d, want 303", a.Status)
	}
}

// TestALogoutSentAgainAfterItsAnswerIsALogout: logged out, the person goes
// back to a page of the session and presses Log out again. The session has
// ended, so the form's token cannot be checked; it is answered as a logout
// (the guard's own answer to a logout without a session), not refused.
func TestALogoutSentAgainAfterItsAnswerIsALogout(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	form := url.Values{"csrf": {c.csrf()}} // the page's logout form
	for _, which := range []string{"the logout", "the logout sent again"} {
		if a := c.post("/logout", form, false); a.Status != http.StatusSeeOther || a.Location != "/login?ok=logged_out" {
			t.Fatalf("%s: got %d to %q, want 303 to /login?ok=logged_out", which, a.Status, a.Location)
		}
	}
}

// TestADecisionSentAgainAfterItsPanelLeftIsAnsweredAsTheFirst: the office
// records a decision whose panel is one member (the rules set no quorum),
// the answer is lost, the member is disabled, and the same form is sent
// again: it is answered as the first (the case page, decided), as the API
// answers the same decision retried with its key; not refused as a
// decision with no panel because the member's vote was dropped.
func TestADecisionSentAgainAfterItsPanelLeftIsAnsweredAsTheFirst(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	otto := w.in.CreateUser(t, w.admin, "office", "otto@example.org", "Otto Panel")
	office := w.officeClient(t)
	oc := "/office/cases/" + caseID
	f := formOf(t, office.get(oc), url.Values{"outcome": {"awarded"}, "level": {"practitioner"}, "rationale": {"Meets the practitioner level."},
		"vote_" + otto.ID: {"for"}, "confirm": {"yes"}})
	if a := office.postAsking(oc+"/decide", f, false); a.Status != http.StatusSeeOther || !strings.Contains(a.Header.Get("Location"), "ok=decided") {
		t.Fatalf("the decision: %d %s\n%.2000s", a.Status, a.Header.Get("Location"), a.Body)
	}
	Expect(t, w.in.Post(t, "/api/v1/users/"+otto.ID+"/disable", w.admin, map[string]string{"reason": "left the office"}), 200)
	a := office.postAsking(oc+"/decide", f, false)
	if a.Status != http.StatusSeeOther || !strings.Contains(a.Header.Get("Location"), "ok=decided") {
		t.Fatalf("the same decision sent again after its panel member was disabled: %d %s, want 303 to ok=decided as the first\n%.3000s",
			a.Status, a.Header.Get("Location"), a.Body)
	}
	if d, _ := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, w.admin), 200).Map(t)["past_decisions"].([]any); len(d) != 0 {
		t.Fatalf("a second decision was recorded: %v", d)
	}
}
