package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestLoggingOutEverywhereElseFromTheAccountPage: the account page says
// where else the user is logged in, and its button ends those sessions
// (a phone lost) while this browser stays logged in.
func TestLoggingOutEverywhereElseFromTheAccountPage(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	phone := w.in.Login(t, carla.Email, carla.Password)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	if a := c.get("/account"); a.Status != http.StatusOK || !strings.Contains(a.Body, "you are logged in in 2 other places") {
		t.Fatalf("the account page: got %d, want it to count 2 other places (the registration's session and the phone's)", a.Status)
	}
	a := c.post("/account/sessions/end", nil, true)
	if a.Status != http.StatusSeeOther || a.Location != "/account?ok=other_sessions_ended" {
		t.Fatalf("log out everywhere else: got %d to %q", a.Status, a.Location)
	}
	if r := w.in.Get(t, "/api/v1/me", phone); r.Status != http.StatusUnauthorized {
		t.Fatalf("the phone's session after: got %d, want 401", r.Status)
	}
	a = c.get(a.Location)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "You are logged out everywhere else.") || !strings.Contains(a.Body, "You are logged in in this browser only.") {
		t.Fatalf("the account page after: got %d, want the confirmation and no other session", a.Status)
	}
	c.setLang("nl")
	if a := c.get("/account"); !strings.Contains(a.Body, "U bent alleen in deze browser ingelogd.") {
		t.Fatal("the Dutch account page does not say where the user is logged in")
	}
}
