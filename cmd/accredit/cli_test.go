package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/api/openapi/openapitest"
	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
)

// TestMain checks the API traffic of these tests against the OpenAPI
// contract too: what the CLI sends (through cmd's client, see harness) and
// what the tests set up through apptest.
func TestMain(m *testing.M) {
	contract, err := openapitest.Default()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	apptest.Validate = func(tb testing.TB, req *http.Request, body []byte, resp apptest.Response) {
		tb.Helper()
		if err := contract.Check(req, body, resp.Status, resp.Header, resp.Body); err != nil {
			tb.Errorf("contract: %v", err)
		}
	}
	os.Exit(m.Run())
}

// harness runs the CLI against a real accreditd with its own config file.
type harness struct {
	t   *testing.T
	in  *apptest.Instance
	env map[string]string
	// typed, when set, makes standard input a terminal on which typed is
	// what the user types unseen (the prompts read without echo).
	typed string
}

func newHarness(t *testing.T) *harness { return harnessOn(t, apptest.Start(t)) }

// harnessOn runs the CLI against in.
func harnessOn(t *testing.T, in *apptest.Instance) *harness {
	t.Helper()
	return &harness{t: t, in: in, env: map[string]string{
		"ACCREDIT_URL": in.URL, "XDG_CONFIG_HOME": t.TempDir(), "HOME": t.TempDir(),
	}}
}

// caughtUp waits until in's read side has applied every commit stored
// now, as a client does with min_seq (here the store's last seq): commands
// sent through the test client (apptest) do not wait for it, and on a busy
// machine a list read right after them could miss them. With office, the
// search index too (the office's list of cases, GET /api/v1/cases).
func caughtUp(t *testing.T, in *apptest.Instance, office string) {
	t.Helper()
	last, err := in.App.Events.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reads := []struct{ path, token string }{{fmt.Sprintf("/api/v1/register?limit=1&min_seq=%d", last), ""}}
	if office != "" {
		reads = append(reads, struct{ path, token string }{fmt.Sprintf("/api/v1/cases?limit=1&min_seq=%d", last), office})
	}
	for _, r := range reads {
		apptest.Expect(t, apptest.Retry(t, func(map[string]string) apptest.Response { return in.Get(t, r.path, r.token) }), 200)
	}
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs accredit with args; stdin is its standard input. Every API
// exchange is checked against the OpenAPI contract.
func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	contract := openapitest.MustDefault(h.t)
	var out, errOut bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return h.env[k] },
		http: &http.Client{Transport: contract.Transport(nil, func(err error) {
			h.t.Errorf("contract (accredit %s): %v", strings.Join(args, " "), err)
		})}}
	if h.typed != "" {
		c.terminal = func() bool { return true }
		c.readPassword = func() ([]byte, error) { return []byte(h.typed), nil }
	}
	code := c.run(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// must runs accredit and fails unless it exits with want.
func (h *harness) must(want int, stdin string, args ...string) result {
	h.t.Helper()
	r := h.run(stdin, args...)
	if r.code != want {
		h.t.Fatalf("accredit %s: want exit %d, got %s", strings.Join(args, " "), want, r)
	}
	return r
}

func (h *harness) loginAdmin() {
	h.t.Helper()
	h.must(0, apptest.AdminPassword+"\n", "login", "--email", apptest.AdminEmail, "--password-stdin")
}

func contains(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

func TestUsageAndHelp(t *testing.T) {
	h := &harness{t: t, env: map[string]string{"HOME": t.TempDir()}}
	r := h.must(0, "", "--help")
	contains(t, "--help", r.stdout, "users add", "audit export", "backup", "Exit codes:", "3  unauthorized", "--output")
	contains(t, "users add --help", h.must(0, "", "users", "add", "--help").stdout, "--email", "--role", "POST /api/v1/users", "Exit codes:")
	contains(t, "help cases", h.must(0, "", "help", "cases").stdout, "list", "show", "history")
	// The office's disabling and enabling are mailed to the user, not the reason.
	contains(t, "users disable --help", h.must(0, "", "users", "disable", "--help").stdout, "told by email", "the reason stays out of it", "--reason")
	contains(t, "users enable --help", h.must(0, "", "users", "enable", "--help").stdout, "told by email", "the reason stays out of it")
	contains(t, "restore --help", h.must(0, "", "restore", "--help").stdout, "master key", "--nats-url", "--data-dir", "gzip")
	// A flag whose usage tells its default is not followed by a contrary
	// "(default 0)", its zero value.
	for _, cmd := range [][]string{{"seed", "--help"}, {"cases", "list", "--help"}} {
		for _, line := range strings.Split(h.must(0, "", cmd...).stdout, "\n") {
			if usage, ok := strings.CutSuffix(line, "(default 0)"); ok && strings.Contains(usage, "default") {
				t.Errorf("%v: a usage that tells its default ends with (default 0): %s", cmd, line)
			}
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown subcommand", []string{"users", "frob"}, `unknown command "frob"`},
		{"group without subcommand", []string{"users"}, "a subcommand is needed"},
		{"unknown flag", []string{"users", "list", "--colour"}, "flag provided but not defined: -colour"},
		{"bad output", []string{"users", "list", "-o", "yaml"}, "--output must be text or json"},
		{"missing argument", []string{"cases", "show"}, "missing CASE-ID"},
		{"extra argument", []string{"users", "list", "extra"}, `unexpected argument "extra"`},
		{"missing flags", []string{"users", "add", "--email", "a@b.c"}, "missing --name, --role"},
		{"bad export format", []string{"audit", "export", "--format", "xml"}, "--format must be csv or ndjson"},
		{"backup without NATS", []string{"backup"}, "missing --nats-url"},
		{"bad URL", []string{"register", "search", "--url", "ftp://x"}, "not an http(s) URL"},
		{"negative retries", []string{"users", "list", "--retries", "-1"}, "--retries must be 0 or more, not -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.run("", tc.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want exit 2 with %q, got %s", tc.want, r)
			}
			if strings.Contains(r.stderr, "accredit: accredit") {
				t.Fatalf("the program named twice: %s", r)
			}
		})
	}
	if r := h.must(0, "", "version", "-o", "json"); !strings.Contains(r.stdout, `"version"`) {
		t.Fatalf("version: %s", r)
	}
}

