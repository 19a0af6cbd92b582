package web_test

import (
	"strings"
	"testing"
)

// TestSpoiltPageLinkSaysSo: a list's page link whose place is spoilt (a
// bookmark of a list that changed, or a link cut short) shows the first
// page, as it did, but now says so in the page's language: the first page
// passed silently for the one asked for.
func TestSpoiltPageLinkSaysSo(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	anyone := w.client(t)
	pages := []struct {
		c          *client
		spoilt, ok string
	}{
		{office, "/office/cases?cursor=5.3", "/office/cases"},
		{office, "/office/audit?before=abc", "/office/audit"},
		{anna, "/queue/finished?cursor=5.3", "/queue/finished"},
		{anna, "/queue?cursor=5.3", "/queue"},
		{anyone, "/register?cursor=EMCC-NO-SUCH-ONE", "/register"},
	}
	for _, l := range [][2]string{{"en", "That page link is no longer valid; showing the first page."},
		{"nl", "Die paginalink is niet meer geldig; de eerste pagina wordt getoond."}} {
		for _, p := range pages {
			p.c.setLang(l[0])
			if a := p.c.get(p.spoilt); a.Status != 200 || !strings.Contains(a.Body, l[1]) {
				t.Errorf("%s: GET %s: %d, and the page does not say the link is spoilt", l[0], p.spoilt, a.Status)
			}
			if a := p.c.get(p.ok); strings.Contains(a.Body, `id="spoilt-link"`) {
				t.Errorf("%s: GET %s says a link is spoilt", l[0], p.ok)
			}
		}
	}
}
