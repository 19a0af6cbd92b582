package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheOfficeExportsTheDataOfAUserWhoCannotLogIn: a request of access
// (GDPR art. 15) may come by letter, or from a user whose account is
// disabled; only the user could download their export. The office gets
// the document the user gets themselves, read as them; no other role may.
func TestTheOfficeExportsTheDataOfAUserWhoCannotLogIn(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	carla := tm.applicant
	own := tm.get(t, "/api/v1/me/export", carla.Token)

	Expect(t, tm.in.Post(t, "/api/v1/users/"+carla.ID+"/disable", tm.admin, map[string]string{"reason": "left the profession"}), 200)
	res := Expect(t, tm.in.Get(t, "/api/v1/users/"+carla.ID+"/export", tm.admin), 200)
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, carla.ID) {
		t.Errorf("Content-Disposition %q: want an attachment named with the user's id", cd)
	}
	doc := res.Map(t)
	if u := doc["user"].(map[string]any); u["id"] != carla.ID || u["email"] != carla.Email {
		t.Fatalf("the export names %v, want Carla", u)
	}
	if acc := doc["account"].(map[string]any); acc["disabled"] != true {
		t.Errorf("the account as stored: %v, want it disabled", acc)
	}
	// The same cases and histories as her own download, read as her (the
	// assessors' work hidden from her before the decision is hidden here).
	for _, part := range []string{"cases"} {
		a, _ := json.Marshal(own[part])
		b, _ := json.Marshal(doc[part])
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the office's export differs from hers:\n%s\n%s", part, a, b)
		}
	}
	if hist, _ := json.Marshal(doc["account_history"]); !strings.Contains(string(hist), "left the profession") {
		t.Errorf("the account history does not hold the disabling: %s", hist)
	}

	Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "ben@example.org", "password": "ben's long password", "name": "Ben Other"}), 201)
	for _, token := range []string{tm.assessor.Token, tm.in.Login(t, "ben@example.org", "ben's long password")} {
		Expect(t, tm.in.Get(t, "/api/v1/users/"+carla.ID+"/export", token), 403)
	}
	wantProblem(t, tm.in.Get(t, "/api/v1/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/export", tm.admin), 404, "no user")
}
