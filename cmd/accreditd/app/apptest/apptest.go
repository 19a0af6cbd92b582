// Package apptest starts accreditd for the API and web tests and gives
// them a small JSON client (Do, Get, Post, Put, Upload, Login, Expect).
// Every request and answer the api tests send through it is checked
// against the OpenAPI document (see Validate).
//
// There are two ways to start one:
//   - Start: the whole accreditd (embedded JetStream, a real HTTP listener
//     on 127.0.0.1:0, a temporary data directory), for end-to-end tests and
//     whatever needs JetStream: restarts, clusters, backups, store limits.
//   - StartInMemory: the same API and pages (routes, roles, problems) on
//     in-memory stores behind an httptest listener, for handler tests.
//     The stores are in Instance.Mem; each passes its port's conformance
//     suite, as the JetStream store does.
//
// A handler test, in api (or api/web), named TestInMemory... so that a
// change to a handler is checked with go test ./api -run TestInMemory:
//
//	func TestInMemoryOpeningACase(t *testing.T) {
//		in := apptest.StartInMemory(t)
//		admin := in.AdminToken(t)
//		carla := in.CreateUser(t, admin, "applicant", "carla@example.org", "Carla")
//		r := apptest.Expect(t, in.Post(t, "/api/v1/cases", carla.Token, body), 201)
//		evs, _ := in.Mem.Events.Load(ctx, accreditation.StreamPrefix+"."+id) // what was stored
//		...
//	}
//
// Passwords are hashed at accounts.TestingKDF (the cheapest Argon2id cost)
// so that making users does not dominate the tests; the production cost is
// proven in domain/accounts and by TestStoredPasswordsUseTheProductionKDF.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/domain/accounts"
)

// Admin credentials of every test instance.
const (
	AdminEmail    = "office@example.org"
	AdminPassword = "office-password-1"
)

// Instance is a running accreditd under test, or, from StartInMemory, its
// API and pages on in-memory stores.
type Instance struct {
	App *app.App // nil in memory
	Mem *Memory  // the stores in memory, nil on JetStream
	URL string
	Cfg app.Config
	Log *LockedBuffer
	opt app.Options
	t   testing.TB
}

// Config returns the test configuration for a data directory.
func Config(dir string) app.Config {
	cfg := app.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.AdminEmail, cfg.AdminPassword = AdminEmail, AdminPassword
	cfg.SigningKeyFile = dir + "/keys/audit-ed25519.pem"
	cfg.MasterKeyFile = dir + "/keys/master.key"
	cfg.ShutdownTimeout = 5 * time.Second
	// A read with min_seq (and a web form's redirect) waits this long for
	// the read side: on a busy machine (the race detector, a loaded CI
	// runner) it can be seconds behind, and a test that reads right after
	// a command must wait, not fail. Tests of the 503 and of the page that
	// says a change is not shown yet set a short one.
	cfg.ReadWait = TestReadWait
	return cfg
}

// TestReadWait is the read-your-writes bound of every test instance.
const TestReadWait = 30 * time.Second

// Start starts an instance on a fresh data directory.
func Start(tb testing.TB) *Instance {
	tb.Helper()
	return StartWith(tb, Config(tb.TempDir()), app.Options{})
}

// StartWith starts an instance with cfg.
func StartWith(tb testing.TB, cfg app.Config, opt app.Options) *Instance {
	tb.Helper()
	logs := &LockedBuffer{}
	opt.ManualJobs = true // the tests run expiry and retention themselves
	if opt.PasswordKDF == (accounts.KDF{}) {
		opt.PasswordKDF = accounts.TestingKDF // users in microseconds; hashing has its own tests
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewJSONHandler(logs, nil))
	}
	a, err := app.Start(context.Background(), cfg, opt)
	if err != nil {
		tb.Fatalf("start accreditd: %v", err)
	}
	in := &Instance{App: a, URL: "http://" + a.Addr(), Cfg: cfg, Log: logs, opt: opt, t: tb}
	tb.Cleanup(func() { _ = a.Close() })
	return in
}

