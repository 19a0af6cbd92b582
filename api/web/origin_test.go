package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
)

// TestAFormThroughAProxyThatRewritesHostIsTaken: a reverse proxy may pass
// the request on with its own Host (nginx does unless told otherwise),
// while the browser's Origin names the public address. The form is taken
// when Origin names ACCREDIT_PUBLIC_URL's host, and refused from any other.
func TestAFormThroughAProxyThatRewritesHostIsTaken(t *testing.T) {
	const public = "https://accredit.emcc.test"
	w := newWorld(t, func(c *app.Config) { c.PublicURL = public })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"https://evil.example", http.StatusForbidden},
		{"https://accredit.emcc.test.evil.example", http.StatusForbidden},
		{public, http.StatusSeeOther},
	} {
		f := url.Values{"scheme": {"EIA"}, "level": {"foundation"}, "language": {"en"}, "csrf": {c.csrf()}}
		req, _ := http.NewRequest(http.MethodPost, w.in.URL+"/applications", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "accreditd.internal:8080" // as the proxy passes it on
		// The browser's cookies, which the jar would look up by that Host.
		base, _ := url.Parse(w.in.URL)
		for _, ck := range c.hc.Jar.Cookies(base) {
			req.AddCookie(ck)
		}
		req.Header.Set("Origin", tc.origin)
		if a := c.do(req); a.Status != tc.want {
			t.Errorf("a form from %s through the proxy: got %d (to %q), want %d", tc.origin, a.Status, a.Location, tc.want)
		}
	}
}
