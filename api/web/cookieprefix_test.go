package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
)

// anonymousFormToken is the form token of a browser without a session
// whose CSRF seed is seed: what anyone who knows the seed can work out.
func anonymousFormToken(seed string) string {
	sum := sha256.Sum256([]byte("accredit-csrf\x00" + seed + "\x00"))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// postLogin posts the login form with the cookie given, as a browser that
// sends neither Origin nor Sec-Fetch-Site would.
func postLogin(t *testing.T, base string, cookie *http.Cookie, email, password, token string) *http.Response {
	t.Helper()
	f := url.Values{"email": {email}, "password": {password}, "csrf": {token}}
	req, err := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func sessionSet(res *http.Response) bool {
	for _, ck := range res.Cookies() {
		if strings.HasSuffix(ck.Name, "accredit_session") && ck.Value != "" {
			return true
		}
	}
	return false
}

// TestACSRFSeedPlantedByASiblingSiteMakesNoValidForm: a sibling subdomain
// can set a cookie for the parent domain, which the browser then sends
// here. Were the seed read under that plain name, the planter would know
// the form tokens it makes (a login form posted into the victim's browser,
// logging them in as the attacker). With Secure on, the seed and session
// are __Host- cookies, which only this host can set; a seed under the
// plain name is ignored.
func TestACSRFSeedPlantedByASiblingSiteMakesNoValidForm(t *testing.T) {
	w := newWorld(t)
	mallory := w.registerApplicant(t, "mallory@example.org", "Mallory Planter")
	const seed = "planted-by-a-sibling-subdomain-0123456789abcdef"

	res, err := http.Get(w.in.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var set *http.Cookie
	for _, ck := range res.Cookies() {
		if strings.HasSuffix(ck.Name, "accredit_csrf") {
			set = ck
		}
	}
	if set == nil || set.Name != "__Host-accredit_csrf" || !set.Secure || set.Path != "/" || set.Domain != "" {
		t.Fatalf("the CSRF seed cookie: %+v; want __Host-accredit_csrf, Secure, Path=/, no Domain", set)
	}

	planted := postLogin(t, w.in.URL, &http.Cookie{Name: "accredit_csrf", Value: seed}, mallory.Email, mallory.Password, anonymousFormToken(seed))
	if planted.StatusCode != http.StatusForbidden || sessionSet(planted) {
		t.Fatalf("a login form made from a planted seed: got %d (session set: %v), want 403", planted.StatusCode, sessionSet(planted))
	}
	// The same seed as only this host can set it is taken: the token is
	// worked out right, and the prefix alone makes the difference.
	own := postLogin(t, w.in.URL, &http.Cookie{Name: "__Host-accredit_csrf", Value: seed}, mallory.Email, mallory.Password, anonymousFormToken(seed))
	if own.StatusCode != http.StatusSeeOther || !sessionSet(own) {
		t.Fatalf("the login form with this host's own seed: got %d (session set: %v), want 303 and a session", own.StatusCode, sessionSet(own))
	}
}

// TestWithoutSecureTheCookiesKeepTheirPlainNames: a browser refuses a
// __Host- cookie that is not Secure, so with ACCREDIT_SECURE_COOKIES off
// (a plain-HTTP host other than localhost) the names stay plain.
func TestWithoutSecureTheCookiesKeepTheirPlainNames(t *testing.T) {
	w := newWorld(t, func(c *app.Config) { c.SecureCookies = false })
	res, err := http.Get(w.in.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var names []string
	for _, ck := range res.Cookies() {
		names = append(names, ck.Name)
		if ck.Secure || strings.HasPrefix(ck.Name, "__Host-") {
			t.Errorf("cookie %s: Secure %v without ACCREDIT_SECURE_COOKIES", ck.Name, ck.Secure)
		}
	}
	if !strings.Contains(strings.Join(names, " "), "accredit_csrf") {
		t.Fatalf("no CSRF seed set: %v", names)
	}
}
