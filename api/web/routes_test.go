package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/emcc/accredit/api/web"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
)

// TestEveryPageWithEveryRole walks the whole route table as an anonymous
// visitor and as each role, in both languages: a page of another role is a
// friendly 403 page, a page without login sends to the login page, and the
// right role gets the page, complete in its language and with nothing the
// Content-Security-Policy would block.
func TestEveryPageWithEveryRole(t *testing.T) {
	w := newWorld(t)
	applicant := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, evID, accID := w.awardedCase(t, applicant)
	programme := w.awardedProgramme(t, applicant)
	params := map[string]string{":case": caseID, ":ev": evID, ":acc": accID, ":programme": programme, ":user": w.assessor.ID, ":rules": "eqa-2024-1", ":scheme": "eqa", ":n": "5", "*": "app.css",
		":message": w.anyMail(t)}
	fill := func(p string) string {
		for k, v := range params {
			p = strings.ReplaceAll(p, k, v)
		}
		return p
	}
	users := map[domain.Role]User{domain.RoleApplicant: applicant, domain.RoleAssessor: w.assessor,
		domain.RoleOffice: {Email: AdminEmail, Password: AdminPassword}}
	routes := web.Routes()
	if len(routes) < 40 {
		t.Fatalf("route table: %d routes", len(routes))
	}
	seen := map[string]bool{}
	for _, r := range routes {
		if seen[r.Method+" "+r.Path] {
			t.Errorf("route %s %s declared twice", r.Method, r.Path)
		}
		seen[r.Method+" "+r.Path] = true
	}

	t.Run("anonymous", func(t *testing.T) {
		c := w.client(t)
		for _, r := range routes {
			path := fill(r.Path)
			switch {
			case r.Public && r.Method == http.MethodGet:
				if a := c.get(path); a.Status != http.StatusOK {
					t.Errorf("GET %s: got %d, want 200", path, a.Status)
				}
			case r.Public:
				if a := c.post(path, nil, false); a.Status != http.StatusForbidden || !strings.Contains(a.Body, "This form has expired") {
					t.Errorf("POST %s without a CSRF token: got %d, want the 403 page", path, a.Status)
				}
			case r.Method == http.MethodGet:
				a := c.get(path)
				if a.Status != http.StatusSeeOther || a.Location != "/login?next="+url.QueryEscape(path) {
					t.Errorf("GET %s: got %d to %q, want 303 to the login page", path, a.Status, a.Location)
				}
			case r.Path == "/logout":
				// Logging out of a session that has ended is a logout
				// (TestLoggingOutOfAnEndedSessionIsALogout).
				if a := c.post(path, nil, true); a.Status != http.StatusSeeOther || a.Location != "/login?ok=logged_out" {
					t.Errorf("POST %s: got %d to %q, want 303 to /login?ok=logged_out", path, a.Status, a.Location)
				}
			default:
				// A form sent without a session: the login page says it
				// ended, and leads back to a page (TestBackPathOfAFormIsAPage).
				if a := c.post(path, nil, true); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/login?expired=1&next=%2F") {
					t.Errorf("POST %s: got %d to %q, want 303 to the login page, saying the session ended", path, a.Status, a.Location)
				}
			}
		}
	})

	for _, role := range domain.UserRoles {
		for _, lang := range []string{"en", "nl"} {
			t.Run(string(role)+"/"+lang, func(t *testing.T) {
				c := w.client(t)
				c.setLang(lang)
				c.login(users[role].Email, users[role].Password)
				for _, r := range routes {
					path := fill(r.Path)
					allowed := r.Public || slices.Contains(r.Roles, role)
					if r.Method != http.MethodGet {
						if !allowed {
							if a := c.post(path, nil, true); a.Status != http.StatusForbidden || !strings.Contains(a.Body, `error-page"`) {
								t.Errorf("POST %s as %s: got %d, want the 403 page", path, role, a.Status)
							}
						} else {
							if a := c.post(path, nil, false); a.Status != http.StatusForbidden {
								t.Errorf("POST %s as %s without a CSRF token: got %d, want 403", path, role, a.Status)
							}
						}
						continue
					}
					a := c.get(path)
					switch {
					case !allowed:
						if a.Status != http.StatusForbidden || !strings.Contains(a.Body, `error-page"`) {
							t.Errorf("GET %s as %s: got %d, want the friendly 403 page", path, role, a.Status)
						}
						checkPage(t, path, lang, a)
					case path == "/" || path == "/login" || path == "/signup":
						if a.Status != http.StatusSeeOther {
							t.Errorf("GET %s logged in: got %d, want 303 to the start page", path, a.Status)
						}
					default:
						if a.Status != http.StatusOK {
							t.Errorf("GET %s as %s: got %d, want 200; %.300s", path, role, a.Status, a.Body)
						}
						checkPage(t, path, lang, a)
					}
				}
			})
		}
	}
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`)
	inlineStyle  = regexp.MustCompile(`(?i)<style|\sstyle=|\son[a-z]+=`)
	htmlLang     = regexp.MustCompile(`<html lang="([a-z]+)">`)
)

// checkPage checks an HTML page: in its language, every message found,
// landmarks present, nothing inline for the CSP to block.
func checkPage(t *testing.T, path, lang string, a answer) {
	t.Helper()
	if !strings.HasPrefix(a.Header.Get("Content-Type"), "text/html") {
		return
	}
	if strings.Contains(a.Body, "%!") {
		t.Errorf("%s (%s): a message has the wrong number of arguments", path, lang)
	}
	if strings.Contains(a.Body, "⟦") {
		i := strings.Index(a.Body, "⟦")
		t.Errorf("%s (%s): a message is missing from the catalogue: %s", path, lang, a.Body[i:min(len(a.Body), i+60)])
	}
	if m := htmlLang.FindStringSubmatch(a.Body); m == nil || m[1] != lang {
		t.Errorf("%s: html lang %v, want %s", path, m, lang)
	}
	for _, landmark := range []string{"<header", "<nav", `<main id="main"`, "<footer", `class="skip-link" href="#main"`} {
		if !strings.Contains(a.Body, landmark) {
			t.Errorf("%s: no %s", path, landmark)
		}
	}
	if inlineScript.MatchString(a.Body) || inlineStyle.MatchString(a.Body) {
		t.Errorf("%s: inline script or style, which the CSP blocks", path)
	}
	if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("%s: CSP %q", path, csp)
	}
	for _, p := range structureProblems(a.Body) {
		t.Errorf("%s (%s): %s", path, lang, p)
	}
}

var (
	headingTag  = regexp.MustCompile(`<h([1-6])[\s>]`)
	tableTag    = regexp.MustCompile(`(?s)<table[\s>].*?</table>`)
	buttonTag   = regexp.MustCompile(`(?s)<button([^>]*)>(.*?)</button>`)
	linkTag     = regexp.MustCompile(`(?s)<a\s([^>]*href[^>]*)>(.*?)</a>`)
	anyTag      = regexp.MustCompile(`<[^>]*>`)
	ariaLabel   = regexp.MustCompile(`aria-label(ledby)?="[^"]+"`)
	altText     = regexp.MustCompile(`<img[^>]*alt="[^"]+"`)
	summaryHead = regexp.MustCompile(`(?s)<div class="error-summary".*?</h2>`)
)

