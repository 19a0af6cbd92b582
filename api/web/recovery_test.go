package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
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

// TestConfirmingAnAddressOfAnotherAccountSaysSo: a new address that is
// another account's is not refused when it is asked for (that would tell
// whose it is), so following its link is where it is refused: the page
// says, in its language, that the address belongs to another account and
// nothing changed, not that something changed since it was opened.
func TestConfirmingAnAddressOfAnotherAccountSaysSo(t *testing.T) {
	mb := StartMailbox(t, "", "")
	w := newWorld(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	w.registerApplicant(t, "dora@example.org", "Dora Doe")
	me := w.client(t)
	me.login(carla.Email, carla.Password)
	if a := me.post("/account/email", url.Values{"new_email": {"dora@example.org"}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("ask for a link to another account's address: got %d, want 303", a.Status)
	}
	link := linkIn.FindString(mb.Wait(t, func(m Mail) bool { return m.To == "dora@example.org" }).Body)
	_, token, ok := strings.Cut(link, "?token=")
	if !ok {
		t.Fatalf("no link in the mail: %q", link)
	}
	for _, tc := range []struct{ lang, want string }{
		{"en", "This address is already that of another account, so your email address has not changed."},
		{"nl", "Dit adres is al dat van een ander account, dus uw e-mailadres is niet gewijzigd."},
	} {
		me.setLang(tc.lang)
		a := me.post("/confirm-email", url.Values{"token": {token}}, true)
		if a.Status != http.StatusConflict || !strings.Contains(a.Body, tc.want) {
			t.Errorf("%s: confirm another account's address: got %d, want 409 saying %q\n%s", tc.lang, a.Status, tc.want, a.Body)
		}
		for _, stale := range []string{"something changed since the page was opened", "er is iets gewijzigd sinds de pagina werd geopend"} {
			if strings.Contains(a.Body, stale) {
				t.Errorf("%s: the page says %q", tc.lang, stale)
			}
		}
	}
	w.in.Login(t, carla.Email, carla.Password)
}
