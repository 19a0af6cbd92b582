package api_test

import (
	"strings"
	"testing"
)

// TestListsRefuseAnotherListsCursor: a cursor is the next_cursor of the
// same list's page before. One from another list, or tampered, is a 400
// naming cursor: read as a position it gave a silent empty or wrong page.
func TestListsRefuseAnotherListsCursor(t *testing.T) {
	tm := newTeam(t)
	const caseID = "01JQ8Z6V8E5YB3M7C2Q4T9W1XK"
	for _, tc := range []struct{ path, token string }{
		{"/api/v1/queue/finished?cursor=5.3", tm.assessor.Token},                             // an audit cursor
		{"/api/v1/queue/finished?cursor=1774000000000000000.0." + caseID, tm.assessor.Token}, // a decisions cursor
		{"/api/v1/queue/finished?cursor=1774000000000000000.not-a-case", tm.assessor.Token},
		{"/api/v1/decisions?cursor=1774000000000000000.0.not-a-case", tm.admin},
		{"/api/v1/decisions?cursor=1774000000000000000.-1." + caseID, tm.admin},
		{"/api/v1/audit?cursor=1.-0", tm.admin},
		{"/api/v1/register?limit=5&cursor=1774000000000000000." + caseID, tm.admin},
		{"/api/v1/users?limit=5&cursor=5.3", tm.admin},
		{"/api/v1/cases?limit=5&cursor=5.3", tm.admin},
	} {
		r := tm.in.Get(t, tc.path, tc.token)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"cursor"`) {
			t.Errorf("GET %s: %d %s, want a 400 naming cursor", tc.path, r.Status, r.Body)
		}
	}
}