// structureProblems is what a page's structure gets wrong for someone
// who reads it with a screen reader (WCAG 2.1 1.3.1, 2.4.6, 4.1.2): not
// exactly one h1, a heading that skips a level on the way down, a table
// without header cells, a button or link without a name.
func structureProblems(page string) []string {
	var out []string
	body := summaryHead.ReplaceAllString(page, "") // the summary's h2 comes before the h1 by design
	levels := headingTag.FindAllStringSubmatch(body, -1)
	h1 := 0
	prev := 0
	for _, m := range levels {
		l := int(m[1][0] - '0')
		if l == 1 {
			h1++
		}
		if prev > 0 && l > prev+1 {
			out = append(out, fmt.Sprintf("a heading skips from h%d to h%d", prev, l))
		}
		prev = l
	}
	if h1 != 1 {
		out = append(out, fmt.Sprintf("%d h1 headings, want 1", h1))
	}
	for _, tbl := range tableTag.FindAllString(page, -1) {
		if !strings.Contains(tbl, "<th") {
			out = append(out, "a table without header cells")
		}
	}
	named := func(attrs, inner string) bool {
		return ariaLabel.MatchString(attrs) || altText.MatchString(inner) || strings.TrimSpace(anyTag.ReplaceAllString(inner, "")) != ""
	}
	for _, m := range buttonTag.FindAllStringSubmatch(page, -1) {
		if !named(m[1], m[2]) {
			out = append(out, "a button without a name: <button"+m[1]+">")
		}
	}
	for _, m := range linkTag.FindAllStringSubmatch(page, -1) {
		if !named(m[1], m[2]) {
			out = append(out, "a link without a name: <a "+m[1]+">")
		}
	}
	return out
}

// TestStructureProblemsSeesWhatItLooksFor: the structure check of every
// page finds each fault it names, and passes a sound page.
func TestStructureProblemsSeesWhatItLooksFor(t *testing.T) {
	sound := `<div class="error-summary" role="alert"><h2>There is a problem</h2><ul></ul></div><h1>Title</h1><h2>Part</h2><h3>Sub</h3><h2>Next</h2>` +
		`<table><tr><th scope="col">A</th></tr></table><button type="submit">Send</button><button aria-label="Close"></button>` +
		`<a href="/x">X</a><a href="/y"><img src="y.svg" alt="Y"></a><a href="/z" aria-label="Z"></a>`
	if got := structureProblems(sound); got != nil {
		t.Errorf("a sound page: %v", got)
	}
	for _, tc := range []struct{ page, want string }{
		{`<h2>No title</h2>`, "0 h1 headings"},
		{`<h1>One</h1><h1>Two</h1>`, "2 h1 headings"},
		{`<h1>Title</h1><h3>Deep</h3>`, "skips from h1 to h3"},
		{`<h1>T</h1><table><tr><td>1</td></tr></table>`, "a table without header cells"},
		{`<h1>T</h1><button type="submit"> </button>`, "a button without a name"},
		{`<h1>T</h1><a href="/x"><span class="icon"></span></a>`, "a link without a name"},
	} {
		if got := strings.Join(structureProblems(tc.page), "; "); !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.page, got, tc.want)
		}
	}
}