func TestLoginSavesTheTokenForTheOtherCommands(t *testing.T) {
	h := newHarness(t)
	// Not logged in: exit 3, saying how to log in.
	contains(t, "not logged in", h.must(exitUnauthorized, "", "users", "list").stderr, "accredit login")
	// A wrong password: 401, exit 3, the problem's detail shown.
	r := h.must(exitUnauthorized, "wrong password here\n", "login", "--email", apptest.AdminEmail, "--password-stdin")
	contains(t, "wrong login", r.stderr, "401", "POST /api/v1/auth/login")
	// Asked on standard input (not a terminal): email, then password.
	r = h.must(0, apptest.AdminEmail+"\n"+apptest.AdminPassword+"\n", "login")
	contains(t, "login", r.stdout, "Logged in to "+h.in.URL, "as "+apptest.AdminEmail+" (office)")
	path := filepath.Join(h.env["XDG_CONFIG_HOME"], "accredit", "config.json")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v, mode %v, want 0600", err, st.Mode().Perm())
	}
	var cf config
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &cf); err != nil || cf.Token == "" || cf.URL != h.in.URL {
		t.Fatalf("config: %s, %v", b, err)
	}
	// The URL and token now come from the config file.
	delete(h.env, "ACCREDIT_URL")
	contains(t, "users list", h.must(0, "", "users", "list").stdout, "EMAIL", apptest.AdminEmail, "office", "active")
	// A token for another server is not sent there.
	r = h.must(exitUnauthorized, "", "users", "list", "--url", "http://127.0.0.1:1")
	contains(t, "other server", r.stderr, "not logged in to http://127.0.0.1:1")
	// ACCREDIT_TOKEN and --token win over the saved token.
	h.env["ACCREDIT_TOKEN"] = "garbage"
	contains(t, "bad env token", h.must(exitUnauthorized, "", "users", "list").stderr, "401")
	h.must(0, "", "users", "list", "--token", cf.Token)
	delete(h.env, "ACCREDIT_TOKEN")
	// --config elsewhere, --no-save with the token in JSON.
	other := filepath.Join(t.TempDir(), "c.json")
	h.env["ACCREDIT_URL"] = h.in.URL
	r = h.must(0, apptest.AdminPassword+"\n", "login", "--config", other, "--email", apptest.AdminEmail, "--password-stdin", "--no-save", "-o", "json")
	var l struct{ Token string }
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil || l.Token == "" {
		t.Fatalf("login -o json: %s", r)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatalf("--no-save wrote %s", other)
	}
	// Logout ends the session and forgets the token.
	h.must(0, "", "logout")
	contains(t, "after logout", h.must(exitUnauthorized, "", "users", "list").stderr, "not logged in")
	h.must(exitUnauthorized, "", "users", "list", "--token", cf.Token)
}

