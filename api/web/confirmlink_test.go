package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAConfirmationLinkThatDoesNotWorkLeadsToWhereANewOneIsAskedFor: a
// link to confirm a new address that is wrong, used or too old says "Ask
// for a new one", and a new one is asked for on the account page; the
// page offered no way there, where the reset link's page links to the
// form that mails a new one. It links to the account page, in the page's
// language, whether the link is opened or sent.
func TestAConfirmationLinkThatDoesNotWorkLeadsToWhereANewOneIsAskedFor(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct{ lang, link string }{
		{"en", `<a href="/account" id="ask-again">Ask for a new link on your account page</a>`},
		{"nl", `<a href="/account" id="ask-again">Vraag op uw accountpagina een nieuwe link aan</a>`},
	} {
		c := w.client(t)
		c.setLang(tc.lang)
		opened := c.get("/confirm-email?token=no-such-token")
		sent := c.post("/confirm-email", url.Values{"token": {"no-such-token"}}, true)
		for _, a := range []struct {
			how  string
			page answer
		}{{"opened", opened}, {"sent", sent}} {
			if !strings.Contains(a.page.Body, `<p class="notice">`) || !strings.Contains(a.page.Body, tc.link) {
				t.Errorf("%s: a link that does not work, %s (%d): want the notice and %s\n%.2000s", tc.lang, a.how, a.page.Status, tc.link, a.page.Body)
			}
		}
		if to := c.get("/account"); to.Status != http.StatusSeeOther || to.Location != "/login?next=%2Faccount" {
			t.Errorf("%s: the account page, logged out: got %d to %q, want 303 to the login, then back", tc.lang, to.Status, to.Location)
		}
	}
}
