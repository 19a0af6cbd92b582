package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emcc/accredit/api/web"
)

var (
	nextPage  = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	registerd = regexp.MustCompile(`<a href="/register/([^"]+)">`)
)

// TestThePublicRegisterComesInPages: /register wrote every accreditation
// in force on one page (tens of thousands of rows, megabytes for every
// visitor). It shows a page of them with the count of all that match, and
// a next page that keeps the search, until the last; an unknown cursor is
// the first page, not an error.
func TestThePublicRegisterComesInPages(t *testing.T) {
	defer web.SetRegisterPageSize(2)()
	w := newWorld(t)
	for _, name := range []string{"Ada Coach", "Bo Coach", "Cy Coach"} {
		w.awardedCase(t, w.registerApplicant(t, strings.ToLower(strings.Fields(name)[0])+"@example.org", name))
	}
	c := w.client(t)
	for _, tc := range []struct{ lang, heading string }{{"en", "3 accreditations"}, {"nl", "3 accreditaties"}} {
		c.setLang(tc.lang)
		seen := map[string]bool{}
		path, pages := "/register?q=coach&scheme=EIA", 0
		for path != "" {
			a := c.get(html.UnescapeString(path))
			if a.Status != 200 {
				t.Fatalf("%s %s: status %d", tc.lang, path, a.Status)
			}
			pages++
			if !strings.Contains(a.Body, tc.heading) {
				t.Errorf("%s page %d: no heading %q", tc.lang, pages, tc.heading)
			}
			rows := registerd.FindAllStringSubmatch(a.Body, -1)
			if len(rows) > 2 {
				t.Fatalf("%s page %d: %d rows, want at most 2", tc.lang, pages, len(rows))
			}
			for _, r := range rows {
				if seen[r[1]] {
					t.Errorf("%s: %s on two pages", tc.lang, r[1])
				}
				seen[r[1]] = true
			}
			path = ""
			if m := nextPage.FindStringSubmatch(a.Body); m != nil {
				path = m[1]
				if !strings.Contains(path, "q=coach") || !strings.Contains(path, "scheme=EIA") {
					t.Errorf("%s: the next page %q drops the search", tc.lang, path)
				}
			}
			if pages > 3 {
				t.Fatalf("%s: the pages never end", tc.lang)
			}
		}
		if pages != 2 || len(seen) != 3 {
			t.Errorf("%s: %d pages holding %d accreditations, want 2 holding 3", tc.lang, pages, len(seen))
		}
	}
	if a := c.get("/register?cursor=nope"); a.Status != 200 || len(registerd.FindAllString(a.Body, -1)) != 2 {
		t.Errorf("an unknown cursor: status %d, want the first page", a.Status)
	}
}

// TestTheRegisterSearchKeepsWholeLetters: a search longer than 200 is cut
// to 200, but bytes were cut, so a letter of two bytes at the cut left
// half of it in the page's form: the page was no longer valid UTF-8.
func TestTheRegisterSearchKeepsWholeLetters(t *testing.T) {
	w := newWorld(t)
	a := w.client(t).get("/register?q=" + url.QueryEscape(strings.Repeat("a", 199)+"éé"))
	if a.Status != 200 || !utf8.ValidString(a.Body) {
		t.Fatalf("got status %d, valid UTF-8 %v; want 200 and valid", a.Status, utf8.ValidString(a.Body))
	}
	if !strings.Contains(a.Body, `value="`+strings.Repeat("a", 199)+`é"`) {
		t.Errorf("the form does not keep the search's first 200 characters")
	}
}
