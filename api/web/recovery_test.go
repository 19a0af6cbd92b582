package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/recovery"
)

// TestTheForgotFormSaysWhenTooManyLinksWereAsked: past the client's
// allowance the form answers 429 with Retry-After and says, in the page's
// language, how long to wait, whatever the address; a new address gets at
// most recovery.PerHour confirmation links an hour, and the account page
// says so.
func TestTheForgotFormSaysWhenTooManyLinksWereAsked(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	for range recovery.ClientBurst {
		if a := c.post("/forgot-password", url.Values{"email": {"nobody@example.org"}}, true); a.Status != http.StatusOK {
			t.Fatalf("a request within the allowance: %d", a.Status)
		}
	}
	a := c.post("/forgot-password", url.Values{"email": {carla.Email}}, true)
	if a.Status != http.StatusTooManyRequests || a.Header.Get("Retry-After") == "" ||
		!strings.Contains(a.Body, "Too many links were asked for from your connection. Try again in 3 minutes.") {
		t.Fatalf("past the allowance: %d %v\n%s", a.Status, a.Header, a.Body)
	}
	c.setLang("nl")
	if a := c.post("/forgot-password", url.Values{"email": {"nobody@example.org"}}, true); a.Status != http.StatusTooManyRequests ||
		!strings.Contains(a.Body, "Er zijn te veel links aangevraagd vanaf uw verbinding. Probeer het over 3 minuten opnieuw.") {
		t.Fatalf("past the allowance, in Dutch: %d\n%s", a.Status, a.Body)
	}

	me := w.client(t)
	me.login(carla.Email, carla.Password)
	if a := me.post("/account/email", url.Values{"new_email": {" " + strings.ToUpper(carla.Email)}}, true); a.Status != http.StatusBadRequest ||
		!strings.Contains(a.Body, "This is your email address already: enter the new one.") {
		t.Fatalf("one's own address as the new one: %d\n%s", a.Status, a.Body)
	}
	for i := range recovery.PerHour {
		if a := me.post("/account/email", url.Values{"new_email": {"carla." + string(rune('a'+i)) + "@example.org"}}, true); a.Status != http.StatusSeeOther {
			t.Fatalf("confirmation link %d: %d\n%s", i+1, a.Status, a.Body)
		}
	}
	a = me.post("/account/email", url.Values{"new_email": {"carla.z@example.org"}}, true)
	if a.Status != http.StatusTooManyRequests || !strings.Contains(a.Body, "Three confirmation links were sent this hour already.") {
		t.Fatalf("a fourth confirmation link: %d\n%s", a.Status, a.Body)
	}
}
