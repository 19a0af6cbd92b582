package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// pageText is a page's main content as words, its tags taken out.
func pageText(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	return strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(body, " "))), " ")
}

// TestTheVerificationPageSaysWhenAnAccreditationEnded: the page of a
// revoked accreditation said "Valid until" its date five years ahead and
// never when it was revoked, and one past its date before the expiry job
// ran read "not valid: Active". It says the day it was revoked (in the
// reader's language), that it would have run until its date, and
// "Expired" for one past its date.
func TestTheVerificationPageSaysWhenAnAccreditationEnded(t *testing.T) {
	w := newWorld(t)
	_, _, expiring := w.awardedCase(t, w.registerApplicant(t, "eva@example.org", "Eva Expired"))
	_, _, revoked := w.awardedCase(t, w.registerApplicant(t, "rob@example.org", "Rob Revoked"))
	w.clock.Set(time.Date(2027, 2, 3, 10, 0, 0, 0, time.UTC))
	w.admin = w.in.AdminToken(t)
	d := Expect(t, w.in.Post(t, "/api/v1/accreditations/"+revoked+"/revocation", w.admin, map[string]string{"reason": "Ethics complaint upheld."}), 200).Map(t)
	Expect(t, Retry(t, func(map[string]string) Response {
		return w.in.Get(t, "/api/v1/register/"+revoked+"?min_seq="+itoa(int(d["seq"].(float64))), "")
	}), 200)
	c := w.client(t)
	for _, tc := range []struct{ lang, on, until, validUntil, expired string }{
		{"en", "Revoked on 3 February 2027", "Would have run until", "Valid until", "not valid: Expired"},
		{"nl", "Herroepen op 3 februari 2027", "Zou gelopen hebben tot", "Geldig tot", "niet geldig: Verlopen"},
	} {
		c.setLang(tc.lang)
		w.clock.Set(time.Date(2027, 2, 3, 10, 0, 0, 0, time.UTC))
		page := pageText(c.get("/register/" + revoked).Body)
		if !strings.Contains(page, tc.on) || !strings.Contains(page, tc.until) || strings.Contains(page, tc.validUntil) {
			t.Errorf("%s: the revoked accreditation's page: got %q, want %q and %q, not %q", tc.lang, page, tc.on, tc.until, tc.validUntil)
		}
		// Past its date, before the expiry job has run.
		w.clock.Set(start.AddDate(6, 0, 0))
		if page := pageText(c.get("/register/" + expiring).Body); !strings.Contains(page, tc.expired) {
			t.Errorf("%s: an accreditation past its date: got %q, want %q", tc.lang, page, tc.expired)
		}
	}
}
