package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/pii"
)

// TestAFormOfTextsIsNotFilledWithUnavailable: a form filled in from the
// applicant's texts (the statements, an evidence's title, an EQA's
// curriculum, its own or an earlier application's) while the key
// store does not answer is a 503 to retry, not the form with
// pii.Unavailable in its fields: sent once the key store is back, with
// one statement changed, it would keep "[unavailable]" as every other.
func TestAFormOfTextsIsNotFilledWithUnavailable(t *testing.T) {
	keys := &KeysDown{}
	w := newWorldWith(t, app.Options{Keys: keys.Wrap})
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	evID := Expect(t, w.in.Upload(t, caseID, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1,2"},
		"reflections.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")
	eqa := w.openEQA(t, carla, "practitioner", "en", "Coaching Plus", "Academy North")
	var curriculum []map[string]any
	for cat := 1; cat <= 8; cat++ {
		curriculum = append(curriculum, map[string]any{"category": cat, "description": "Module " + itoa(cat)})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+eqa+"/portfolio", carla.Token, map[string]any{"contact_hours": 150, "completed_cycles": 2, "curriculum": curriculum}), 200)
	// A second EQA application, still empty, whose portfolio form is
	// filled from the first's (reuse.go: ?from=).
	eqa2 := w.openEQA(t, carla, "practitioner", "en", "Coaching Plus Two", "Academy North")
	web := w.client(t)
	web.login(carla.Email, carla.Password)
	base := "/applications/" + caseID
	for _, tc := range []struct{ name, path, text string }{
		{"self-assessment", base + "/self-assessment", "Statement"},
		{"evidence", base + "/evidence/" + evID + "/edit", "Reflections 2025"},
		{"EQA portfolio", "/applications/" + eqa + "/portfolio", "Module 8"},
		{"EQA portfolio from an earlier application", "/applications/" + eqa2 + "/portfolio?from=" + eqa, "Module 8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys.SetDown(true)
			w.in.App.Vault.Forget(carla.ID) // as a process that has not read her key yet
			a := web.get(tc.path)
			keys.SetDown(false)
			if a.Status != http.StatusServiceUnavailable || a.Header.Get("Retry-After") == "" || inField(a.Body, pii.Unavailable) {
				t.Fatalf("the form with the key store down: got %d (Retry-After %q, a field holding %[3]s: %[4]v), want a 503 to retry, not a form holding %[3]s: %.3000[5]s",
					a.Status, a.Header.Get("Retry-After"), pii.Unavailable, inField(a.Body, pii.Unavailable), a.Body)
			}
			if a := web.get(tc.path); a.Status != http.StatusOK || !strings.Contains(a.Body, tc.text) {
				t.Fatalf("the form with the key store back: got %d, want 200 showing %q", a.Status, tc.text)
			}
		})
	}
}

// inField reports whether a form field of page holds text.
func inField(page, text string) bool {
	return strings.Contains(page, `value="`+text+`"`) || strings.Contains(page, text+"</textarea>")
}
