package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var summaryLink = regexp.MustCompile(`<a href="#f-([a-z0-9_]+)">`)

// TestTheErrorSummaryFollowsTheForm (issue 15 item 5): the summary at the
// top of a refused form lists its errors in the order the fields come in
// the form, not by the fields' names. The sign-up form (name, email,
// password) is refused with all three wrong; sorted by name they would
// read email, name, password.
func TestTheErrorSummaryFollowsTheForm(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	a := c.post("/signup", url.Values{"name": {""}, "email": {"not an email"}, "password": {"short"}}, true)
	if a.Status != http.StatusBadRequest {
		t.Fatalf("a wrong sign-up: got %d", a.Status)
	}
	var listed []string
	for _, m := range summaryLink.FindAllStringSubmatch(a.Body, -1) {
		listed = append(listed, m[1])
	}
	if len(listed) < 3 {
		t.Fatalf("the summary lists %v, want the three fields", listed)
	}
	inPage := slices.Clone(listed)
	sort.SliceStable(inPage, func(i, j int) bool {
		return strings.Index(a.Body, `id="f-`+inPage[i]+`"`) < strings.Index(a.Body, `id="f-`+inPage[j]+`"`)
	})
	if !slices.Equal(listed, inPage) {
		t.Fatalf("the summary lists %v; the form's order is %v", listed, inPage)
	}
	if byName := slices.Sorted(slices.Values(listed)); slices.Equal(byName, listed) {
		t.Fatalf("the form's order %v is also the names' order: the test would not see a summary sorted by name", listed)
	}
}
