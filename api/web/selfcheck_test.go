package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/framework"
)

// storeState is every JetStream stream of the instance (the events, the
// key-value buckets of sessions and keys, the evidence object store) with
// its last sequence: if nothing changes it, nothing was written.
func storeState(t *testing.T, w *world) map[string]uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := map[string]uint64{}
	lister := w.in.App.Events.JetStream().ListStreams(ctx)
	for info := range lister.Info() {
		out[info.Config.Name] = info.State.LastSeq
	}
	if err := lister.Err(); err != nil || len(out) < 2 {
		t.Fatalf("list streams: %v (%d)", err, len(out))
	}
	return out
}

// rateLevel rates every indicator of level l with rating, in the page.
func (b *tab) rateLevel(l framework.Level, rating string) {
	b.t.Helper()
	n := js[int](b, fmt.Sprintf(`(() => { const rs = document.querySelectorAll('section[aria-labelledby="sc-level-%s"] input[value="%s"]');
		rs.forEach(r => r.click()); return rs.length; })()`, l, rating))
	if want := len(framework.Default().IndicatorsAt(l)); n != want {
		b.t.Fatalf("rated %d indicators at %s, want %d", n, l, want)
	}
}

// cookieNames are the names of the cookies the tab's browser holds.
func (b *tab) cookieNames() []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		b.t.Fatalf("cookies: %v", err)
	}
	var names []string
	for _, c := range res.Cookies {
		names = append(names, c.Name)
	}
	return names
}

// TestSelfCheckAnonymous: a visitor with no account rates themself, in
// English and in Dutch, and sees an indicative level, the profile chart,
// the rule in words and the indicators to develop next; the ratings come
// back in the form; nothing is written anywhere on the server (no event, no
// key-value entry such as a session) and no session cookie is set.
func TestSelfCheckAnonymous(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		lang, level, develop, rule, saved string
	}{
		{"en", "Foundation", "To reach Practitioner, develop these indicators", "How the indicative level is worked out", "Nothing you enter here is stored"},
		{"nl", "Foundation", "Om Practitioner te bereiken, ontwikkel deze indicatoren", "Hoe het indicatieve niveau wordt bepaald", "Niets wat u hier invult wordt bewaard"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := browser(t)
			b.base = w.in.URL
			b.open("/self-check")
			if tc.lang != "en" {
				b.lang(tc.lang)
			}
			b.see(tc.rule, tc.saved)
			w.in.Settle(t) // the notifier's cursor, after the world's own setup
			before := storeState(t, w)
			b.click("#r1-partly") // a real click on one radio; the rest by script
			b.rateLevel(framework.Foundation, "consistently")
			b.click("#r31-partly") // indicator 31 is Practitioner: partly, which is not the level
			b.submit("#sc-submit")

			if got := b.text("#sc-indicative"); got != tc.level {
				t.Fatalf("indicative level: got %q, want %q", got, tc.level)
			}
			b.see(tc.develop)
			if n := js[int](b, `document.querySelectorAll("svg.sc-chart rect.sc-bar").length`); n != 8 {
				t.Fatalf("chart: %d bars, want one per category (8)", n)
			}
			if !js[bool](b, `document.getElementById("r1-consistently").checked && document.getElementById("r31-partly").checked && document.getElementById("r100-not_yet").checked`) {
				t.Fatal("the ratings posted do not come back in the form")
			}
			after := storeState(t, w)
			for name, seq := range before {
				if after[name] != seq {
					t.Errorf("stream %s moved from %d to %d: an anonymous self-check wrote to the server", name, seq, after[name])
				}
			}
			// The browser holds the CSRF seed every visitor gets (so the
			// cookies are read), and no session.
			if names := strings.Join(b.cookieNames(), " "); !strings.Contains(names, "accredit_csrf") || strings.Contains(names, "accredit_session") {
				t.Fatalf("cookies after an anonymous self-check: %s; want the CSRF seed and no session", names)
			}
		})
	}
}

