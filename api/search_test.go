package api_test

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// find asks GET path?query as the office, once the search index holds
// every commit so far (min_seq), and returns the answer.
func (tm *team) find(t *testing.T, path string, query url.Values) map[string]any {
	t.Helper()
	query.Set("min_seq", strconv.FormatUint(tm.in.App.Feed.Position(), 10))
	return Expect(t, tm.in.Get(t, path+"?"+query.Encode(), tm.admin), 200).Map(t)
}

// foundIDs lists the ids of what a search found under key.
func foundIDs(t *testing.T, r map[string]any, key, id string) []string {
	t.Helper()
	var out []string
	for _, it := range r[key].([]any) {
		out = append(out, it.(map[string]any)[id].(string))
	}
	return out
}

func (tm *team) findCases(t *testing.T, kv ...string) []string {
	t.Helper()
	q := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return foundIDs(t, tm.find(t, "/api/v1/cases", q), "cases", "case_id")
}

func (tm *team) findUsers(t *testing.T, kv ...string) []string {
	t.Helper()
	q := url.Values{"q": {""}}
	for i := 0; i < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return foundIDs(t, tm.find(t, "/api/v1/users", q), "users", "id")
}

func wantFound(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: found %v, want %v", what, got, want)
	}
}

// TestTheOfficeFindsCasesAndUsers: the office finds any case by its
// applicant's name or email (accents and case ignored), its programme or
// provider, the start of its id, and by scheme, level, state and assessor,
// newest first and by pages; users by name, email and role. An erased
// person drops out, and a restart builds the index again from the store
// without writing a name to disk.
func TestTheOfficeFindsCasesAndUsers(t *testing.T) {
	tm := newTeam(t)
	carlaCase := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+carlaCase+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, carlaCase)

	zoe := tm.in.CreateUser(t, tm.admin, "applicant", "zoe.berg@voorbeeld.nl", "Zoë van den Berg-Ås")
	zoe.Token = tm.in.Login(t, zoe.Email, zoe.Password)
	eqa := tm.post(t, "/api/v1/cases", zoe.Token, map[string]any{"scheme": "EQA", "level": "senior_practitioner", "language": "nl",
		"programme": map[string]string{"name": "Coachopleiding Plus", "provider": "Académie Noord"}}, 201)
	zoeCase := eqa["id"].(string)

	// By the applicant's name or email, accents and case aside.
	wantFound(t, "zoe", tm.findCases(t, "q", "zoe"), zoeCase)
	wantFound(t, "ås berg", tm.findCases(t, "q", "AS berg"), zoeCase)
	wantFound(t, "carla's email", tm.findCases(t, "q", "carla@example"), carlaCase)
	wantFound(t, "a name nobody has", tm.findCases(t, "q", "Quixote"))
	// By the programme or its provider.
	wantFound(t, "programme", tm.findCases(t, "q", "coachopleiding"), zoeCase)
	wantFound(t, "provider", tm.findCases(t, "q", "academie noord"), zoeCase)
	// By the start of the case id.
	wantFound(t, "id prefix", tm.findCases(t, "q", strings.ToLower(carlaCase[:20])), carlaCase)
	// By the facts of the read models, newest first.
	wantFound(t, "every case", tm.findCases(t), zoeCase, carlaCase)
	wantFound(t, "scheme", tm.findCases(t, "scheme", "EQA"), zoeCase)
	wantFound(t, "level", tm.findCases(t, "level", "practitioner"), carlaCase)
	wantFound(t, "state", tm.findCases(t, "state", "draft"), zoeCase)
	wantFound(t, "assessor", tm.findCases(t, "assessor_id", tm.assessor.ID), carlaCase)
	wantFound(t, "verifier", tm.findCases(t, "assessor_id", tm.verifier.ID, "q", "carla"), carlaCase)
	wantFound(t, "assessor and a name that is not theirs", tm.findCases(t, "assessor_id", tm.assessor.ID, "q", "zoe"))

	// Pages.
	first := tm.find(t, "/api/v1/cases", url.Values{"limit": {"1"}})
	wantFound(t, "page 1", foundIDs(t, first, "cases", "case_id"), zoeCase)
	next, _ := first["next_cursor"].(string)
	if next == "" {
		t.Fatalf("page 1 of 2 has no next_cursor: %v", first)
	}
	second := tm.find(t, "/api/v1/cases", url.Values{"limit": {"1"}, "cursor": {next}})
	wantFound(t, "page 2", foundIDs(t, second, "cases", "case_id"), carlaCase)
	if _, more := second["next_cursor"]; more {
		t.Fatalf("the last page has a next_cursor: %v", second)
	}
	hit := first["cases"].([]any)[0].(map[string]any)
	if hit["applicant_name"] != "Zoë van den Berg-Ås" || hit["programme"] != "Coachopleiding Plus" || hit["provider"] != "Académie Noord" ||
		hit["scheme"] != "EQA" || hit["state"] != "draft" {
		t.Fatalf("found case: %v", hit)
	}

	// Users by name, email and role.
	wantFound(t, "users named anna", tm.findUsers(t, "q", "anna"), tm.assessor.ID)
	wantFound(t, "assessors", tm.findUsers(t, "role", "assessor"), tm.assessor.ID, tm.verifier.ID)
	wantFound(t, "an applicant among the assessors", tm.findUsers(t, "q", "zoe", "role", "assessor"))
	wantFound(t, "by email", tm.findUsers(t, "q", "voorbeeld.nl"), zoe.ID)

	// Bad input is a 400 naming the parameter.
	for q, field := range map[string]string{"limit=0": "limit", "state=nope": "state", "assessor_id=x": "assessor_id",
		"cursor=x": "cursor", "q=" + strings.Repeat("a", 201): "q"} {
		r := Expect(t, tm.in.Get(t, "/api/v1/cases?"+q, tm.admin), 400)
		if !strings.Contains(string(r.Body), `"`+field+`"`) {
			t.Fatalf("%s: the problem does not name %s: %s", q, field, r.Body)
		}
	}
	Expect(t, tm.in.Get(t, "/api/v1/users?q=a&role=king", tm.admin), 400)
	Expect(t, tm.in.Get(t, "/api/v1/cases?q=zoe", tm.applicant.Token), 403)
	Expect(t, tm.in.Get(t, "/api/v1/cases?q=zoe", tm.assessor.Token), 403)

	// An erased person drops out, with their programme (sealed under their key).
	Expect(t, tm.in.Post(t, "/api/v1/users/"+zoe.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}), 200)
	wantFound(t, "zoe after erasure", tm.findCases(t, "q", "zoe"))
	wantFound(t, "programme after erasure", tm.findCases(t, "q", "coachopleiding"))
	wantFound(t, "zoe's user after erasure", tm.findUsers(t, "q", "zoe"))
	wantFound(t, "her case by its facts", tm.findCases(t, "scheme", "EQA"), zoeCase)

	// A restart builds the index from the store; nothing of it is on disk.
	tm.in.Restart(t)
	tm.admin = tm.in.AdminToken(t)
	wantFound(t, "carla after a restart", tm.findCases(t, "q", "carla coach"), carlaCase)
	wantFound(t, "zoe after a restart", tm.findCases(t, "q", "zoe"))
	if where := diskContains(t, tm.in.Cfg.DataDir, "Carla Coach", "Coachopleiding", "Anna Assessor"); where != "" {
		t.Fatalf("a name in the clear on disk: %s", where)
	}
}
