package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

var verifyLink = regexp.MustCompile(`<a href="/register/([^"]+)">(.*?)</a>`)

// TestEveryVerifyLinkOfTheRegisterHasItsOwnName: each row's "Verify" link
// carries the holder's name for a screen reader's list of links, but for
// a provider's programmes it was the provider's alone, so two programmes
// of one provider read "Verify Academie Noord" twice for two different
// certificates. It names the programme too.
func TestEveryVerifyLinkOfTheRegisterHasItsOwnName(t *testing.T) {
	w := newWorld(t)
	pia := w.registerApplicant(t, "pia@example.org", "Pia Provider")
	w.awardedProgrammeNamed(t, pia, "Coaching Essentials", "Academie Noord")
	w.awardedProgrammeNamed(t, pia, "Mentoring in Depth", "Academie Noord")
	c := w.client(t)
	for _, lang := range []string{"en", "nl"} {
		c.setLang(lang)
		names := map[string]string{}
		for _, m := range verifyLink.FindAllStringSubmatch(c.get("/register").Body, -1) {
			name := strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[2], ""))), " ")
			if other, ok := names[name]; ok && other != m[1] {
				t.Errorf("%s: two certificates' links are both named %q", lang, name)
			}
			names[name] = m[1]
		}
		if len(names) != 2 {
			t.Fatalf("%s: the register lists %d certificates, want 2: %v", lang, len(names), names)
		}
	}
}
