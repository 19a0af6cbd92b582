package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var summaryLine = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)

// TestTheSelfCheckSummaryNamesTheIndicatorNotTheField: a rating off the
// scale, or of an indicator the framework lacks, was summed up as
// "r1: Indicator 1: choose ..." and "r999: There is no indicator 999":
// the form's field name before a message that names the indicator
// itself. The line is the message, in English and Dutch.
func TestTheSelfCheckSummaryNamesTheIndicatorNotTheField(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	for _, tc := range []struct{ lang, bad, unknown string }{
		{"en", "Indicator 1: choose not yet, partly or consistently.", "There is no indicator 999 in the framework."},
		{"nl", "Indicator 1: kies nog niet, gedeeltelijk of consequent.", "Het raamwerk kent geen indicator 999."},
	} {
		c.setLang(tc.lang)
		c.get("/self-check")
		a := c.post("/self-check", url.Values{"r1": {"bogus"}, "r999": {"consistently"}}, true)
		if a.Status != 400 {
			t.Fatalf("%s: got status %d, want 400", tc.lang, a.Status)
		}
		summary := pageText(summaryLine.FindString(a.Body))
		for _, want := range []string{tc.bad, tc.unknown} {
			if !strings.Contains(summary, want) {
				t.Errorf("%s: summary %q lacks %q", tc.lang, summary, want)
			}
		}
		if strings.Contains(summary, "r1") || strings.Contains(summary, "r999") {
			t.Errorf("%s: summary %q names the form's fields", tc.lang, summary)
		}
	}
}