// TestLoginAsJSONPrintsTheTokenOnlyWhenNotSaved: accredit login -o json
// that saves the token prints the answer without it (stdout ends up in
// logs and CI output; the token is in the 0600 file), naming the file;
// with --no-save the token is the point of the output.
func TestLoginAsJSONPrintsTheTokenOnlyWhenNotSaved(t *testing.T) {
	h := newHarness(t)
	r := h.must(0, apptest.AdminPassword+"\n", "login", "--email", apptest.AdminEmail, "--password-stdin", "-o", "json")
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("login -o json: %v\n%s", err, r)
	}
	path := filepath.Join(h.env["XDG_CONFIG_HOME"], "accredit", "config.json")
	var cf config
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &cf); err != nil || cf.Token == "" {
		t.Fatalf("config after login -o json: %s, %v", b, err)
	}
	if _, ok := out["token"]; ok || strings.Contains(r.stdout, cf.Token) {
		t.Fatalf("login -o json printed the saved token on stdout:\n%s", r.stdout)
	}
	if _, ok := out["device"]; ok || cf.Device == "" || strings.Contains(r.stdout, cf.Device) {
		t.Fatalf("login -o json: want the device token saved (got %q) and not printed:\n%s", cf.Device, r.stdout)
	}
	if out["saved_to"] != path || out["user"] == nil || out["expires_at"] == nil {
		t.Fatalf("login -o json: got %s, want the user, expires_at and saved_to %s", r.stdout, path)
	}
	r = h.must(0, apptest.AdminPassword+"\n", "login", "--config", filepath.Join(t.TempDir(), "c.json"), "--email", apptest.AdminEmail, "--password-stdin", "--no-save", "-o", "json")
	out = nil
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out["token"] == nil || out["token"] == "" {
		t.Fatalf("login --no-save -o json: want the token, got %s", r)
	}
}

// TestAConfigFileOthersCanReadIsWarnedOf: a config file holding a token
// that anyone on the machine can read is used, with a warning on stderr
// naming the file, its mode and the fix (as ssh does of a key file); the
// file login writes (0600), or a token not from the file, gets none.
func TestAConfigFileOthersCanReadIsWarnedOf(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix mode bits")
	}
	h := newHarness(t)
	h.loginAdmin()
	path := filepath.Join(h.env["XDG_CONFIG_HOME"], "accredit", "config.json")
	if r := h.must(0, "", "users", "list"); strings.Contains(r.stderr, "WARNING") {
		t.Fatalf("a 0600 config file is warned of:\n%s", r)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o606} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		r := h.must(0, "", "users", "list")
		contains(t, fmt.Sprintf("mode %04o", mode), r.stderr, "WARNING", path, "readable by others", fmt.Sprintf("%04o", mode), "chmod 600")
	}
	// A token given otherwise does not come from the file.
	var cf config
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &cf); err != nil {
		t.Fatal(err)
	}
	if r := h.must(0, "", "users", "list", "--token", cf.Token); strings.Contains(r.stderr, "WARNING") {
		t.Fatalf("a --token run is warned of the config file:\n%s", r)
	}
}

