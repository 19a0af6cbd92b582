package api_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/api/openapi/openapitest"
	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestContractDescribesEveryRouteAndNothingElse compares the route table with
// the OpenAPI document: a route the document does not describe, or an
// operation of the document the server does not route, fails.
func TestContractDescribesEveryRouteAndNothingElse(t *testing.T) {
	var routes []string
	for _, r := range Start(t).App.API.Routes() {
		routes = append(routes, r.Method+" "+openapitest.PathTemplate(r.Path))
	}
	documented := openapitest.Operations(t)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in api/openapi/openapi.json: describe it (parameters, body, responses)", r)
		}
	}
	for _, op := range documented {
		if !slices.Contains(routes, op) {
			t.Errorf("api/openapi/openapi.json describes %s, which the server does not route", op)
		}
	}
}

// TestContractPublicRoutesNeedNoLogin checks the document's security against
// the route table: public routes say security: [], the others need a bearer.
func TestContractPublicRoutesNeedNoLogin(t *testing.T) {
	for _, r := range Start(t).App.API.Routes() {
		op := r.Method + " " + openapitest.PathTemplate(r.Path)
		public, ok := openapitest.Public(t, op)
		if !ok {
			continue // reported by TestContractDescribesEveryRouteAndNothingElse
		}
		if public != r.Public {
			t.Errorf("%s: public in the route table %v, in the document %v", op, r.Public, public)
		}
	}
}

// contractTeam is everyone a full journey needs.
type contractTeam struct {
	in                           *Instance
	clock                        *Clock
	admin, reviewer              string
	applicant, assessor, checker User
	// probed, when set, has do send each command spoiled first
	// (probeBadInput) and records the operations it did so.
	probed map[string]bool
}

func newContractTeam(t *testing.T) *contractTeam {
	t.Helper()
	clock := NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	in := StartWith(t, Config(t.TempDir()), app.Options{Now: clock.Now})
	ct := &contractTeam{in: in, clock: clock, admin: in.AdminToken(t)}
	r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "cora@example.org", "password": "cora's long password", "name": "Cora Contract"}), 201)
	ct.applicant = User{ID: r.Map(t)["id"].(string), Email: "cora@example.org", Password: "cora's long password"}
	ct.applicant.Token = in.Login(t, ct.applicant.Email, ct.applicant.Password)
	ct.assessor = in.CreateUser(t, ct.admin, "assessor", "ansel@example.org", "Ansel Assessor")
	ct.checker = in.CreateUser(t, ct.admin, "assessor", "vera@example.org", "Vera Verifier")
	for _, u := range []User{ct.assessor, ct.checker} {
		Expect(t, in.Do(t, Request{Method: "PUT", Path: "/api/v1/users/" + u.ID + "/assessor-profile", Token: ct.admin,
			Header: map[string]string{"Idempotency-Key": "profile-" + u.ID},
			Body:   map[string]any{"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en"}, "conflicts": []string{}}}), 200)
	}
	ct.reviewer = in.CreateUser(t, ct.admin, "office", "rita@example.org", "Rita Reviewer").Token
	return ct
}

func (ct *contractTeam) do(t *testing.T, method, path, token string, body any, want int) map[string]any {
	t.Helper()
	if want < 300 {
		ct.refusedWithoutRequired(t, method, path, token, body)
		if ct.probed != nil && method != http.MethodGet && method != http.MethodDelete {
			ct.probeBadInput(t, method, path, token, body)
		}
	}
	r := Expect(t, ct.in.Do(t, Request{Method: method, Path: path, Token: token, Body: body}), want)
	if len(r.Body) == 0 || r.Body[0] != '{' {
		return nil
	}
	return r.Map(t)
}

// refusedWithoutRequired sends body once without each property the
// document requires of it, before the request proper: each must be refused
// with a 4xx (a problem document, which the TestMain hook checks), so that
// what the document calls required the server requires too.
func (ct *contractTeam) refusedWithoutRequired(t *testing.T, method, path, token string, body any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var whole map[string]any
	if json.Unmarshal(b, &whole) != nil {
		return // not an object
	}
	for _, field := range openapitest.MustDefault(t).RequiredBodyFields(method, path) {
		if _, sent := whole[field]; !sent {
			continue
		}
		less := maps.Clone(whole)
		delete(less, field)
		if r := ct.in.Do(t, Request{Method: method, Path: path, Token: token, Body: less}); r.Status < 400 || r.Status >= 500 {
			t.Errorf("%s %s without the required %q: got %d, want a 4xx; %s", method, path, field, r.Status, r.Body)
		}
	}
}

