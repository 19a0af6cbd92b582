package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAssessorSeesACaseOnlyOnItOrAbleToClaimIt walks every reason the claim
// refuses an assessor, and every route that reads a case (the API with a
// bearer token, the web with a session): each answers 404, as for a case
// that does not exist. An assessor who could claim the case gets 200
// everywhere but its evidence files (403); one who is on it, 200 everywhere.
func TestAssessorSeesACaseOnlyOnItOrAbleToClaimIt(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")

	// The queue case: awaiting assessment, EIA practitioner in English.
	queued := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	Expect(t, w.in.Put(t, "/api/v1/cases/"+queued+"/portfolio", carla.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	queuedEv := Expect(t, w.in.Upload(t, queued, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections", "categories": "1,2,3,4,5,6,7,8"}, "r.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+queued+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+queued+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)

	// The taken case: Anna and Victor assessed it and it was awarded.
	taken, takenEv, acc := w.awardedCase(t, carla)

	profiled := func(email string, profile map[string]any) User {
		u := w.in.CreateUser(t, w.admin, "assessor", email, email)
		if profile != nil {
			p := map[string]any{"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{}}
			for k, v := range profile {
				p[k] = v
			}
			Expect(t, w.in.Put(t, "/api/v1/users/"+u.ID+"/assessor-profile", w.admin, p), 200)
		}
		return u
	}
	qualified := profiled("quinn@example.org", map[string]any{})

	type route struct{ name, path string }
	routes := func(id, ev string) []route {
		return []route{
			{"API case", "/api/v1/cases/" + id},
			{"API history", "/api/v1/cases/" + id + "/history"},
			{"API evidence file", "/api/v1/cases/" + id + "/evidence/" + ev + "/file"},
			{"web workspace", "/assess/" + id},
			{"web evidence file", "/cases/" + id + "/evidence/" + ev},
		}
	}
	takenRoutes := append(routes(taken, takenEv), route{"API accreditation (the decision)", "/api/v1/accreditations/" + acc})

	// get reads path as u: the API with u's token, the web in u's browser.
	browsers := map[string]*client{}
	get := func(t *testing.T, u User, path string) int {
		t.Helper()
		if path[:5] == "/api/" {
			return w.in.Get(t, path, u.Token).Status
		}
		c := browsers[u.ID]
		if c == nil {
			c = w.client(t)
			c.login(u.Email, u.Password)
			browsers[u.ID] = c
		}
		return c.get(path).Status
	}
	walk := func(t *testing.T, u User, rs []route, want int) {
		t.Helper()
		for _, r := range rs {
			if got := get(t, u, r.path); got != want {
				t.Errorf("%s, GET %s: got %d, want %d", r.name, r.path, got, want)
			}
		}
	}

	for _, tc := range []struct {
		reason string
		user   User
	}{
		{"no profile", profiled("nina@example.org", nil)},
		{"declared a conflict with the applicant", profiled("connie@example.org", map[string]any{"conflicts": []string{carla.ID}})},
		{"not qualified for the scheme", profiled("eqa@example.org", map[string]any{"schemes": []string{"EQA"}})},
		{"qualified below the case level", profiled("fred@example.org", map[string]any{"max_level": "foundation"})},
		{"does not assess in the case language", profiled("nora@example.org", map[string]any{"languages": []string{"nl"}})},
	} {
		t.Run(fmt.Sprintf("404/%s/queued case", tc.reason), func(t *testing.T) { walk(t, tc.user, routes(queued, queuedEv), http.StatusNotFound) })
		t.Run(fmt.Sprintf("404/%s/taken case", tc.reason), func(t *testing.T) { walk(t, tc.user, takenRoutes, http.StatusNotFound) })
	}
	t.Run("404/qualified but not on a case whose roles are both taken", func(t *testing.T) {
		walk(t, qualified, takenRoutes, http.StatusNotFound)
	})
	t.Run("200/qualified and could claim, the evidence files 403", func(t *testing.T) {
		for _, r := range routes(queued, queuedEv) {
			want := http.StatusOK
			if strings.HasSuffix(r.name, "evidence file") {
				want = http.StatusForbidden // listed, opened once a role is taken (evidencefiles_test.go)
			}
			walk(t, qualified, []route{r}, want)
		}
	})
	t.Run("200/assigned: the assessor and the verifier", func(t *testing.T) {
		walk(t, w.assessor, takenRoutes, http.StatusOK)
		walk(t, w.verifier, takenRoutes, http.StatusOK)
	})
	t.Run("404/a conflict declared later hides the case at once", func(t *testing.T) {
		Expect(t, w.in.Put(t, "/api/v1/users/"+qualified.ID+"/assessor-profile", w.admin, map[string]any{
			"schemes": []string{"EIA"}, "max_level": "master_practitioner", "languages": []string{"en"}, "conflicts": []string{carla.ID}}), 200)
		walk(t, qualified, routes(queued, queuedEv), http.StatusNotFound)
		// The claim is the same rule: it does not reveal the case either.
		Expect(t, w.in.Post(t, "/api/v1/cases/"+queued+"/claim", qualified.Token, map[string]string{"role": "assessor"}), http.StatusNotFound)
	})
}
