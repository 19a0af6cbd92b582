package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestReassignConfirmationShowsTheRoleAsALabel: the confirmation of a
// reassignment names the role in its summary as the case page does,
// capitalised beside its label ("Rol: Verificateur"), not lower-case so
// that it reads as one word with the label ("Rolverificateur"). In
// English and in Dutch, for both roles.
func TestReassignConfirmationShowsTheRoleAsALabel(t *testing.T) {
	w := newWorld(t)
	id := w.inAssessment(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	nina := w.newAssessor(t, "nina@example.org", "Nina New")
	office := w.officeClient(t)
	for _, c := range []struct{ lang, role, want, title string }{
		{"en", "assessor", "<dt>Role</dt><dd>Assessor</dd>", "Reassign the role of assessor?"},
		{"en", "verifier", "<dt>Role</dt><dd>Verifier</dd>", "Reassign the role of verifier?"},
		{"nl", "assessor", "<dt>Rol</dt><dd>Assessor</dd>", "De rol van assessor opnieuw toewijzen?"},
		{"nl", "verifier", "<dt>Rol</dt><dd>Verificateur</dd>", "De rol van verificateur opnieuw toewijzen?"},
	} {
		t.Run(c.lang+"/"+c.role, func(t *testing.T) {
			office.setLang(c.lang)
			a := office.postAsking("/office/cases/"+id+"/reassign", url.Values{"role": {c.role},
				"reassign_to_" + c.role: {nina.ID}, "reassign_reason_" + c.role: {"On leave."}}, true)
			body := html.UnescapeString(a.Body)
			if a.Status != http.StatusOK || !strings.Contains(body, "data-confirm") {
				t.Fatalf("reassigning without confirming: got %d, want the confirmation page; %s", a.Status, errorsOf(a.Body))
			}
			for _, s := range []string{c.want, c.title} {
				if !strings.Contains(body, s) {
					t.Errorf("the confirmation does not show %q: %.3000s", s, body[strings.Index(body, "<main"):])
				}
			}
		})
	}
}