// Settle waits until the background work of what was written so far is
// done: the notifier has handled every commit and written its cursor (it
// does so within a second, so a test that asserts that nothing is written
// would otherwise see that cursor move).
func (in *Instance) Settle(tb testing.TB) {
	tb.Helper()
	if in.App == nil || in.App.Notifier == nil {
		tb.Fatal("Settle needs an instance started with Start (it has a notifier)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	last, err := in.App.Events.LastSeq(ctx)
	if err != nil {
		tb.Fatalf("last sequence: %v", err)
	}
	for n := in.App.Notifier; n.Position() < last || n.Saved() < n.Position(); {
		select {
		case <-ctx.Done():
			tb.Fatalf("notifier at %d (cursor written at %d), not at %d after two minutes", n.Position(), n.Saved(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Restart stops the instance and starts it again on the same data directory.
func (in *Instance) Restart(tb testing.TB) {
	tb.Helper()
	if in.App == nil {
		tb.Fatal("an in-memory instance cannot restart: use Start")
	}
	if err := in.App.Close(); err != nil {
		tb.Fatalf("close: %v", err)
	}
	opt := in.opt
	opt.Log = nil
	n := StartWith(tb, in.Cfg, opt)
	in.App, in.URL, in.Log = n.App, n.URL, n.Log
}

// Response is a decoded answer.
type Response struct {
	Status  int
	Header  http.Header
	Trailer http.Header
	Body    []byte
}

// JSON decodes the body into v or fails the test.
func (r Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r Response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	m := map[string]any{}
	r.JSON(tb, &m)
	return m
}

// Request is one call.
type Request struct {
	Method  string
	Path    string
	Token   string
	Body    any // marshalled to JSON unless []byte or string
	Header  map[string]string
	RawBody io.Reader
}

// Validate, when set (by a test binary's TestMain), is called with every
// request Do sends, its body, and the answer: the API tests check both
// against the OpenAPI contract (api/openapi). req's Body is already read.
var Validate func(tb testing.TB, req *http.Request, reqBody []byte, resp Response)

// Do sends a request.
func (in *Instance) Do(tb testing.TB, r Request) Response {
	tb.Helper()
	var body io.Reader = r.RawBody
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	var sent []byte
	if Validate != nil && body != nil {
		var err error
		if sent, err = io.ReadAll(body); err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(sent)
	}
	req, err := http.NewRequest(r.Method, in.URL+r.Path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil && r.RawBody == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := Response{Status: resp.StatusCode, Header: resp.Header, Trailer: resp.Trailer, Body: b}
	if Validate != nil {
		Validate(tb, req, sent, out)
	}
	return out
}

// Retry sends a write as a careful client does: send gets one
// Idempotency-Key header for every attempt, and is called again while the
// answer is 503 (stored but not yet applied here, or the store briefly
// away: the documented answer of a busy server), for up to a minute. For
// tests that assert a write is accepted on a machine that may be busy.
func Retry(tb testing.TB, send func(header map[string]string) Response) Response {
	tb.Helper()
	h := map[string]string{"Idempotency-Key": "retry-" + ulid.Make().String()}
	deadline := time.Now().Add(time.Minute)
	for {
		r := send(h)
		if r.Status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			return r
		}
		time.Sleep(time.Second)
	}
}

// Retrying sends r through Retry (its body is sent again on each attempt).
func (in *Instance) Retrying(tb testing.TB, r Request) Response {
	tb.Helper()
	if r.RawBody != nil {
		tb.Fatal("Retrying: a streamed body cannot be sent twice")
	}
	return Retry(tb, func(h map[string]string) Response {
		req := r
		req.Header = map[string]string{}
		for k, v := range r.Header {
			req.Header[k] = v
		}
		for k, v := range h {
			if _, ok := req.Header[k]; !ok {
				req.Header[k] = v
			}
		}
		return in.Do(tb, req)
	})
}

// Get, Post, Put and Delete are shorthands.
func (in *Instance) Get(tb testing.TB, path, token string) Response {
	tb.Helper()
	return in.Do(tb, Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post sends a JSON body.
func (in *Instance) Post(tb testing.TB, path, token string, body any) Response {
	tb.Helper()
	return in.Do(tb, Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Put sends a JSON body.
func (in *Instance) Put(tb testing.TB, path, token string, body any) Response {
	tb.Helper()
	return in.Do(tb, Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}

// Expect fails the test unless r has status want.
func Expect(tb testing.TB, r Response, want int) Response {
	tb.Helper()
	if r.Status != want {
		tb.Fatalf("status: got %d, want %d; body %s", r.Status, want, r.Body)
	}
	return r
}

// Login logs in and returns the token.
func (in *Instance) Login(tb testing.TB, email, password string) string {
	tb.Helper()
	r := Expect(tb, in.Post(tb, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}), 200)
	var l struct{ Token string }
	r.JSON(tb, &l)
	return l.Token
}

// AdminToken logs the office admin in.
func (in *Instance) AdminToken(tb testing.TB) string {
	tb.Helper()
	return in.Login(tb, AdminEmail, AdminPassword)
}

// User is a user made for a test.
type User struct {
	ID, Email, Password, Name, Token string
}

// CreateUser makes a user of role through the office and logs them in.
func (in *Instance) CreateUser(tb testing.TB, adminToken, role, email, name string) User {
	tb.Helper()
	u := User{Email: email, Password: "password-of-" + name, Name: name}
	r := Expect(tb, in.Post(tb, "/api/v1/users", adminToken, map[string]string{"email": email, "name": name, "role": role, "password": u.Password}), 201)
	u.ID = r.Map(tb)["id"].(string)
	u.Token = in.Login(tb, email, u.Password)
	return u
}

// LockedBuffer is a log sink safe for the server and the test at once.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was logged so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Clock is a settable clock for tests of time-driven rules.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Upload posts a multipart evidence upload with fields in form order, the file last.
func (in *Instance) Upload(tb testing.TB, caseID, token string, fields map[string]string, fileName string, content []byte, header map[string]string) Response {
	tb.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, k := range []string{"kind", "title", "categories", "indicators"} {
		if v, ok := fields[k]; ok {
			_ = w.WriteField(k, v)
		}
	}
	if fileName != "" {
		f, _ := w.CreateFormFile("file", fileName)
		_, _ = f.Write(content)
	}
	_ = w.Close()
	h := map[string]string{"Content-Type": w.FormDataContentType()}
	for k, v := range header {
		h[k] = v
	}
	return in.Do(tb, Request{Method: http.MethodPost, Path: "/api/v1/cases/" + caseID + "/evidence", Token: token, RawBody: &b, Header: h})
}
