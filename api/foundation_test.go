package api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
)

func TestEveryRouteChecksTheCallersRole(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	applicant := in.CreateUser(t, admin, "applicant", "app@example.org", "Applicant One")
	assessor := in.CreateUser(t, admin, "assessor", "ass@example.org", "Assessor One")
	callers := []struct {
		role  domain.Role
		token func() string
	}{
		{"", func() string { return "" }},
		{domain.RoleApplicant, func() string { return applicant.Token }},
		{domain.RoleAssessor, func() string { return assessor.Token }},
		{domain.RoleOffice, func() string { return in.AdminToken(t) }},
	}
	for _, r := range in.App.API.Routes() {
		path := fillParams(r.Path)
		for _, c := range callers {
			name := r.Method + " " + r.Path + " as " + string(c.role)
			if c.role == "" {
				name = r.Method + " " + r.Path + " anonymous"
			}
			t.Run(name, func(t *testing.T) {
				tok := c.token()
				if r.Path == "/api/v1/auth/logout" && tok != "" {
					// logout revokes: use a token of its own
					tok = map[domain.Role]string{
						domain.RoleApplicant: in.Login(t, applicant.Email, applicant.Password),
						domain.RoleAssessor:  in.Login(t, assessor.Email, assessor.Password),
						domain.RoleOffice:    in.AdminToken(t),
					}[c.role]
				}
				req := Request{Method: r.Method, Path: path, Token: tok}
				if r.Method != http.MethodGet {
					req.Body = map[string]any{}
				}
				resp := in.Do(t, req)
				allowed := r.Public || containsRole(r.Roles, c.role)
				switch {
				case !r.Public && c.role == "":
					if resp.Status != http.StatusUnauthorized {
						t.Fatalf("got %d, want 401; %s", resp.Status, resp.Body)
					}
				case !allowed:
					if resp.Status != http.StatusForbidden {
						t.Fatalf("got %d, want 403; %s", resp.Status, resp.Body)
					}
				default:
					if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden || resp.Status >= 500 {
						t.Fatalf("allowed caller got %d; %s", resp.Status, resp.Body)
					}
				}
				if resp.Status >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("error without a problem document: %s %s", resp.Header.Get("Content-Type"), resp.Body)
				}
			})
		}
	}
}

func containsRole(rs []domain.Role, r domain.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// fillParams puts plausible values in a route's path parameters.
func fillParams(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			switch p {
			case ":number":
				parts[i] = "1"
			default:
				parts[i] = "01J00000000000000000000000"
			}
		}
	}
	return strings.Join(parts, "/")
}