func TestUsersAndAssessorProfiles(t *testing.T) {
	h := newHarness(t)
	h.loginAdmin()
	r := h.must(0, "", "users", "add", "--email", "ada@example.org", "--name", "Ada Assessor", "--role", "assessor")
	contains(t, "users add", r.stdout, "Created assessor", "Password (shown once")
	password := strings.TrimSpace(r.stdout[strings.LastIndex(r.stdout, ":")+1:])
	id := strings.Fields(r.stdout)[2]
	// The user can log in with the generated password.
	other := filepath.Join(t.TempDir(), "ada.json")
	h.must(0, password+"\n", "login", "--config", other, "--email", "ada@example.org", "--password-stdin")
	// JSON for scripts; the password from standard input.
	r = h.must(0, "a long password for pia\n", "users", "add", "--email", "pia@example.org", "--name", "Pia Applicant", "--role", "applicant", "--password-stdin", "-o", "json")
	var pia map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &pia); err != nil || pia["role"] != "applicant" || pia["generated_password"] != nil {
		t.Fatalf("users add -o json: %s", r)
	}
	// What the API refuses is shown with the fields: exit 1.
	r = h.must(exitFailed, "", "users", "add", "--email", "ADA@example.org", "--name", "Again", "--role", "assessor")
	contains(t, "duplicate", r.stderr, "409", "email: already registered", "request id")
	r = h.must(exitFailed, "", "users", "add", "--email", "k@example.org", "--name", "K", "--role", "king")
	contains(t, "bad role", r.stderr, "400", "role: ")
	// -o json errors are the problem document itself, on stderr.
	r = h.must(exitFailed, "", "users", "add", "--email", "k@example.org", "--name", "K", "--role", "king", "-o", "json")
	var p map[string]any
	if err := json.Unmarshal([]byte(r.stderr), &p); err != nil || p["status"] != float64(400) {
		t.Fatalf("problem as JSON: %s", r)
	}

	contains(t, "users list --role", h.must(0, "", "users", "list", "--role", "assessor").stdout, "ada@example.org", "Ada Assessor")
	if strings.Contains(h.must(0, "", "users", "list", "--role", "assessor").stdout, "pia@") {
		t.Fatal("users list --role assessor lists an applicant")
	}
	contains(t, "users show", h.must(0, "", "users", "show", id).stdout, "ada@example.org", "assessor", "active")
	contains(t, "users show unknown", h.must(exitFailed, "", "users", "show", "01J00000000000000000000000").stderr, "404", "no user")

	r = h.must(0, "", "assessors", "set-profile", id, "--schemes", "EIA,EQA", "--max-level", "senior_practitioner", "--languages", "en, nl")
	contains(t, "set-profile", r.stdout, "EIA, EQA up to senior_practitioner in en, nl")
	// The conflicts stay unless --conflicts is given ("" clears them): the
	// schemes set again must not wipe the conflicts of interest.
	piaID := pia["id"].(string)
	r = h.must(0, "", "assessors", "set-profile", id, "--schemes", "EIA", "--max-level", "senior_practitioner", "--languages", "en", "--conflicts", piaID)
	contains(t, "set-profile with a conflict", r.stdout, "conflicts with "+piaID)
	r = h.must(0, "", "assessors", "set-profile", id, "--schemes", "EIA,EQA", "--max-level", "senior_practitioner", "--languages", "en, nl")
	contains(t, "set-profile without --conflicts", r.stdout, "EIA, EQA up to senior_practitioner in en, nl", "conflicts with "+piaID)
	r = h.must(0, "", "assessors", "set-profile", id, "--schemes", "EIA,EQA", "--max-level", "senior_practitioner", "--languages", "en, nl", "--conflicts", "")
	if strings.Contains(r.stdout, "conflicts with") {
		t.Fatalf(`set-profile --conflicts "" kept the conflicts: %s`, r.stdout)
	}
	r = h.must(exitFailed, "", "assessors", "set-profile", id, "--schemes", "EIA", "--max-level", "grandmaster", "--languages", "en")
	contains(t, "bad level", r.stderr, "400", "max_level:")
	r = h.must(exitFailed, "", "assessors", "set-profile", pia["id"].(string), "--schemes", "EIA", "--max-level", "foundation", "--languages", "en")
	contains(t, "not an assessor", r.stderr, "422")
	h.must(exitUsage, "", "assessors", "set-profile", id, "--schemes", "EIA")

	// Only the office manages users: exit 4 for an assessor.
	r = h.must(exitForbidden, "", "users", "list", "--config", other)
	contains(t, "forbidden", r.stderr, "403", "office")

	h.must(exitUsage, "", "users", "disable", id)
	contains(t, "disable", h.must(0, "", "users", "disable", id, "--reason", "left EMCC").stdout, "Disabled "+id)
	h.must(exitUnauthorized, password+"\n", "login", "--config", other, "--email", "ada@example.org", "--password-stdin")
	contains(t, "disabled", h.must(0, "", "users", "show", id, "-o", "json").stdout, `"disabled": true`)
	// Undone: enabled again, with a reason; the old password works.
	h.must(exitUsage, "", "users", "enable", id)
	contains(t, "enable", h.must(0, "", "users", "enable", id, "--reason", "back at EMCC").stdout, "Enabled "+id)
	h.must(0, password+"\n", "login", "--config", other, "--email", "ada@example.org", "--password-stdin")
	if out := h.must(0, "", "users", "show", id, "-o", "json").stdout; strings.Contains(out, `"disabled": true`) {
		t.Fatalf("enabled, still disabled:\n%s", out)
	}
}

