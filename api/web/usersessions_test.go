package web_test

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

func TestOfficeLogsAUserOutEverywhere(t *testing.T) {
	w := newWorld(t)
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	if a := anna.get("/queue"); a.Status != http.StatusOK {
		t.Fatalf("Anna's queue: got %d, want 200", a.Status)
	}
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	page := "/office/users/" + w.assessor.ID
	p := office.get(page)
	if !strings.Contains(p.Body, "Log this user out everywhere") || !strings.Contains(p.Body, `action="`+page+`/sessions"`) {
		t.Fatalf("no way to end the user's sessions on their page: %s", p.Body)
	}
	checkPage(t, page, "en", p)
	a := office.post(page+"/sessions", nil, true)
	if a.Status != http.StatusSeeOther || a.Location != page+"?ok=sessions_ended" {
		t.Fatalf("end sessions: got %d to %q, want 303 to %s?ok=sessions_ended", a.Status, a.Location, page)
	}
	if p := office.get(a.Location); !strings.Contains(p.Body, "Every session of the user is ended.") {
		t.Error("no notice that the sessions are ended")
	}
	if a := anna.get("/queue"); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/login") {
		t.Errorf("Anna after her sessions ended: got %d to %q, want 303 to the login page", a.Status, a.Location)
	}
	Expect(t, w.in.Get(t, "/api/v1/me", w.assessor.Token), 401) // her API token too
	// An applicant may not.
	carla := w.client(t)
	u := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	carla.login(u.Email, u.Password)
	if a := carla.post(page+"/sessions", nil, true); a.Status != http.StatusForbidden {
		t.Errorf("an applicant ending an assessor's sessions: got %d, want 403", a.Status)
	}
	// In Dutch.
	nl := w.client(t)
	nl.setLang("nl")
	nl.login(AdminEmail, AdminPassword)
	p = nl.get(page)
	if !strings.Contains(p.Body, "Deze gebruiker overal uitloggen") {
		t.Error("the Dutch page does not offer to end the sessions")
	}
	checkPage(t, page, "nl", p)
}