// awaitingDecision opens an EIA case and takes it to awaiting_decision with
// two agreeing assessments.
func (ct *contractTeam) awaitingDecision(t *testing.T) string {
	t.Helper()
	c := ct.do(t, "POST", "/api/v1/cases", ct.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)
	id := c["id"].(string)
	ct.do(t, "PUT", "/api/v1/cases/"+id+"/portfolio", ct.applicant.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}, 200)
	Expect(t, ct.in.Upload(t, id, ct.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections", "categories": "1,2", "indicators": "31"}, "r.md", []byte("# Reflections\n\nOn practice."), nil), 201)
	var cats []map[string]any
	for cat := 3; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": "How I work"})
	}
	ct.do(t, "PUT", "/api/v1/cases/"+id+"/self-assessment", ct.applicant.Token, map[string]any{"categories": cats}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/submit", ct.applicant.Token, declared, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/screening", ct.admin, map[string]string{"outcome": "accepted"}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/claim", ct.assessor.Token, map[string]string{"role": "assessor"}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/assignments", ct.admin, map[string]string{"assessor_id": ct.checker.ID, "role": "verifier"}, 200)
	for _, u := range []User{ct.assessor, ct.checker} {
		ct.do(t, "POST", "/api/v1/cases/"+id+"/assessments", u.Token, map[string]any{"ratings": contractRatings("evidenced"), "recommendation": "award", "rationale": "Good."}, 200)
	}
	return id
}

func contractRatings(rating string) []map[string]any {
	var out []map[string]any
	for cat := 1; cat <= 8; cat++ {
		out = append(out, map[string]any{"category": cat, "rating": rating, "indicators": []int{}, "notes": "n"})
	}
	return out
}

// TestContractEveryOperationAnswersAsDocumented calls every operation of the
// API at least once with success (and the TestMain hook validates every
// request and answer against the document), so that no documented success
// response goes unchecked.
func TestContractEveryOperationAnswersAsDocumented(t *testing.T) {
	contractJourney(t, newContractTeam(t))
}