// team sets up an applicant's case through the API.
type team struct {
	in                  *apptest.Instance
	admin               string
	applicant, assessor apptest.User
	verifier            apptest.User
}

var pdf = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func newTeam(t *testing.T, in *apptest.Instance) *team {
	t.Helper()
	tm := &team{in: in, admin: in.AdminToken(t)}
	tm.applicant = in.CreateUser(t, tm.admin, "applicant", "carla@example.org", "Carla Coach")
	tm.assessor = in.CreateUser(t, tm.admin, "assessor", "anna@example.org", "Anna Assessor")
	tm.verifier = in.CreateUser(t, tm.admin, "assessor", "victor@example.org", "Victor Verifier")
	for _, u := range []apptest.User{tm.assessor, tm.verifier} {
		apptest.Expect(t, in.Put(t, "/api/v1/users/"+u.ID+"/assessor-profile", tm.admin, map[string]any{
			"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en"}, "conflicts": []string{}}), 200)
	}
	return tm
}

// declared is the body of a submission that confirms every declaration.
var declared = map[string]any{"declarations": []string{"code_of_ethics", "diversity"}}

// submitted opens an EIA case with evidence and submits it.
func (tm *team) submitted(t *testing.T) string {
	t.Helper()
	in := tm.in
	c := apptest.Expect(t, in.Post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)
	id := c["id"].(string)
	apptest.Expect(t, in.Put(t, "/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	apptest.Expect(t, in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1,2", "indicators": "31"}, "reflections.pdf", pdf, nil), 201)
	var cats []map[string]any
	for cat := 3; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("How I work on category %d", cat)})
	}
	apptest.Expect(t, in.Put(t, "/api/v1/cases/"+id+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 200)
	apptest.Expect(t, in.Post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared), 200)
	return id
}

// awarded takes a submitted case to an award; it returns the accreditation id.
func (tm *team) awarded(t *testing.T, id string) string {
	t.Helper()
	in := tm.in
	apptest.Expect(t, in.Post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}), 200)
	apptest.Expect(t, in.Post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.assessor.ID, "role": "assessor"}), 200)
	apptest.Expect(t, in.Post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}), 200)
	var ratings []map[string]any
	for cat := 1; cat <= 8; cat++ {
		ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced"})
	}
	for _, u := range []apptest.User{tm.assessor, tm.verifier} {
		apptest.Expect(t, in.Post(t, "/api/v1/cases/"+id+"/assessments", u.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Sound."}), 200)
	}
	d := apptest.Expect(t, in.Post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}), 200).Map(t)
	return d["accreditation"].(map[string]any)["id"].(string)
}

