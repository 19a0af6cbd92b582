package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

var messageLink = regexp.MustCompile(`<a class="button" href="([^"]+)"[^>]*>([^<]+)</a>`)

// TestTheOutboxNeverLeadsTheOfficeToAForbiddenPage: a message's page in
// the office's outbox offered "Open the link in the email" for every
// message, and for the applicant's decision (/applications/ID) or the
// assessor's assignment (/assess/ID) that link was a 403 page for the
// office. The office is now taken to its own page of the case instead;
// a link it may open (an accreditation, a public page) stays as it is.
func TestTheOutboxNeverLeadsTheOfficeToAForbiddenPage(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _, _ := w.awardedCase(t, carla)
	office := w.officeClient(t)
	var kinds map[string]bool
	deadline := time.Now().Add(time.Minute)
	for {
		kinds = map[string]bool{}
		for _, m := range Expect(t, w.in.Get(t, "/api/v1/outbox", w.admin), 200).Map(t)["messages"].([]any) {
			msg := m.(map[string]any)
			page := office.get("/office/outbox/" + msg["id"].(string))
			if page.Status != http.StatusOK {
				t.Fatalf("the message's page: got %d", page.Status)
			}
			l := messageLink.FindStringSubmatch(page.Body)
			if l == nil {
				continue
			}
			if a := office.get(strings.TrimPrefix(l[1], w.in.URL)); a.Status != http.StatusOK {
				t.Errorf("a %s message: its button %q leads to %s, a %d for the office", msg["kind"], l[2], l[1], a.Status)
			}
			if strings.Contains(page.Body, "/applications/"+caseID) || strings.Contains(page.Body, "/assess/"+caseID) {
				if l[1] != "/office/cases/"+caseID || l[2] != "Open the case" {
					t.Errorf("a %s message linking to another role's page of the case: the button is %q to %s, want \"Open the case\" to the office's page", msg["kind"], l[2], l[1])
				}
				kinds[msg["kind"].(string)] = true
			}
		}
		if kinds["decision"] && kinds["assigned"] || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !kinds["decision"] || !kinds["assigned"] {
		t.Fatalf("the outbox has no decision and assignment mail linking to the case: %v", kinds)
	}
}

// TestAnOutboxPagePastTheEndLeadsToTheLast: a page of the outbox past the
// last one (an old link, messages purged since) said "No email has been
// written yet." above no way back, while the outbox held messages. It
// leads to the last page.
func TestAnOutboxPagePastTheEndLeadsToTheLast(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	w.awardedCase(t, carla)
	Expect(t, Retry(t, func(map[string]string) Response {
		r := w.in.Get(t, "/api/v1/outbox", w.admin)
		if r.Status == http.StatusOK && len(r.Map(t)["messages"].([]any)) == 0 {
			return Response{Status: http.StatusServiceUnavailable} // none written yet: again
		}
		return r
	}), 200)
	office := w.officeClient(t)
	a := office.get("/office/outbox?page=7")
	if a.Status != http.StatusSeeOther || a.Location != "/office/outbox?page=1" {
		t.Fatalf("page 7 of 1: got %d to %q, want 303 to /office/outbox?page=1; %s", a.Status, a.Location, between(a.Body, "<main", "</main>"))
	}
	if b := office.get(a.Location); b.Status != http.StatusOK || strings.Contains(b.Body, "No email has been written yet.") || !strings.Contains(b.Body, `href="/office/outbox/`) {
		t.Errorf("the last page: got %d without the messages", b.Status)
	}
}
