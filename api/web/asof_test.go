package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTheOfficeCasePageAsItStoodOnADate (issue 17 item 1): any office case
// page can be viewed as the case stood at a moment, under a banner saying
// so, with no action offered; EN and NL; a moment before the case existed
// is a 404, a bad date a 400.
func TestTheOfficeCasePageAsItStoodOnADate(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	id, _ := w.assessedCaseBefore(t, carla, func(string) { w.clock.Advance(time.Hour) }) // drafted at 09:00, submitted at 10:00
	office := w.officeClient(t)
	now := office.get("/office/cases/" + id).Body
	if !strings.Contains(now, `action="/office/cases/`+id+`/decide"`) || strings.Contains(now, `id="as-of-banner"`) {
		t.Fatal("the case page now: want the decision form and no banner")
	}
	if !strings.Contains(now, `name="as_of"`) {
		t.Fatal("the case page offers no way to view the case as it stood on a date")
	}
	past := office.get("/office/cases/" + id + "?as_of=" + start.Add(30*time.Minute).Format(time.RFC3339))
	if past.Status != http.StatusOK {
		t.Fatalf("as of the draft: status %d", past.Status)
	}
	for _, want := range []string{`id="as-of-banner"`, "The case as it stood on", "Nothing can be done on this view", `href="/office/cases/` + id + `"`, "Reflections 2025"} {
		if !strings.Contains(past.Body, want) {
			t.Fatalf("as of the draft: no %q", want)
		}
	}
	for _, action := range []string{"/decide", "/screen", "/assign", "/moderate"} {
		if strings.Contains(past.Body, `action="/office/cases/`+id+action+`"`) {
			t.Fatalf("a past view offers %s", action)
		}
	}
	if !strings.Contains(past.Body, "Draft") || strings.Contains(past.Body, "Awaiting decision") {
		t.Fatal("as of the draft: the page does not show the draft state")
	}
	if a := office.get("/office/cases/" + id + "?as_of=2026-03-01"); a.Status != http.StatusNotFound {
		t.Fatalf("as of a day before the case: status %d, want 404", a.Status)
	}
	if a := office.get("/office/cases/" + id + "?as_of=soon"); a.Status != http.StatusBadRequest {
		t.Fatalf("a bad date: status %d, want 400", a.Status)
	}
	office.setLang("nl")
	if nl := office.get("/office/cases/" + id + "?as_of=2026-03-02").Body; !strings.Contains(nl, "Het dossier zoals het was op") {
		t.Fatal("the Dutch banner is missing")
	}
}

// TestAnUnreadableAsOfDateIsAFieldError: a date the office's date control
// cannot have sent (typed into the address, or from a browser without
// one) is an error on that control, in the page's language, on the case
// page as it is now, rather than an English error page.
func TestAnUnreadableAsOfDateIsAFieldError(t *testing.T) {
	w := newWorld(t)
	id := w.readyEIA(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	office := w.officeClient(t)
	office.setLang("nl")
	a := office.get("/office/cases/" + id + "?as_of=soon")
	if a.Status != http.StatusBadRequest {
		t.Fatalf("a bad date: status %d, want 400", a.Status)
	}
	input := regexp.MustCompile(`<input [^>]*name="as_of"[^>]*>`).FindString(a.Body)
	for _, want := range []string{`href="#f-as_of"`, `id="f-as_of-error"`, "Vul een datum in, zoals 2026-03-02", `<h1>EIA`, `id="summary-heading"`} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("a bad date: the case page has no %q", want)
		}
	}
	for _, want := range []string{`id="f-as_of"`, `aria-invalid="true"`, `aria-describedby="f-as_of-error"`, `value="soon"`} {
		if !strings.Contains(input, want) {
			t.Errorf("a bad date: the date control %s has no %s", input, want)
		}
	}
	if strings.Contains(a.Body, `id="as-of-banner"`) || strings.Contains(a.Body, "YYYY-MM-DD") {
		t.Error("a bad date: the page shows a past view or the API's English")
	}
}

// TestADateBeforeTheCaseWasOpenedSaysSoOnTheDateControl: a date before
// the case was opened is still a 404, but the page was the error page's
// "Page not found ... does not exist, or it is not yours to see", which
// the office, looking at the case, cannot make sense of. It is the case
// page as it is now, the date control saying the day the case was opened,
// in the page's language.
func TestADateBeforeTheCaseWasOpenedSaysSoOnTheDateControl(t *testing.T) {
	w := newWorld(t)
	id := w.readyEIA(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	office := w.officeClient(t)
	for _, tc := range []struct{ lang, want string }{
		{"en", "The case was opened on 2 March 2026: choose that day or later"},
		{"nl", "Het dossier is geopend op 2 maart 2026: kies die dag of later"},
	} {
		office.setLang(tc.lang)
		a := office.get("/office/cases/" + id + "?as_of=2026-03-01")
		if a.Status != http.StatusNotFound {
			t.Errorf("%s: a day before the case: status %d, want 404", tc.lang, a.Status)
		}
		for _, want := range []string{tc.want, `id="f-as_of-error"`, `href="#f-as_of"`, `<h1>EIA`, `value="2026-03-01"`} {
			if !strings.Contains(a.Body, want) {
				t.Errorf("%s: a day before the case: the page has no %q", tc.lang, want)
			}
		}
		if strings.Contains(a.Body, `id="as-of-banner"`) {
			t.Errorf("%s: a day before the case: the page shows a past view", tc.lang)
		}
	}
}