func TestCasesListShowHistory(t *testing.T) {
	h := newHarness(t)
	h.loginAdmin()
	tm := newTeam(t, h.in)
	id := tm.submitted(t)
	caughtUp(t, h.in, "") // the queue is a read model

	r := h.must(0, "", "cases", "list")
	contains(t, "cases list", r.stdout, "CASE", id, "EIA", "practitioner", "submitted", "1 case in progress")
	r = h.must(0, "", "cases", "list", "--state", "submitted", "--scheme", "EIA", "--overdue", "false", "-o", "json")
	var q struct {
		Cases []map[string]any `json:"cases"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &q); err != nil || len(q.Cases) != 1 || q.Cases[0]["case_id"] != id {
		t.Fatalf("cases list -o json: %s", r)
	}
	if r := h.must(0, "", "cases", "list", "--state", "awarded"); strings.Contains(r.stdout, id) {
		t.Fatalf("state filter: %s", r)
	}
	contains(t, "bad filter", h.must(exitFailed, "", "cases", "list", "--level", "grand").stderr, "400", "level: one of")

	r = h.must(0, "", "cases", "show", id)
	contains(t, "cases show", r.stdout, "case:", id, "state:", "submitted", "Reflections 2025", "reflections.pdf", "next step:", "the EMCC office screens")
	r = h.must(0, "", "cases", "show", id, "--min-seq", "1", "-o", "json")
	var c map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || c["id"] != id {
		t.Fatalf("cases show -o json: %s", r)
	}
	contains(t, "unknown case", h.must(exitFailed, "", "cases", "show", "01J00000000000000000000000").stderr, "404", "no case")

	r = h.must(0, "", "cases", "history", id)
	contains(t, "cases history", r.stdout, "VERSION", "case_opened", "evidence_added", "case_submitted", "applicant "+tm.applicant.ID)

	// An assessor sees the queue of what they may claim, after screening.
	submitted := time.Now().UTC()
	apptest.Expect(t, h.in.Post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}), 200)

	// The case as it stood before the screening (issue 17 item 1).
	r = h.must(0, "", "cases", "show", id, "--as-of", submitted.Format(time.RFC3339Nano))
	contains(t, "cases show --as-of", r.stdout, "as it stood at:", "state:", "submitted")
	if strings.Contains(r.stdout, "screening") {
		t.Fatalf("cases show --as-of before the screening shows it: %s", r)
	}
	r = h.must(0, "", "cases", "history", id, "--as-of", submitted.Format(time.RFC3339Nano))
	if strings.Contains(r.stdout, "case_screened") || !strings.Contains(r.stdout, "case_submitted") {
		t.Fatalf("cases history --as-of before the screening: %s", r)
	}
	contains(t, "as of a day before the case", h.must(exitFailed, "", "cases", "show", id, "--as-of", "2000-01-31").stderr, "404", "had not been opened at 2000-01-31T23:59:59Z")
	contains(t, "bad --as-of", h.must(exitUsage, "", "cases", "show", id, "--as-of", "yesterday").stderr, "--as-of must be")
	caughtUp(t, h.in, "") // the screening, in the assessor's queue
	r = h.must(0, "", "cases", "list", "--token", tm.assessor.Token)
	contains(t, "assessor queue", r.stdout, "Available to claim (1)", id, "may claim assessor or verifier", "Mine in progress (0)")
	// An applicant has no queue: 403, exit 4.
	h.must(exitForbidden, "", "cases", "list", "--token", tm.applicant.Token)
}

func TestAuditExportVerifyAndCheckpoint(t *testing.T) {
	h := newHarness(t)
	h.loginAdmin()
	tm := newTeam(t, h.in)
	id := tm.submitted(t)

	r := h.must(0, "", "audit", "export")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) < 10 || rows[0][0] != "seq" || rows[0][10] != "data" {
		t.Fatalf("audit export (CSV): %d rows, %v\n%s", len(rows), err, r)
	}
	contains(t, "export summary", r.stderr, fmt.Sprintf("exported %d events", len(rows)-1), "to standard output")

	progressEvery = time.Millisecond
	defer func() { progressEvery = 2 * time.Second }()
	out := filepath.Join(t.TempDir(), "audit.ndjson")
	r = h.must(0, "", "audit", "export", "--format", "ndjson", "--case", id, "--out", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev["case_id"] != id {
			t.Fatalf("ndjson line %q: %v", sc.Text(), err)
		}
		lines++
	}
	if lines < 5 {
		t.Fatalf("ndjson export of the case: %d lines", lines)
	}
	contains(t, "export summary", r.stderr, fmt.Sprintf("exported %d events", lines), "to "+out)
	r = h.must(0, "", "audit", "export", "--type", "accreditation.case_submitted", "--from", "2000-01-01", "--to", "2999-01-01", "--quiet")
	if n := strings.Count(r.stdout, "\n"); n != 2 || r.stderr != "" {
		t.Fatalf("export of one event type: %s", r)
	}
	contains(t, "bad from", h.must(exitFailed, "", "audit", "export", "--from", "yesterday").stderr, "400", "from: a date")
	h.must(exitForbidden, "", "audit", "export", "--token", tm.applicant.Token)

	contains(t, "audit checkpoint", h.must(0, "", "audit", "checkpoint").stdout, "Checkpoint at store position")
	r = h.must(0, "", "audit", "verify")
	contains(t, "audit verify", r.stdout, "The audit chain is intact", "1 signed checkpoints")
	r = h.must(0, "", "audit", "verify", "-o", "json")
	contains(t, "audit verify -o json", r.stdout, `"intact": true`)
}

func TestProjectionsRegisterAndMissingEndpoints(t *testing.T) {
	h := newHarness(t)
	h.loginAdmin()
	tm := newTeam(t, h.in)
	accID := tm.awarded(t, tm.submitted(t))

	r := h.must(0, "", "projections", "status")
	contains(t, "projections status", r.stdout, "READ MODEL", "POSITION", "LAG", "Event store at", "decode errors: 0")
	r = h.must(0, "", "projections", "rebuild")
	contains(t, "projections rebuild", r.stdout, "Rebuilt the read models: replayed")
	r = h.must(0, "", "projections", "status", "-o", "json")
	var st struct {
		ReadModels []struct{ Name string } `json:"read_models"`
		StoreSeq   uint64                  `json:"store_seq"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || len(st.ReadModels) < 4 || st.StoreSeq == 0 {
		t.Fatalf("projections status -o json: %s", r)
	}
	h.must(exitForbidden, "", "projections", "rebuild", "--token", tm.assessor.Token)

	// The register is public: no login needed.
	h.must(0, "", "logout")
	caughtUp(t, h.in, "") // the register is a read model
	r = h.must(0, "", "register", "search", "carla", "--scheme", "EIA", "--level", "practitioner")
	contains(t, "register search", r.stdout, accID, "Carla Coach", "practitioner", "active")
	r = h.must(0, "", "register", "search", "--limit", "1")
	contains(t, "register search --limit 1", r.stdout, accID, "Carla Coach")
	r = h.must(exitUsage, "", "register", "search", "--cursor", accID)
	contains(t, "register search --cursor without --limit", r.stderr, "--cursor needs --limit")
	if r := h.must(0, "", "register", "search", "--q", "nobody"); strings.Contains(r.stdout, accID) {
		t.Fatalf("register search for nobody: %s", r)
	}
	r = h.must(0, "", "register", "search", "-o", "json")
	contains(t, "register -o json", r.stdout, `"accreditations"`, accID)
	contains(t, "register verify", h.must(0, "", "register", "verify", accID).stdout, "VALID: EIA practitioner accreditation of Carla Coach")
	contains(t, "register verify unknown", h.must(exitFailed, "", "register", "verify", "nope").stderr, "404", "no accreditation nope")

	// An accreditd without an endpoint (here: wrong --url prefixes, one
	// answering a problem document, one a web page) is a 404: exit 1, saying so.
	for _, prefix := range []string{"/api/v0", "/old"} {
		r = h.must(exitFailed, "", "register", "search", "--url", h.in.URL+prefix)
		contains(t, "missing endpoint", r.stderr, "GET /api/v1/register: 404 Not Found", "this accreditd has no such endpoint")
		if strings.Contains(r.stderr, "<") {
			t.Fatalf("a web page in the message: %s", r)
		}
	}
	// Nobody there: exit 1.
	contains(t, "unreachable", h.must(exitFailed, "", "register", "search", "--url", "http://127.0.0.1:1").stderr, "cannot reach accreditd at http://127.0.0.1:1")
}

// TestAPasswordOnATerminalIsReadUnseen: --password-stdin on a terminal
// reads the password without echo (users add and login), as the login's
// prompt does, rather than as a line that shows what is typed.
func TestAPasswordOnATerminalIsReadUnseen(t *testing.T) {
	h := newHarness(t)
	h.loginAdmin()
	h.typed = "a password typed unseen"
	h.must(0, "", "users", "add", "--email", "tess@example.org", "--name", "Tess Terminal", "--role", "assessor", "--password-stdin")
	if r := h.must(0, "", "login", "--email", "tess@example.org", "--password-stdin", "--no-save"); !strings.Contains(r.stdout, "as tess@example.org (assessor)") {
		t.Fatalf("login with the password typed unseen: %s", r)
	}
}

// TestALoginSendsTheSavedDeviceToken: accredit login saves the login's
// device token and sends it with the next, so that wrong passwords from
// many addresses, which have the account's logins refused from anywhere
// new, do not stop the office's own command line.
func TestALoginSendsTheSavedDeviceToken(t *testing.T) {
	proxies, err := app.ParseCIDRs("127.0.0.0/8, ::1") // the API's tries below name their addresses
	if err != nil {
		t.Fatal(err)
	}
	cfg := apptest.Config(t.TempDir())
	cfg.TrustedProxies = proxies
	h := harnessOn(t, apptest.StartWith(t, cfg, app.Options{}))
	h.loginAdmin()
	for i := range accounts.AccountFailures {
		r := h.in.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body:   map[string]string{"email": apptest.AdminEmail, "password": "wrong password!"},
			Header: map[string]string{"X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i/(accounts.ClientFailures-1)+1)}})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d from many addresses: got %d, want 401", i+1, r.Status)
		}
	}
	h.must(0, apptest.AdminPassword+"\n", "login", "--email", apptest.AdminEmail, "--password-stdin")
	r := h.must(exitFailed, apptest.AdminPassword+"\n", "login", "--config", filepath.Join(t.TempDir(), "new.json"), "--email", apptest.AdminEmail, "--password-stdin")
	contains(t, "a login without the device token", r.stderr, "429")
}

