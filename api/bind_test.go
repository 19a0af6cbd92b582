package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// raw sends a request as is, past the contract's check of what tests send:
// these bodies are what a careless client sends, not what the document
// allows.
func raw(t *testing.T, method, url, token, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAJSONBodyNotInUTF8IsRefused: JSON is UTF-8; a body declared in
// another charset, or bytes that are not UTF-8, is refused naming why,
// rather than stored with U+FFFD in place of the letters.
func TestAJSONBodyNotInUTF8IsRefused(t *testing.T) {
	tm := newTeam(t)
	latin1 := []byte("{\"email\":\"zoe@example.org\",\"password\":\"a long enough password\",\"name\":\"Zo\xeb \xc5ngstr\xf6m\"}")
	for ct, want := range map[string]string{"application/json; charset=iso-8859-1": `not charset \"iso-8859-1\"`, "application/json": "not valid UTF-8"} {
		status, body := raw(t, "POST", tm.in.URL+"/api/v1/auth/register", "", ct, bytes.NewReader(latin1))
		if status != 400 || !strings.Contains(body, want) || !strings.Contains(body, `"status":400`) {
			t.Errorf("a Latin-1 body as %s: %d %s; want a 400 problem saying %s", ct, status, body, want)
		}
	}
	utf8 := strings.Replace(string(latin1), "Zo\xeb \xc5ngstr\xf6m", "Zoë Ångström", 1)
	if status, body := raw(t, "POST", tm.in.URL+"/api/v1/auth/register", "", "application/json; charset=UTF-8", strings.NewReader(utf8)); status != 201 || !strings.Contains(body, "Zoë Ångström") {
		t.Fatalf("the same in UTF-8: %d %s", status, body)
	}
}

// TestAnEmptyChunkedBodyIsNoBody: a command whose body may be left out
// takes an empty body sent chunked (no length) as it takes none.
func TestAnEmptyChunkedBodyIsNoBody(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	chunked := struct{ io.Reader }{strings.NewReader("")} // no length known: sent chunked
	if status, body := raw(t, "POST", tm.in.URL+"/api/v1/cases/"+id+"/withdraw", tm.applicant.Token, "application/json", chunked); status != 200 {
		t.Fatalf("withdraw with an empty chunked body: %d %s; want 200 as with no body", status, body)
	}
}

// TestANullTheDocumentDoesNotAllowIsRefused: encoding/json reads null as
// nothing (a quarter's hours 0, a field left out); where the contract does
// not allow null, it is a 400 naming the field, and nothing is recorded.
// Where the contract allows it (a rule's figure not set), it is taken.
func TestANullTheDocumentDoesNotAllowIsRefused(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	before := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["portfolio"]
	for body, field := range map[string]string{
		`{"client_hours":140,"supervision_hours_by_quarter":[null,1,2,1]}`: "supervision_hours_by_quarter[0]",
		`{"supervision_hours_by_quarter":null}`:                            "supervision_hours_by_quarter",
		`{"client_hours":null}`:                                            "client_hours",
		`{"professional_body_member":null}`:                                "professional_body_member",
		`{"curriculum":[null]}`:                                            "curriculum[0]",
		`null`:                                                             "(body)",
	} {
		status, got := raw(t, "PUT", tm.in.URL+"/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, "application/json", strings.NewReader(body))
		if status != 400 || !strings.Contains(got, `"field":"`+field+`"`) || !strings.Contains(got, "not null") {
			t.Errorf("portfolio %s: %d %s; want a 400 naming %s", body, status, got, field)
		}
	}
	if after := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["portfolio"]; !reflect.DeepEqual(after, before) {
		t.Errorf("portfolio after the refusals: got %v, want %v", after, before)
	}
	if status, got := raw(t, "POST", tm.in.URL+"/api/v1/cases", tm.applicant.Token, "application/json",
		strings.NewReader(`{"scheme":"EIA","level":"practitioner","language":"en","programme":null}`)); status != 400 || !strings.Contains(got, `"field":"programme"`) {
		t.Errorf("a case with programme null: %d %s; want a 400 naming programme", status, got)
	}

	rules := `{"scheme":"EIA","based_on":"eia-2027-1","effective_from":"2026-03-02","rules":[{"name":"client_hours",%s}]}`
	if status, got := raw(t, "POST", tm.in.URL+"/api/v1/rulesets", tm.admin, "application/json",
		strings.NewReader(fmt.Sprintf(rules, `"values":null`))); status != 400 || !strings.Contains(got, `"field":"rules[0].values"`) {
		t.Errorf("a rule with values null: %d %s; want a 400 naming rules[0].values", status, got)
	}
	Expect(t, tm.in.Post(t, "/api/v1/rulesets", tm.admin, json.RawMessage(fmt.Sprintf(rules,
		`"values":{"foundation":null,"practitioner":200,"senior_practitioner":250,"master_practitioner":500},"graduates":null`))), 201)
}

// TestACommandThatTakesNoBodyRefusesOne: a command with no request body
// takes none, or {}, as the commands whose body may be left out do; a body
// that is not JSON, or that has a field, is a 400 saying so, and the
// command is not done, rather than done as if the body were not there.
// Removing an evidence item (DELETE) is one of them.
func TestACommandThatTakesNoBodyRefusesOne(t *testing.T) {
	tm := newTeam(t)
	phone := tm.in.Login(t, tm.applicant.Email, tm.applicant.Password)
	id := tm.openEIA(t)
	evidence := func() []any {
		ev, _ := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)
		return ev
	}
	evPath := "/api/v1/cases/" + id + "/evidence/" + evidence()[0].(map[string]any)["id"].(string)
	commands := []struct{ method, path, token string }{
		{http.MethodPost, "/api/v1/me/sessions/revocation", tm.applicant.Token},
		{http.MethodPost, "/api/v1/users/" + tm.applicant.ID + "/sessions/revocation", tm.admin},
		{http.MethodPost, "/api/v1/users/" + tm.applicant.ID + "/password-reset-links", tm.admin},
		{http.MethodPost, "/api/v1/audit/checkpoints", tm.admin},
		{http.MethodPost, "/api/v1/projections/rebuild", tm.admin},
		{http.MethodDelete, evPath, tm.applicant.Token},
		{http.MethodPost, "/api/v1/auth/logout", tm.applicant.Token},
	}
	for _, cmd := range commands {
		for body, want := range map[string]string{"log me out": "malformed JSON", `{"everywhere":true}`: `"field":"everywhere"`, " null ": "not null"} {
			r := tm.in.Do(t, Request{Method: cmd.method, Path: cmd.path, Token: cmd.token, Body: body})
			if r.Status != 400 || !strings.Contains(string(r.Body), want) {
				t.Errorf("%s %s with %s: %d %s; want a 400 saying %s", cmd.method, cmd.path, body, r.Status, r.Body, want)
			}
		}
		if status, got := raw(t, cmd.method, tm.in.URL+cmd.path, cmd.token, "text/plain", strings.NewReader("log me out")); status != 400 || !strings.Contains(got, "Content-Type") {
			t.Errorf("%s %s with a text body: %d %s; want a 400 naming the Content-Type", cmd.method, cmd.path, status, got)
		}
	}
	if n := len(evidence()); n != 1 {
		t.Fatalf("evidence after the refused DELETEs: %d items, want the one kept", n)
	}
	Expect(t, tm.in.Do(t, Request{Method: http.MethodDelete, Path: evPath, Token: tm.applicant.Token, Body: map[string]any{}}), 200)
	if n := len(evidence()); n != 0 {
		t.Fatalf("evidence after a DELETE with {}: %d items, want none", n)
	}
	Expect(t, tm.in.Get(t, "/api/v1/me", phone), 200) // no session was ended
	Expect(t, tm.in.Get(t, "/api/v1/me", tm.applicant.Token), 200)
	if got := tm.get(t, "/api/v1/me/sessions", tm.applicant.Token)["other_sessions"]; got != float64(1) {
		t.Errorf("other sessions after the refusals: got %v, want 1", got)
	}
	if r := tm.post(t, "/api/v1/me/sessions/revocation", tm.applicant.Token, map[string]any{}, 200); r["sessions_ended"] != float64(1) {
		t.Errorf("log out everywhere else with {}: got %v, want 1 session ended", r)
	}
	Expect(t, tm.in.Get(t, "/api/v1/me", phone), 401)
}

// TestANumberThatDoesNotFitSaysWhy: a number where an integer is wanted,
// or one out of range, is a 400 that says which, not "must be a number,
// not number 1.5".
func TestANumberThatDoesNotFitSaysWhy(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	for body, want := range map[string]string{
		`{"client_count":1.5}`:                                   `{"field":"client_count","reason":"must be an integer, not 1.5"}`,
		`{"client_count":1e19}`:                                  `{"field":"client_count","reason":"1e19 is out of range"}`,
		`{"client_count":14.0,"reflection_items_last_12m":2.50}`: `{"field":"reflection_items_last_12m","reason":"must be an integer, not 2.50"}`,
		`{"client_count":99999999999999999999}`:                  `{"field":"client_count","reason":"99999999999999999999 is out of range"}`,
		`{"client_hours":1e400}`:                                 `{"field":"client_hours","reason":"1e400 is out of range"}`,
		`{"client_count":"14"}`:                                  `{"field":"client_count","reason":"must be an integer, not string"}`,
		`{"client_hours":"140"}`:                                 `{"field":"client_hours","reason":"must be a number, not string"}`,
	} {
		if status, got := raw(t, "PUT", tm.in.URL+"/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, "application/json", strings.NewReader(body)); status != 400 || !strings.Contains(got, want) {
			t.Errorf("portfolio %s: %d %s; want a 400 with %s", body, status, got, want)
		}
	}
}

// TestAnIntegerWrittenWithAFractionIsAnInteger: JSON Schema's integer is
// any number without a fraction, so 14.0, 6e0 and 0.05e2 are taken where
// an integer is wanted, as 14, 6 and 5, in a list's item too; a string
// that reads 1.0 stays as it was written.
func TestAnIntegerWrittenWithAFractionIsAnInteger(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	path := tm.in.URL + "/api/v1/cases/" + id
	portfolio := `{"first_practice_date":"2021-01-15","client_hours":140.0,"client_count":14.0,"cpd_hours_last_year":20,"supervision_hours_last_year":6,` +
		`"supervision_hours_by_quarter":[2,1,2,1],"feedback_items_last_12m":6e0,"reflection_items_last_12m":0.05e2,"professional_body_member":true}`
	if status, got := raw(t, "PUT", path+"/portfolio", tm.applicant.Token, "application/json", strings.NewReader(portfolio)); status != 200 {
		t.Fatalf("a portfolio with 14.0, 6e0 and 0.05e2: %d %s; want 200", status, got)
	}
	self := `{"categories":[{"category":3.0,"statement":"Rated 1.0, then 2e0"}]}`
	if status, got := raw(t, "PUT", path+"/self-assessment", tm.applicant.Token, "application/json", strings.NewReader(self)); status != 200 {
		t.Fatalf("a self-assessment of category 3.0: %d %s; want 200", status, got)
	}
	c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)
	p := c["portfolio"].(map[string]any)
	if got := fmt.Sprint(p["client_count"], p["feedback_items_last_12m"], p["reflection_items_last_12m"]); got != "14 6 5" {
		t.Errorf("client_count, feedback and reflection items read back: got %s, want 14 6 5", got)
	}
	var statement any
	for _, s := range c["self_assessment"].([]any) {
		if s := s.(map[string]any); s["category"] == float64(3) {
			statement = s["statement"]
		}
	}
	if statement != "Rated 1.0, then 2e0" {
		t.Errorf("category 3's statement: got %v, want the text as written", statement)
	}
}

