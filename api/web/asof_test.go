package web_test

import (
	"net/http"
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
