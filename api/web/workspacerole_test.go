package web_test

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheWorkspaceOfACaseNotYetTakenNamesNoRole: an assessor may read a
// queued case they could take before taking it; its workspace put
// "Role: " with nothing after it, since they hold none. It names a role
// only to the assessor who holds one, in either language.
func TestTheWorkspaceOfACaseNotYetTakenNamesNoRole(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", carla.Token, declared), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200))

	for _, tc := range []struct{ lang, empty string }{{"en", "<span>Role: </span>"}, {"nl", "<span>Rol: </span>"}} {
		reader := w.client(t)
		reader.login(w.verifier.Email, w.verifier.Password)
		reader.setLang(tc.lang)
		page := reader.get("/assess/" + caseID)
		if page.Status != http.StatusOK {
			t.Fatalf("%s: a qualified assessor reads the queued case: got %d", tc.lang, page.Status)
		}
		if strings.Contains(page.Body, tc.empty) {
			t.Errorf("%s: the workspace of a case not taken shows %q", tc.lang, tc.empty)
		}
	}

	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200))
	holder := w.client(t)
	holder.login(w.assessor.Email, w.assessor.Password)
	if page := holder.get("/assess/" + caseID); !strings.Contains(page.Body, "<span>Role: Assessor</span>") {
		t.Errorf("the assessor who took the case: want %q on the workspace\n%.2000s", "<span>Role: Assessor</span>", page.Body)
	}
}
