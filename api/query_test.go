package api_test

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
)

// TestAQueryStringThatCannotBeReadIsRefused: a query string with a pair
// that cannot be read (a "%" not followed by two hex digits, a ";") is a
// 400 naming it, on a read as on a command, where it was dropped unsaid and
// answered as if not sent (the register's first page, a command done); a
// query with well-formed escapes is read as before.
func TestAQueryStringThatCannotBeReadIsRefused(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	for _, tc := range []struct{ method, path, token string }{
		{"GET", "/api/v1/register?limit=1&cursor=%%%", ""},
		{"GET", "/api/v1/queue?overdue=true&state=%zz", tm.admin},
		{"GET", "/api/v1/cases/" + id + "?as_of=1;x=2", tm.applicant.Token},
		{"POST", "/api/v1/cases/" + id + "/withdraw?reason=%G0", tm.applicant.Token},
	} {
		status, body := raw(t, tc.method, tm.in.URL+tc.path, tc.token, "", nil)
		if status != 400 || !strings.Contains(body, `"field":"(query)"`) {
			t.Errorf("%s %s: %d %s; want a 400 naming (query)", tc.method, tc.path, status, body)
		}
	}
	if c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token); c["state"] != "draft" {
		t.Fatalf("the case after a withdrawal with a query that cannot be read: %v, want still a draft", c["state"])
	}
	if status, body := raw(t, "GET", tm.in.URL+"/api/v1/register?limit=1&q=caf%C3%A9+%26", "", "", nil); status != 200 {
		t.Fatalf("well-formed escapes: %d %s; want 200", status, body)
	}
}

// TestEveryOperationDocumentsTheRefusalOfAnUnreadableQuery: every route
// refuses a query string that cannot be read with a 400 (wellFormedQuery),
// so the document lists that 400 for every operation; 25 reads lacked it,
// and an integrator's client checking answers against the document failed
// on the problem document instead of reporting it.
func TestEveryOperationDocumentsTheRefusalOfAnUnreadableQuery(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	tokens := map[domain.Role]string{
		domain.RoleOffice:    admin,
		domain.RoleApplicant: in.CreateUser(t, admin, "applicant", "q-app@example.org", "Applicant Q").Token,
		domain.RoleAssessor:  in.CreateUser(t, admin, "assessor", "q-ass@example.org", "Assessor Q").Token,
	}
	for _, r := range in.App.API.Routes() {
		req := Request{Method: r.Method, Path: fillParams(r.Path) + "?x=%zz"}
		if !r.Public {
			req.Token = tokens[r.Roles[0]]
		}
		if r.Method != http.MethodGet {
			req.Body = map[string]any{}
		}
		got := in.Do(t, req) // the answer is checked against the document (TestMain)
		if got.Status != http.StatusBadRequest || !strings.Contains(string(got.Body), `"field":"(query)"`) {
			t.Errorf("%s %s: %d %.200s; want a 400 naming (query)", r.Method, req.Path, got.Status, got.Body)
		}
	}
}