// TestSelfCheckLoggedIn: a logged-in applicant's self-checks are kept,
// dated and listed with a comparison to the previous one; another user does
// not see them; and an application started from one has its
// self-assessment pre-filled from the ratings.
func TestSelfCheckLoggedIn(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	b := browser(t)
	b.base = w.in.URL
	b.login(carla.Email, carla.Password)

	b.open("/self-check")
	b.see("your self-check is kept with today's date")
	b.rateLevel(framework.Foundation, "consistently")
	b.rateLevel(framework.Practitioner, "consistently")
	b.submit("#sc-submit")
	if !strings.HasPrefix(b.path(), "/self-checks?show=") {
		t.Fatalf("after saving: at %s, want the saved self-checks", b.path())
	}
	b.see("Your self-check is saved.")
	if got := b.text("#sc-indicative"); got != "Practitioner" {
		t.Fatalf("first self-check: got %q, want Practitioner", got)
	}

	// A second one, Foundation only: listed first, compared with the first.
	w.clock.Advance(2 * time.Hour) // within the login's 12 hours
	b.open("/self-check")
	b.rateLevel(framework.Foundation, "consistently")
	b.submit("#sc-submit")
	b.see("Your self-check is saved.")
	if got := b.text("#sc-indicative"); got != "Foundation" {
		t.Fatalf("second self-check: got %q, want Foundation", got)
	}
	if n := js[int](b, `document.querySelectorAll("table.sc-list tbody tr").length`); n != 2 {
		t.Fatalf("list: %d rows, want 2", n)
	}
	if n := js[int](b, `document.querySelectorAll("td.sc-change-down").length`); n != 8 {
		t.Fatalf("comparison: %d categories lower, want all 8", n)
	}
	b.see("Compared with your self-check of")
	// The same saved list in Dutch, through the page's language switch.
	b.lang("nl")
	b.see("Vergeleken met uw zelfcheck van")
	if n := js[int](b, `document.querySelectorAll("td.sc-change-down").length`); n != 8 {
		t.Fatalf("comparison in Dutch: %d categories lower, want all 8", n)
	}
	b.lang("en")

	// Only Carla sees them.
	list := Expect(t, w.in.Get(t, "/api/v1/me/self-checks", carla.Token), 200).Map(t)["self_checks"].([]any)
	if len(list) != 2 {
		t.Fatalf("API list: %d, want 2", len(list))
	}
	firstID := list[1].(map[string]any)["id"].(string)
	for _, other := range []string{w.admin, w.assessor.Token} {
		Expect(t, w.in.Get(t, "/api/v1/me/self-checks/"+firstID, other), http.StatusNotFound)
	}

	// Start an application from the first (Practitioner) self-check.
	b.open("/self-checks?show=" + firstID)
	b.set("#f-level", "practitioner")
	b.submit("#sc-apply-submit")
	if !strings.HasSuffix(b.path(), "/self-assessment?ok=selfcheck_prefilled") {
		t.Fatalf("after starting the application: at %s", b.path())
	}
	statement := js[string](b, `document.getElementById("f-statement_1").value`)
	in1, _ := framework.Default().Indicator(1)
	for _, want := range []string{"From my self-check of", "indicative level of this category: Practitioner", "Consistently:", "(1) " + in1.Text.EN} {
		if !strings.Contains(statement, want) {
			t.Fatalf("category 1's statement lacks %q:\n%s", want, statement)
		}
	}
	caseID := strings.Split(strings.TrimPrefix(b.path(), "/applications/"), "/")[0]
	c := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)
	if sa := c["self_assessment"].([]any); len(sa) != 8 || c["level"] != "practitioner" || c["scheme"] != "EIA" {
		t.Fatalf("the case: %d statements, level %v, scheme %v; want 8, practitioner, EIA", len(sa), c["level"], c["scheme"])
	}
}