func TestBadInputIsAClearProblemNeverA500(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	big := bytes.Repeat([]byte("x"), 2<<20)
	tests := []struct {
		name      string
		req       Request
		want      int
		wantField string
	}{
		{"malformed JSON", Request{Method: "POST", Path: "/api/v1/auth/register", Body: `{"email": "a@b.c",`}, 400, ""},
		{"not JSON at all", Request{Method: "POST", Path: "/api/v1/auth/login", Body: `email=a`}, 400, ""},
		{"empty body", Request{Method: "POST", Path: "/api/v1/auth/login", Body: ``}, 400, ""},
		{"unknown field", Request{Method: "POST", Path: "/api/v1/auth/register", Body: `{"email":"a@b.nl","password":"long enough pw","name":"A","admin":true}`}, 400, "admin"},
		{"wrong type", Request{Method: "POST", Path: "/api/v1/auth/login", Body: `{"email":"a@b.nl","password":12}`}, 400, "password"},
		{"trailing data", Request{Method: "POST", Path: "/api/v1/auth/login", Body: `{"email":"a@b.nl","password":"x"} {}`}, 400, ""},
		{"oversized body", Request{Method: "POST", Path: "/api/v1/auth/register", Body: append(append([]byte(`{"name":"`), big...), '"', '}')}, 413, ""},
		{"wrong content type", Request{Method: "POST", Path: "/api/v1/auth/login", RawBody: strings.NewReader(`{}`), Header: map[string]string{"Content-Type": "text/plain"}}, 400, ""},
		{"invalid email", Request{Method: "POST", Path: "/api/v1/auth/register", Body: `{"email":"nope","password":"long enough pw","name":"A"}`}, 400, "email"},
		{"short password", Request{Method: "POST", Path: "/api/v1/auth/register", Body: `{"email":"a@b.nl","password":"short","name":"A"}`}, 400, "password"},
		{"unknown role", Request{Method: "POST", Path: "/api/v1/users", Token: admin, Body: `{"email":"r@b.nl","password":"long enough pw","name":"A","role":"king"}`}, 400, "role"},
		{"unknown user id", Request{Method: "GET", Path: "/api/v1/users/01J00000000000000000000000", Token: admin}, 404, ""},
		{"users' cursor not a user id", Request{Method: "GET", Path: "/api/v1/users?limit=5&cursor=zzz", Token: admin}, 400, "cursor"},
		{"queue's assessor not a user id", Request{Method: "GET", Path: "/api/v1/queue?assessor_id=abc", Token: admin}, 400, "assessor_id"},
		{"queue's language not a language", Request{Method: "GET", Path: "/api/v1/queue?language=zz", Token: admin}, 400, "language"},
		{"decisions' assessor not a user id", Request{Method: "GET", Path: "/api/v1/decisions?assessor_id=abc", Token: admin}, 400, "assessor_id"},
		{"users' search cursor not a user id", Request{Method: "GET", Path: "/api/v1/users?q=ada&cursor=zzz", Token: admin}, 400, "cursor"},
		{"malformed user id", Request{Method: "GET", Path: "/api/v1/users/../../etc", Token: admin}, 404, ""},
		{"bad indicator number", Request{Method: "GET", Path: "/api/v1/framework/indicators/twelve"}, 400, "number"},
		{"unknown indicator", Request{Method: "GET", Path: "/api/v1/framework/indicators/999"}, 404, ""},
		{"unknown route", Request{Method: "GET", Path: "/api/v1/nothing-here"}, 404, ""},
		{"wrong method", Request{Method: "DELETE", Path: "/api/v1/framework"}, 405, ""},
		{"bad If-Match", Request{Method: "PUT", Path: "/api/v1/users/01J00000000000000000000000/assessor-profile", Token: admin, Body: `{}`, Header: map[string]string{"If-Match": "abc"}}, 400, "If-Match"},
		{"garbage token", Request{Method: "GET", Path: "/api/v1/me", Token: "garbage"}, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := in.Do(t, tc.req)
			if r.Status != tc.want {
				t.Fatalf("status: got %d, want %d; %s", r.Status, tc.want, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type: got %q, want application/problem+json", ct)
			}
			p := r.Map(t)
			for _, k := range []string{"type", "title", "status", "detail"} {
				if _, ok := p[k]; !ok {
					t.Fatalf("problem lacks %q: %s", k, r.Body)
				}
			}
			if tc.wantField != "" && !strings.Contains(string(r.Body), `"field":"`+tc.wantField+`"`) {
				t.Fatalf("problem does not name field %q: %s", tc.wantField, r.Body)
			}
			if strings.Contains(string(r.Body), "goroutine") || strings.Contains(string(r.Body), ".go:") {
				t.Fatalf("problem leaks internals: %s", r.Body)
			}
		})
	}
}

func TestRegisterLoginMeLogout(t *testing.T) {
	in := Start(t)
	r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "Coach@Example.org", "password": "a long password", "name": "Carla Coach"}), 201)
	if m := r.Map(t); m["role"] != "applicant" || m["email"] != "Coach@Example.org" {
		t.Fatalf("register: got %v, want an applicant", m)
	}
	tok := in.Login(t, "coach@example.org", "a long password") // emails are case-insensitive
	me := Expect(t, in.Get(t, "/api/v1/me", tok), 200).Map(t)
	if me["name"] != "Carla Coach" || me["role"] != "applicant" {
		t.Fatalf("me: got %v", me)
	}
	Expect(t, in.Post(t, "/api/v1/auth/logout", tok, nil), 204)
	Expect(t, in.Get(t, "/api/v1/me", tok), 401)
}

// TestTheBearerSchemeIsCaseInsensitive: an authentication scheme's name is
// case-insensitive (RFC 9110 11.1, RFC 6750 2.1), and clients that send
// "bearer" or "BEARER" are common; they were told to log in first.
func TestTheBearerSchemeIsCaseInsensitive(t *testing.T) {
	in := Start(t)
	tok := in.AdminToken(t)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		r := in.Do(t, Request{Method: "GET", Path: "/api/v1/me", Header: map[string]string{"Authorization": scheme + " " + tok}})
		if r.Status != http.StatusOK {
			t.Errorf("Authorization: %s <token>: got %d, want 200; %s", scheme, r.Status, r.Body)
		}
	}
	if r := in.Do(t, Request{Method: "GET", Path: "/api/v1/me", Header: map[string]string{"Authorization": "Basic " + tok}}); r.Status != http.StatusUnauthorized {
		t.Errorf("Authorization: Basic <token>: got %d, want 401; %s", r.Status, r.Body)
	}
}