// contractJourney is the journey TestContractEveryOperationAnswersAsDocumented
// takes (and TestBadInputOnEveryCommandIsANamedRefusal, spoiling each
// command before it).
func contractJourney(t *testing.T, ct *contractTeam) {
	in := ct.in
	for _, p := range []string{"/healthz", "/readyz", "/api/v1/framework", "/api/v1/framework/indicators/12", "/api/v1/evidence/limits", "/api/v1/openapi.json", "/api/docs"} {
		Expect(t, in.Get(t, p, ""), 200)
	}
	Expect(t, in.Get(t, "/metrics", ct.admin), 200)
	Expect(t, in.Get(t, "/api/v1/me", ct.applicant.Token), 200)
	Expect(t, in.Get(t, "/api/v1/users?role=assessor", ct.admin), 200)
	Expect(t, in.Get(t, "/api/v1/users/"+ct.assessor.ID, ct.admin), 200)

	// Case one: information request, evidence removed, disagreement,
	// moderation, refusal, appeal upheld, award, renewal, withdrawal.
	c := ct.do(t, "POST", "/api/v1/cases", ct.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)
	id := c["id"].(string)
	ct.do(t, "PUT", "/api/v1/cases/"+id+"/portfolio", ct.applicant.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}, 200)
	up := Expect(t, in.Upload(t, id, ct.applicant.Token, map[string]string{"kind": "other", "title": "Draft"}, "draft.txt", []byte("a draft"), map[string]string{"Idempotency-Key": "upload-1"}), 201)
	evID := up.Header.Get("X-Evidence-Id")
	ct.do(t, "DELETE", "/api/v1/cases/"+id+"/evidence/"+evID, ct.applicant.Token, nil, 200)
	up = Expect(t, in.Upload(t, id, ct.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections", "categories": "1,2", "indicators": "31,34"}, "reflections.md", []byte("# Reflections\n\nOn practice."), nil), 201)
	evID = up.Header.Get("X-Evidence-Id")
	ct.do(t, "PUT", "/api/v1/cases/"+id+"/evidence/"+evID, ct.applicant.Token, map[string]any{"kind": "reflective_statement", "title": "Reflections on practice", "categories": []int{1, 2}, "indicators": []int{31, 34}}, 200)
	f := Expect(t, in.Get(t, "/api/v1/cases/"+id+"/evidence/"+evID+"/file", ct.applicant.Token), 200)
	if !strings.HasPrefix(string(f.Body), "# Reflections") {
		t.Fatalf("evidence file: got %q", f.Body)
	}
	var cats []map[string]any
	for cat := 3; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": "How I work"})
	}
	ct.do(t, "PUT", "/api/v1/cases/"+id+"/self-assessment", ct.applicant.Token, map[string]any{"categories": cats}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/submit", ct.applicant.Token, declared, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/screening", ct.admin, map[string]string{"outcome": "accepted"}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/claim", ct.assessor.Token, map[string]string{"role": "assessor"}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/assignments", ct.admin, map[string]string{"assessor_id": ct.checker.ID, "role": "verifier"}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/information-requests", ct.assessor.Token, map[string]string{"questions": "Who supervises you?"}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/information-responses", ct.applicant.Token, map[string]string{"answer": "A senior coach."}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/assessments", ct.assessor.Token, map[string]any{"ratings": contractRatings("evidenced"), "recommendation": "award", "rationale": "Good."}, 200)
	m := ct.do(t, "POST", "/api/v1/cases/"+id+"/assessments", ct.checker.Token, map[string]any{"ratings": contractRatings("not_evidenced"), "recommendation": "not_award", "rationale": "Thin."}, 200)
	if m["state"] != "moderation" {
		t.Fatalf("disagreeing assessments: state %v, want moderation", m["state"])
	}
	ct.do(t, "POST", "/api/v1/cases/"+id+"/moderation", ct.admin, map[string]string{"recommendation": "not_award", "rationale": "The verifier is right."}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/decision", ct.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not enough depth."}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/appeal", ct.applicant.Token, map[string]string{"grounds": "Evidence overlooked."}, 200)
	ct.do(t, "POST", "/api/v1/cases/"+id+"/appeal/decision", ct.reviewer, map[string]string{"outcome": "upheld", "rationale": "Overlooked.", "return_to": "decision"}, 200)
	d := ct.do(t, "POST", "/api/v1/cases/"+id+"/decision", ct.reviewer, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}, 200)
	accID := d["accreditation"].(map[string]any)["id"].(string)
	seq := Expect(t, in.Get(t, "/api/v1/cases/"+id, ct.applicant.Token), 200)
	Expect(t, in.Get(t, "/api/v1/cases/"+id+"?min_seq=1", ct.admin), 200)
	Expect(t, in.Get(t, "/api/v1/cases/"+id+"/history?min_seq=1", ct.applicant.Token), 200)
	Expect(t, in.Get(t, "/api/v1/cases/"+id+"/history", ct.checker.Token), 200)
	Expect(t, in.Get(t, "/api/v1/accreditations/"+accID, ct.applicant.Token), 200)
	_ = seq
	ct.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	ct.admin, ct.applicant.Token = in.AdminToken(t), in.Login(t, ct.applicant.Email, ct.applicant.Password)
	ct.assessor.Token, ct.checker.Token = in.Login(t, ct.assessor.Email, ct.assessor.Password), in.Login(t, ct.checker.Email, ct.checker.Password)
	ct.do(t, "POST", "/api/v1/accreditations/"+accID+"/renewal", ct.applicant.Token, eiaRenewalBody(), 200)
	ct.do(t, "POST", "/api/v1/accreditations/"+accID+"/renewal/assignment", ct.admin, map[string]string{"assessor_id": ct.assessor.ID}, 200)
	ct.do(t, "POST", "/api/v1/accreditations/"+accID+"/renewal/assessment", ct.assessor.Token, map[string]string{"outcome": "return", "rationale": "Say more about supervision."}, 200)
	ct.do(t, "POST", "/api/v1/accreditations/"+accID+"/renewal", ct.applicant.Token, eiaRenewalBody(), 200)
	ct.do(t, "POST", "/api/v1/accreditations/"+accID+"/renewal/assessment", ct.assessor.Token, map[string]string{"outcome": "renew", "rationale": "Complete."}, 200)
	ct.do(t, "POST", "/api/v1/accreditations/"+accID+"/withdrawal", ct.applicant.Token, map[string]string{"reason": "Retiring."}, 200)

	// Case two: awarded, then revoked.
	id2 := ct.awaitingDecision(t)
	d = ct.do(t, "POST", "/api/v1/cases/"+id2+"/decision", ct.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}, 200)
	ct.do(t, "POST", "/api/v1/accreditations/"+d["accreditation"].(map[string]any)["id"].(string)+"/revocation", ct.admin, map[string]string{"reason": "Complaint upheld."}, 200)

	// Case three: withdrawn by the applicant.
	c = ct.do(t, "POST", "/api/v1/cases", ct.applicant.Token, map[string]any{"scheme": "EQA", "level": "foundation", "language": "nl",
		"programme": map[string]string{"name": "Basis", "provider": "Academie"}}, 201)
	ct.do(t, "POST", "/api/v1/cases/"+c["id"].(string)+"/withdraw", ct.applicant.Token, map[string]string{"reason": "Not now."}, 200)

	// The read side.
	mine := fmt.Sprintf("/api/v1/me/cases?min_seq=%d", lastSeq(t, in))
	r := Expect(t, Retry(t, func(map[string]string) Response { return in.Get(t, mine, ct.applicant.Token) }), 200)
	if n := len(r.Map(t)["cases"].([]any)); n != 3 {
		t.Fatalf("my cases: got %d, want 3", n)
	}
	id4 := ct.awaitingDecision(t)
	Expect(t, in.Get(t, "/api/v1/queue?state=awaiting_decision&scheme=EIA&overdue=false", ct.admin), 200)
	Expect(t, in.Get(t, "/api/v1/queue", ct.assessor.Token), 200)
	Expect(t, in.Get(t, "/api/v1/queue/finished?limit=1", ct.assessor.Token), 200)
	d = ct.do(t, "POST", "/api/v1/cases/"+id4+"/decision", ct.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}, 200)
	acc4 := d["accreditation"].(map[string]any)["id"].(string)
	Expect(t, in.Get(t, "/api/v1/decisions?outcome=awarded&from=2026-01-01", ct.admin), 200)
	page := Expect(t, in.Get(t, "/api/v1/audit?limit=3", ct.admin), 200).Map(t)
	Expect(t, in.Get(t, "/api/v1/audit?limit=3&cursor="+page["next_cursor"].(string), ct.admin), 200)
	for _, accept := range []string{"text/csv", "application/x-ndjson"} {
		Expect(t, in.Do(t, Request{Method: "GET", Path: "/api/v1/audit?case_id=" + id4, Token: ct.admin, Header: map[string]string{"Accept": accept}}), 200)
	}
	Expect(t, in.Get(t, "/api/v1/register?q=cora&scheme=EIA&level=practitioner", ""), 200)
	entry := fmt.Sprintf("/api/v1/register/%s?min_seq=%d", acc4, int(d["seq"].(float64)))
	Expect(t, Retry(t, func(map[string]string) Response { return in.Get(t, entry, "") }), 200)
	Expect(t, in.Get(t, "/api/v1/stats", ct.admin), 200)
	Expect(t, in.Get(t, "/api/v1/projections", ct.admin), 200)
	ct.do(t, "POST", "/api/v1/projections/rebuild", ct.admin, nil, 200)

	Expect(t, in.Get(t, "/api/v1/me/export", ct.applicant.Token), 200)
	ct.do(t, "POST", "/api/v1/audit/checkpoints", ct.admin, nil, 201)
	if rep := ct.do(t, "GET", "/api/v1/audit/verify", ct.admin, nil, 200); rep["intact"] != true {
		t.Fatalf("audit: %v", rep)
	}
	ct.do(t, "POST", "/api/v1/users/"+ct.checker.ID+"/disable", ct.admin, map[string]string{"reason": "Left."}, 200)
	ct.do(t, "POST", "/api/v1/users/"+ct.checker.ID+"/enable", ct.admin, map[string]string{"reason": "Back."}, 200)
	ct.do(t, "POST", "/api/v1/users/"+ct.assessor.ID+"/erasure", ct.admin, map[string]string{"reason": "GDPR art. 17"}, 200)
	Expect(t, in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/auth/logout", Token: ct.applicant.Token}), 204)
}