// TestAnUnknownFieldIsNamedWhereItIs: a field the document does not have
// inside a list's item is named with its place, as the domain names the
// fields it refuses (categories[1].statement), not by its last name alone.
func TestAnUnknownFieldIsNamedWhereItIs(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	for path, tc := range map[string]struct{ body, field string }{
		"/portfolio":       {`{"client_hours":140,"curriculum":[{"category":1,"description":"x","modules":2}]}`, "curriculum[0].modules"},
		"/self-assessment": {`{"categories":[{"category":3,"statement":"x"},{"category":4,"statment":"y"}]}`, "categories[1].statment"},
		"/portfolio?":      {`{"clinet_hours":140}`, "clinet_hours"},
	} {
		status, got := raw(t, "PUT", tm.in.URL+"/api/v1/cases/"+id+strings.TrimSuffix(path, "?"), tm.applicant.Token, "application/json", strings.NewReader(tc.body))
		if want := `{"field":"` + tc.field + `","reason":"unknown field"}`; status != 400 || !strings.Contains(got, want) {
			t.Errorf("%s %s: %d %s; want a 400 with %s", path, tc.body, status, got, want)
		}
	}
}

// TestAWrongTypeIsNamedWhereItIs: a value of the wrong type in a list is
// named with its place (categories[1].category), where encoding/json says
// categories.category, as if every item were wrong.
func TestAWrongTypeIsNamedWhereItIs(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	for path, tc := range map[string]struct{ body, want string }{
		"/self-assessment": {`{"categories":[{"category":3,"statement":"x"},{"category":"4","statement":"y"}]}`,
			`{"field":"categories[1].category","reason":"must be an integer, not string"}`},
		"/portfolio": {`{"client_hours":140,"supervision_hours_by_quarter":[2,1,"2",1]}`,
			`{"field":"supervision_hours_by_quarter[2]","reason":"must be a number, not string"}`},
		"/portfolio?": {`{"client_hours":"140"}`, `{"field":"client_hours","reason":"must be a number, not string"}`},
	} {
		status, got := raw(t, "PUT", tm.in.URL+"/api/v1/cases/"+id+strings.TrimSuffix(path, "?"), tm.applicant.Token, "application/json", strings.NewReader(tc.body))
		if status != 400 || !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: %d %s; want a 400 with %s", path, tc.body, status, got, tc.want)
		}
	}
}

