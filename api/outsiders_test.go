package api_test

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestOutsidersReachNothingOfAnAwardedCase: another applicant and an
// assessor with no part in an awarded case, each with a profile that would
// qualify them for it, reach none of it by its ids (the case's, its
// evidence's, its accreditation's) on any route that takes them: every
// read and every command is refused, as not found where the role may use
// the route (the case's existence is not told) and as forbidden where it
// may not, and no answer carries anything of the case.
func TestOutsidersReachNothingOfAnAwardedCase(t *testing.T) {
	tm := newTeam(t)
	id, acc := tm.awardedCase(t)
	ev := asSlice(tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"])[0].(map[string]any)["id"].(string)
	Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "bob@example.org", "password": "bob's long password", "name": "Bob Other"}), 201)
	bob := tm.in.Login(t, "bob@example.org", "bob's long password")
	zed := tm.newAssessor(t, "zed@example.org", "Zed Outsider")
	zedTok := tm.in.Login(t, zed.Email, zed.Password)

	cases, accs := "/api/v1/cases/"+id, "/api/v1/accreditations/"+acc
	routes := []Request{
		{Method: http.MethodGet, Path: cases},
		{Method: http.MethodGet, Path: cases + "?as_of=2026-03-02T12:00:00Z"},
		{Method: http.MethodGet, Path: cases + "/history"},
		{Method: http.MethodGet, Path: cases + "/history?as_of=2026-03-02T12:00:00Z"},
		{Method: http.MethodGet, Path: cases + "/coverage"},
		{Method: http.MethodGet, Path: cases + "/evidence/" + ev + "/file"},
		{Method: http.MethodGet, Path: accs},
		{Method: http.MethodGet, Path: accs + "/credential"},
		{Method: http.MethodGet, Path: accs + "/certificate"},
		{Method: http.MethodGet, Path: "/api/v1/programmes/" + acc + "/effectiveness"},
		{Method: http.MethodPut, Path: cases + "/portfolio", Body: eiaPortfolio()},
		{Method: http.MethodPut, Path: cases + "/evidence/" + ev, Body: map[string]any{"title": "Mine now"}},
		{Method: http.MethodDelete, Path: cases + "/evidence/" + ev},
		{Method: http.MethodPost, Path: cases + "/submit", Body: declared},
		{Method: http.MethodPost, Path: cases + "/claim", Body: map[string]string{"role": "assessor"}},
		{Method: http.MethodPost, Path: cases + "/assessments", Body: map[string]any{"ratings": allRatings("evidenced", nil), "recommendation": "award", "rationale": "x"}},
		{Method: http.MethodPost, Path: cases + "/interview", Body: map[string]string{"at": "2026-04-01T10:00:00Z", "place": "Online"}},
		{Method: http.MethodPost, Path: cases + "/information-requests", Body: map[string]string{"questions": "Why?"}},
		{Method: http.MethodPost, Path: cases + "/information-responses", Body: map[string]string{"answer": "Because."}},
		{Method: http.MethodPost, Path: cases + "/appeal", Body: map[string]string{"grounds": "Not mine to appeal."}},
		{Method: http.MethodPost, Path: cases + "/withdraw", Body: map[string]string{"reason": "Not mine to withdraw."}},
		{Method: http.MethodPost, Path: accs + "/renewal", Body: eiaRenewalBody()},
		{Method: http.MethodPost, Path: accs + "/renewal/assessment", Body: map[string]string{"outcome": "renewed", "rationale": "x"}},
		{Method: http.MethodPost, Path: accs + "/withdrawal", Body: map[string]string{"reason": "Not mine to give up."}},
	}
	for _, who := range []struct{ name, token string }{{"another applicant", bob}, {"an assessor with no part", zedTok}} {
		for _, r := range routes {
			r.Token = who.token
			got := tm.in.Do(t, r)
			if got.Status != http.StatusNotFound && got.Status != http.StatusForbidden {
				t.Errorf("%s: %s %s: got %d, want 404 or 403: %.300s", who.name, r.Method, r.Path, got.Status, got.Body)
				continue
			}
			for _, secret := range []string{tm.applicant.ID, "Reflections 2025", "Well evidenced throughout."} {
				if strings.Contains(string(got.Body), secret) {
					t.Errorf("%s: %s %s: the refusal tells %q: %s", who.name, r.Method, r.Path, secret, got.Body)
				}
			}
		}
	}
	// Nothing changed: the holder's case is as the award left it.
	if v := tm.get(t, cases, tm.applicant.Token); v["state"] != "awarded" || len(asSlice(v["evidence"])) != 1 || len(asSlice(v["appeals"])) != 0 {
		t.Fatalf("the case after the outsiders' tries: state %v, evidence %v, appeals %v", v["state"], v["evidence"], v["appeals"])
	}
}
