package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"

	"github.com/emcc/accredit/api/web"
	"github.com/emcc/accredit/domain"
)

// TestOutsidersReachNothingOfACaseByItsIDs: every page and form of the
// route table that names a case, its evidence or its accreditation, asked
// by another applicant and by an assessor with no part in the case (whose
// profile would qualify them for it), with its ids filled in: a page of
// another role is the 403 page, one of theirs the 404 page, as for a case
// that does not exist; none shows anything of the case, and no form
// changes it.
func TestOutsidersReachNothingOfACaseByItsIDs(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, evID, accID := w.awardedCase(t, carla)
	bob := w.registerApplicant(t, "bob@example.org", "Bob Other")
	zed := w.newAssessor(t, "zed@example.org", "Zed Outsider")
	fill := strings.NewReplacer(":case", caseID, ":ev", evID, ":acc", accID)
	form := url.Values{"grounds": {"Not mine."}, "reason": {"Not mine."}, "answer": {"Not mine."}, "questions": {"Why?"},
		"outcome": {"renewed"}, "rationale": {"Not mine."}, "role": {"assessor"}, "title": {"Mine now"}}
	for _, who := range []struct {
		name string
		user string
		pass string
		role domain.Role
	}{{"another applicant", bob.Email, bob.Password, domain.RoleApplicant}, {"an assessor with no part", zed.Email, zed.Password, domain.RoleAssessor}} {
		c := w.client(t)
		c.login(who.user, who.pass)
		n := 0
		for _, r := range web.Routes() {
			if r.Public || !strings.Contains(r.Path, ":case") && !strings.Contains(r.Path, ":ev") && !strings.Contains(r.Path, ":acc") {
				continue
			}
			path := fill.Replace(r.Path)
			var a answer
			if r.Method == http.MethodGet {
				a = c.get(path)
			} else {
				a = c.post(path, form, true)
			}
			n++
			want := http.StatusNotFound
			if !slices.Contains(r.Roles, who.role) {
				want = http.StatusForbidden
			}
			if a.Status != want {
				t.Errorf("%s: %s %s: got %d, want %d", who.name, r.Method, path, a.Status, want)
			}
			for _, secret := range []string{"Carla", "Reflections 2025", "Meets the level."} {
				if strings.Contains(a.Body, secret) {
					t.Errorf("%s: %s %s: the page shows %q", who.name, r.Method, path, secret)
				}
			}
		}
		if n < 20 {
			t.Fatalf("%s: %d routes naming a case, its evidence or its accreditation; the table has more", who.name, n)
		}
	}
	if v := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t); v["state"] != "awarded" || len(v["evidence"].([]any)) != 1 {
		t.Fatalf("the case after the outsiders' forms: state %v, evidence %v", v["state"], v["evidence"])
	}
}
