package web_test

import (
	"net/http"
	"net/url"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// An applicant who empties a statement's box on the self-assessment form
// takes the statement back, as the API takes an empty statement; a form
// that does not send a category's box leaves its statement.
func TestAStatementEmptiedOnTheFormIsTakenBack(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/self-assessment", carla.Token, map[string]any{"categories": []map[string]any{
		{"category": 1, "statement": "My first statement"}, {"category": 2, "statement": "My second statement"}}}), 200)
	web := w.client(t)
	web.login(carla.Email, carla.Password)
	base := "/applications/" + caseID
	shown := shownVersion(t, web.get(base+"/self-assessment"))
	if a := web.post(base+"/self-assessment", url.Values{"version": {shown}, "statement_1": {""}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("the form with category 1 emptied: got %d, want 303", a.Status)
	}
	if got := selfStatement(t, w, carla, caseID, 1); got != "" {
		t.Fatalf("category 1 reads %q after its box was emptied, want no statement", got)
	}
	if got := selfStatement(t, w, carla, caseID, 2); got != "My second statement" {
		t.Fatalf("category 2, not sent, reads %q, want it kept", got)
	}
}