func TestEmailsAreUniqueCaseInsensitive(t *testing.T) {
	in := Start(t)
	Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "same@example.org", "password": "a long password", "name": "A"}), 201)
	r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "SAME@example.org", "password": "a long password", "name": "B"}), 409)
	if !strings.Contains(string(r.Body), `"field":"email"`) {
		t.Fatalf("conflict does not name the email: %s", r.Body)
	}
}

func TestConcurrentRegistrationsOfOneEmailCreateOneUser(t *testing.T) {
	in := Start(t)
	codes := make(chan int, 8)
	for range 8 {
		go func() {
			codes <- in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "race@example.org", "password": "a long password", "name": "R"}).Status
		}()
	}
	created := 0
	for range 8 {
		switch c := <-codes; c {
		case 201:
			created++
		case 409:
		default:
			t.Fatalf("got status %d, want 201 or 409", c)
		}
	}
	if created != 1 {
		t.Fatalf("created %d users for one email, want 1", created)
	}
}

func TestRepeatedFailedLoginsAreSlowedDown(t *testing.T) {
	// The clock stands still: the first delay is a second, which slow
	// logins on a busy machine can outlast.
	in := StartWith(t, Config(t.TempDir()), app.Options{Now: NewClock(time.Now()).Now})
	bad := map[string]string{"email": AdminEmail, "password": "wrong password!"}
	for i := range 5 {
		Expect(t, in.Post(t, "/api/v1/auth/login", "", bad), 401)
		_ = i
	}
	r := Expect(t, in.Post(t, "/api/v1/auth/login", "", bad), 429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Even the right password waits out the delay.
	Expect(t, in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": AdminEmail, "password": AdminPassword}), 429)
}

func TestOfficeOnlyUserManagement(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	a := in.CreateUser(t, admin, "assessor", "assessor@example.org", "Ada Assessor")
	app := in.CreateUser(t, admin, "applicant", "applicant@example.org", "Pia Applicant")
	body := map[string]any{"schemes": []string{"EIA"}, "max_level": "senior_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{app.ID}}
	p := Expect(t, in.Put(t, "/api/v1/users/"+a.ID+"/assessor-profile", admin, body), 200).Map(t)
	prof := p["assessor_profile"].(map[string]any)
	if prof["max_level"] != "senior_practitioner" || len(prof["conflicts"].([]any)) != 1 {
		t.Fatalf("profile: got %v", prof)
	}
	// A profile only for assessors, with valid values.
	Expect(t, in.Put(t, "/api/v1/users/"+app.ID+"/assessor-profile", admin, body), 422)
	// Nor in conflict with themself.
	body["conflicts"] = []string{app.ID, a.ID}
	wantField(t, in.Put(t, "/api/v1/users/"+a.ID+"/assessor-profile", admin, body), "conflicts", "the assessor themself")
	body["conflicts"] = []string{app.ID}
	body["max_level"] = "grandmaster"
	Expect(t, in.Put(t, "/api/v1/users/"+a.ID+"/assessor-profile", admin, body), 400)
	// Disabled users cannot log in, and their tokens stop working.
	Expect(t, in.Post(t, "/api/v1/users/"+app.ID+"/disable", admin, map[string]string{"reason": "left"}), 200)
	Expect(t, in.Get(t, "/api/v1/me", app.Token), 401)
	Expect(t, in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": app.Email, "password": app.Password}), 401)
	users := Expect(t, in.Get(t, "/api/v1/users?role=assessor", admin), 200).Map(t)["users"].([]any)
	if len(users) != 1 {
		t.Fatalf("assessors: got %d, want 1", len(users))
	}
}

// TestLanguagesAreAssignedCodes: a case opened in "xx" would wait for an
// assessor nobody can be, and an assessor's "zz" matches no case: both are
// refused as a field error, while a code ISO 639-1 assigns is taken.
func TestLanguagesAreAssignedCodes(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	app := in.CreateUser(t, admin, "applicant", "lang-app@example.org", "Lea Applicant")
	a := in.CreateUser(t, admin, "assessor", "lang-assessor@example.org", "Lars Assessor")
	for lang, want := range map[string]int{"xx": 400, "zz": 400, "nl": 201} {
		r := Expect(t, in.Post(t, "/api/v1/cases", app.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": lang}), want)
		if want == 400 && !strings.Contains(string(r.Body), `"field":"language"`) {
			t.Errorf("case in %q: the problem does not name the language: %s", lang, r.Body)
		}
	}
	profile := func(langs ...string) map[string]any {
		return map[string]any{"schemes": []string{"EIA"}, "max_level": "practitioner", "languages": langs, "conflicts": []string{}}
	}
	r := Expect(t, in.Put(t, "/api/v1/users/"+a.ID+"/assessor-profile", admin, profile("en", "zz")), 400)
	if !strings.Contains(string(r.Body), `"field":"languages","reason":"\"zz\" is not a two-letter language code"`) {
		t.Errorf("profile in zz: %s", r.Body)
	}
	Expect(t, in.Put(t, "/api/v1/users/"+a.ID+"/assessor-profile", admin, profile("en", "de")), 200)
}

func TestFirstStartCreatesAnAdminWithARandomPassword(t *testing.T) {
	dir := t.TempDir()
	cfg := Config(dir)
	cfg.AdminEmail, cfg.AdminPassword = "", ""
	var out bytes.Buffer
	in := StartWith(t, cfg, app.Options{AdminPasswordOut: &out})
	path := filepath.Join(dir, "admin-password")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("admin password file: %v, mode %v, want 0600", err, st.Mode().Perm())
	}
	pw, _ := os.ReadFile(path)
	if strings.TrimSpace(string(pw)) != strings.TrimSpace(out.String()) || len(strings.TrimSpace(string(pw))) < 20 {
		t.Fatalf("generated password: file %q, printed %q", pw, out.String())
	}
	if strings.Contains(in.Log.String(), strings.TrimSpace(string(pw))) {
		t.Fatal("the generated password is in the structured log")
	}
	in.Login(t, "admin@localhost", strings.TrimSpace(string(pw)))
	// A restart creates no second admin.
	in.Restart(t)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	users := Expect(t, in.Get(t, "/api/v1/users?role=office", in.Login(t, "admin@localhost", strings.TrimSpace(string(pw)))), 200).Map(t)["users"].([]any)
	if len(users) != 1 {
		t.Fatalf("office users after restart: got %d, want 1", len(users))
	}
}

func TestHealthReadyAndRestartKeepsAccounts(t *testing.T) {
	in := Start(t)
	Expect(t, in.Get(t, "/healthz", ""), 200)
	ready := Expect(t, in.Get(t, "/readyz", ""), 200).Map(t)
	if ready["ready"] != true || ready["jetstream"] != "ok" {
		t.Fatalf("readyz: got %v", ready)
	}
	Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "keep@example.org", "password": "a long password", "name": "Kept"}), 201)
	in.Restart(t)
	tok := in.Login(t, "keep@example.org", "a long password")
	if me := Expect(t, in.Get(t, "/api/v1/me", tok), 200).Map(t); me["name"] != "Kept" {
		t.Fatalf("after restart: got %v", me)
	}
}

func TestSecondServerOnTheSameDataDirFailsClearly(t *testing.T) {
	in := Start(t)
	cfg := in.Cfg
	_, err := app.Start(context.Background(), cfg, app.Options{})
	if err == nil || !strings.Contains(err.Error(), "in use by another accreditd") {
		t.Fatalf("second start: got %v, want a clear lock error", err)
	}
}

func TestChangePassword(t *testing.T) {
	in := Start(t)
	Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "pw@example.org", "password": "the first password", "name": "P W"}), 201)
	tok := in.Login(t, "pw@example.org", "the first password")
	r := Expect(t, in.Post(t, "/api/v1/me/password", tok, map[string]string{"current_password": "not it at all", "new_password": "the second password"}), 401)
	if !strings.Contains(string(r.Body), `"field":"current_password"`) {
		t.Fatalf("wrong current password: %s", r.Body)
	}
	Expect(t, in.Post(t, "/api/v1/me/password", tok, map[string]string{"current_password": "the first password", "new_password": "short"}), 400)
	Expect(t, in.Post(t, "/api/v1/me/password", tok, map[string]string{"current_password": "the first password", "new_password": "the second password"}), 204)
	Expect(t, in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": "pw@example.org", "password": "the first password"}), 401)
	in.Login(t, "pw@example.org", "the second password")
	Expect(t, in.Post(t, "/api/v1/me/password", "", map[string]string{"current_password": "x", "new_password": "y"}), 401)
}
