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
	if a := me.post("/account/email", url.Values{"new_email": {" " + strings.ToUpper(carla.Email)}, "email_password": {carla.Password}}, true); a.Status != http.StatusBadRequest ||
		!strings.Contains(a.Body, "This is your email address already: enter the new one.") {
		t.Fatalf("one's own address as the new one: %d\n%s", a.Status, a.Body)
	}
	for i := range recovery.PerHour {
		if a := me.post("/account/email", url.Values{"new_email": {"carla." + string(rune('a'+i)) + "@example.org"}, "email_password": {carla.Password}}, true); a.Status != http.StatusSeeOther {
			t.Fatalf("confirmation link %d: %d\n%s", i+1, a.Status, a.Body)
		}
	}
	a = me.post("/account/email", url.Values{"new_email": {"carla.z@example.org"}, "email_password": {carla.Password}}, true)
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
	if a := me.post("/account/email", url.Values{"new_email": {"dora@example.org"}, "email_password": {carla.Password}}, true); a.Status != http.StatusSeeOther {
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

// TestTheAccountPageAsksThePasswordToMoveTheAddress: whoever holds the
// address can reset the password, so a session left open on a shared
// computer must not be enough to move it. The form asks for the password;
// none, or a wrong one, is said on its field, the password is never filled
// in again, and no link is mailed.
func TestTheAccountPageAsksThePasswordToMoveTheAddress(t *testing.T) {
	mb := StartMailbox(t, "", "")
	w := newWorld(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	me := w.client(t)
	me.login(carla.Email, carla.Password)
	if a := me.get("/account"); !strings.Contains(a.Body, `name="email_password"`) {
		t.Fatalf("the account page's address form asks no password:\n%s", a.Body)
	}
	for _, tc := range []struct{ password, want string }{
		{"", "Your current password"},
		{"a guess at carla's password", "The current password is wrong"},
	} {
		a := me.post("/account/email", url.Values{"new_email": {"mallory@example.net"}, "email_password": {tc.password}}, true)
		if a.Status < 400 || a.Status >= 500 || !strings.Contains(a.Body, tc.want) || !strings.Contains(a.Body, `href="#f-email_password"`) {
			t.Fatalf("password %q: got %d, want a 4xx whose summary leads to the password, saying %q:\n%s", tc.password, a.Status, tc.want, a.Body)
		}
		if tc.password != "" && strings.Contains(a.Body, tc.password) {
			t.Fatalf("the password sent is filled in again:\n%s", a.Body)
		}
	}
	if a := me.post("/account/email", url.Values{"new_email": {"carla.new@example.org"}, "email_password": {carla.Password}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("with the password: got %d, want 303", a.Status)
	}
	mb.Wait(t, func(m Mail) bool { return m.To == "carla.new@example.org" })
	for _, m := range mb.Received() {
		if m.To == "mallory@example.net" {
			t.Fatalf("a link was mailed without the password:\n%s", m.Body)
		}
	}
}