// TestANameGivenTwiceIsRefused: a JSON object that gives a name twice is a
// 400 naming it, not a body whose last value silently wins; the portfolio
// is left as it was.
func TestANameGivenTwiceIsRefused(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	before := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["portfolio"]
	for body, field := range map[string]string{
		`{"client_hours":140,"client_count":14,"client_hours":0}`:                                         "client_hours",
		`{"curriculum":[{"category":1,"description":"x"},{"category":2,"description":"y","category":3}]}`: "curriculum[1].category",
		`{"client_hours":140,"curriculum":[],"curriculum":[{"category":1,"description":"x"}]}`:            "curriculum",
	} {
		status, got := raw(t, "PUT", tm.in.URL+"/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, "application/json", strings.NewReader(body))
		if want := `{"field":"` + field + `","reason":"given twice`; status != 400 || !strings.Contains(got, want) {
			t.Errorf("portfolio %s: %d %s; want a 400 with %s", body, status, got, want)
		}
	}
	if after := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["portfolio"]; !reflect.DeepEqual(after, before) {
		t.Errorf("portfolio after the refusals: got %v, want %v", after, before)
	}
	for _, body := range []string{`null`, `"x"`, `5`, `[]`} { // no object: refused as before, not a panic
		if status, got := raw(t, "PUT", tm.in.URL+"/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, "application/json", strings.NewReader(body)); status != 400 {
			t.Errorf("portfolio %s: %d %s; want a 400", body, status, got)
		}
	}
}

// TestANameInAnotherCaseIsRefused: encoding/json matches a name to a field
// whatever its case, so "Client_Hours" beside client_hours was one field
// given twice, the last kept unsaid. A name not spelled as the document
// spells it is a 400 naming it, and the portfolio is left as it was; upper
// case in values is taken as ever.
func TestANameInAnotherCaseIsRefused(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	before := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["portfolio"]
	for body, field := range map[string]string{
		`{"client_hours":140,"Client_Hours":0}`:                   "Client_Hours",
		`{"CLIENT_COUNT":3}`:                                      "CLIENT_COUNT",
		`{"curriculum":[{"category":1,"Description":"x"}]}`:       "curriculum[0].Description",
		"{\"professional_body_member\":true,\"client_\u212a\":1}": "client_\u212a", // the Kelvin sign
	} {
		status, got := raw(t, "PUT", tm.in.URL+"/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, "application/json", strings.NewReader(body))
		if want := `{"field":"` + field + `","reason":"unknown field`; status != 400 || !strings.Contains(got, want) {
			t.Errorf("portfolio %s: %d %s; want a 400 with %s", body, status, got, want)
		}
	}
	if after := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["portfolio"]; !reflect.DeepEqual(after, before) {
		t.Errorf("portfolio after the refusals: got %v, want %v", after, before)
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", tm.applicant.Token,
		map[string]any{"categories": []map[string]any{{"category": 1, "statement": "I Coach Teams in Zürich."}}}), 200)
}

// TestEveryRefusalOfABodyNamesWhatWasWrong: a body refused as a whole (none,
// not JSON, data after the object, not UTF-8) names "(body)", as one of the
// wrong type does, and one of the wrong media type names Content-Type: the
// document promises a 400 naming the field for trailing data, and these
// problems had no errors at all.
func TestEveryRefusalOfABodyNamesWhatWasWrong(t *testing.T) {
	in := Start(t)
	tok := in.CreateUser(t, in.AdminToken(t), "applicant", "body@example.org", "Bo Dy").Token
	for _, tc := range []struct{ name, contentType, body, field string }{
		{"no body", "application/json", "", "(body)"},
		{"data after the object", "application/json", `{"scheme":"EIA","level":"practitioner","language":"en"} {}`, "(body)"},
		{"malformed", "application/json", `{"scheme":"EIA"]`, "(body)"},
		{"cut short", "application/json", `{"scheme":`, "(body)"},
		{"not UTF-8", "application/json", "{\"scheme\":\"\xff\"}", "(body)"},
		{"not JSON", "text/plain", `{}`, "Content-Type"},
		{"another charset", "application/json; charset=latin1", `{}`, "Content-Type"},
	} {
		r := in.Do(t, Request{Method: "POST", Path: "/api/v1/cases", Token: tok, RawBody: strings.NewReader(tc.body),
			Header: map[string]string{"Content-Type": tc.contentType}})
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s; want a 400 naming %s", tc.name, r.Status, r.Body, tc.field)
		}
	}
	up := in.Do(t, Request{Method: "POST", Path: "/api/v1/cases/01J00000000000000000000000/evidence", Token: tok, Body: map[string]any{}})
	if up.Status != 400 || !strings.Contains(string(up.Body), `"field":"Content-Type"`) {
		t.Errorf("evidence sent as JSON: %d %s; want a 400 naming Content-Type", up.Status, up.Body)
	}
}