// TestALoginSendsTheDeviceTokenOnlyToItsServer: the saved device token is
// the saved server's, as the saved token is (a token for another server is
// not sent there): a login to another URL (a staging server, a mistyped
// or a hostile one) does not send it there.
func TestALoginSendsTheDeviceTokenOnlyToItsServer(t *testing.T) {
	h := newHarness(t)
	h.loginAdmin()
	var cf config
	b, _ := os.ReadFile(filepath.Join(h.env["XDG_CONFIG_HOME"], "accredit", "config.json"))
	if err := json.Unmarshal(b, &cf); err != nil || cf.Device == "" {
		t.Fatalf("config after login: %s, %v", b, err)
	}
	var mu sync.Mutex
	var sent []string
	other := newFaultyProxy(t, h.in.URL, func(r *http.Request) bool { return r.URL.Path == "/api/v1/auth/login" },
		func(_ int, _ http.ResponseWriter, r *http.Request, _ http.Handler) bool {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			mu.Lock()
			defer mu.Unlock()
			sent = append(sent, string(body))
			return false
		})
	h.must(0, apptest.AdminPassword+"\n", "login", "--url", other.srv.URL, "--no-save", "--email", apptest.AdminEmail, "--password-stdin")
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 1 || strings.Contains(sent[0], cf.Device) {
		t.Fatalf("a login to another server sent %q, want one login without the device token of %s", sent, h.in.URL)
	}
}
