package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// faultyProxy stands between the CLI and a real accreditd and spoils the
// first answers to one kind of request, as a load balancer or an overloaded
// server would.
type faultyProxy struct {
	srv   *httptest.Server
	match func(*http.Request) bool
	// fault is called for the n-th matching request (from 1); it returns
	// true when it has answered (or broken) the request itself.
	fault func(n int, w http.ResponseWriter, r *http.Request, forward http.Handler) bool

	mu   sync.Mutex
	n    int
	keys []string // Idempotency-Key of each matching request
}

func newFaultyProxy(t *testing.T, target string, match func(*http.Request) bool,
	fault func(n int, w http.ResponseWriter, r *http.Request, forward http.Handler) bool) *faultyProxy {
	t.Helper()
	u, _ := url.Parse(target)
	forward := httputil.NewSingleHostReverseProxy(u)
	p := &faultyProxy{match: match, fault: fault}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.match(r) {
			p.mu.Lock()
			p.n++
			n := p.n
			p.keys = append(p.keys, r.Header.Get("Idempotency-Key"))
			p.mu.Unlock()
			if p.fault(n, w, r, forward) {
				return
			}
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *faultyProxy) tries() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.keys...)
}

func unavailable(w http.ResponseWriter, retryAfter string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Retry-After", retryAfter)
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(`{"type":"urn:accredit:problem:unavailable","title":"Service Unavailable","status":503,"detail":"event store unavailable"}`))
}

// discard is a ResponseWriter that drops what it is given: the answer that
// a client never got.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func isUserCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/v1/users"
}

func TestCLIRetriesCommandsWithTheSameIdempotencyKey(t *testing.T) {
	in := apptest.Start(t)
	admin := in.AdminToken(t)
	runAt := func(t *testing.T, url, stdin string, retries int, args ...string) result {
		t.Helper()
		var out, errOut bytes.Buffer
		c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, retries: retries,
			getenv: func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] }}
		code := c.run(context.Background(), append([]string{"--url", url, "--token", admin}, args...))
		return result{code: code, stdout: out.String(), stderr: errOut.String()}
	}
	runVia := func(t *testing.T, p *faultyProxy, args ...string) result {
		t.Helper()
		return runAt(t, p.srv.URL, "", defaultRetries, args...)
	}
	usersWith := func(t *testing.T, email string) int {
		t.Helper()
		var ans struct {
			Users []struct{ Email string } `json:"users"`
		}
		apptest.Expect(t, in.Get(t, "/api/v1/users?limit=1000", admin), 200).JSON(t, &ans)
		n := 0
		for _, u := range ans.Users {
			if u.Email == email {
				n++
			}
		}
		return n
	}
	sameKey := func(t *testing.T, keys []string, want int) {
		t.Helper()
		if len(keys) != want {
			t.Fatalf("the server was tried %d times, want %d", len(keys), want)
		}
		for _, k := range keys {
			if k == "" || k != keys[0] {
				t.Fatalf("idempotency keys of the tries: %q, want one non-empty key", keys)
			}
		}
	}

	for _, tc := range []struct {
		name  string
		fault func(n int, w http.ResponseWriter, r *http.Request, forward http.Handler) bool
	}{
		{"503 with Retry-After before the server saw it", func(n int, w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
			if n <= 2 {
				unavailable(w, "1")
				return true
			}
			return false
		}},
		{"applied, then the answer lost as a 503", func(n int, w http.ResponseWriter, r *http.Request, forward http.Handler) bool {
			if n == 1 {
				forward.ServeHTTP(&discard{h: http.Header{}}, r)
				unavailable(w, "0")
				return true
			}
			return false
		}},
		{"applied, then the connection dropped", func(n int, w http.ResponseWriter, r *http.Request, forward http.Handler) bool {
			if n == 1 {
				forward.ServeHTTP(&discard{h: http.Header{}}, r)
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
				return true
			}
			return false
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			email := strings.NewReplacer(" ", "-", ",", "").Replace(tc.name)[:20] + "@example.org"
			p := newFaultyProxy(t, in.URL, isUserCreate, tc.fault)
			r := runVia(t, p, "users", "add", "--email", email, "--name", "Retried User", "--role", "assessor", "-o", "json")
			if r.code != 0 {
				t.Fatalf("users add through faults: %s", r)
			}
			contains(t, "stderr", r.stderr, "trying again")
			tries := p.tries()
			sameKey(t, tries, len(tries))
			if len(tries) < 2 {
				t.Fatalf("tries: %d, want a retry", len(tries))
			}
			if n := usersWith(t, email); n != 1 {
				t.Fatalf("users with %s: got %d, want 1", email, n)
			}
		})
	}

	t.Run("gives up after --retries and says why", func(t *testing.T) {
		p := newFaultyProxy(t, in.URL, isUserCreate, func(_ int, w http.ResponseWriter, _ *http.Request, _ http.Handler) bool {
			unavailable(w, "0")
			return true
		})
		r := runVia(t, p, "--retries", "2", "users", "add", "--email", "never@example.org", "--name", "Never Made", "--role", "assessor")
		if r.code != exitFailed {
			t.Fatalf("always 503: want exit %d, got %s", exitFailed, r)
		}
		contains(t, "stderr", r.stderr, "503", "event store unavailable")
		sameKey(t, p.tries(), 3)
		if n := usersWith(t, "never@example.org"); n != 0 {
			t.Fatalf("users made by failed tries: %d", n)
		}
	})

	t.Run("a given --idempotency-key is kept on every try", func(t *testing.T) {
		p := newFaultyProxy(t, in.URL, isUserCreate, func(n int, w http.ResponseWriter, _ *http.Request, _ http.Handler) bool {
			if n == 1 {
				unavailable(w, "0")
				return true
			}
			return false
		})
		r := runAt(t, p.srv.URL, "a long password for kept\n", defaultRetries, "users", "add", "--email", "kept@example.org", "--name", "Kept Key", "--role", "assessor", "--idempotency-key", "op-42", "--password-stdin")
		if r.code != 0 {
			t.Fatalf("users add: %s", r)
		}
		if tries := p.tries(); len(tries) != 2 || tries[0] != "op-42" || tries[1] != "op-42" {
			t.Fatalf("keys sent: %q, want op-42 twice", tries)
		}
	})

	// users add --idempotency-key K whose first run was applied but its
	// answer lost, run again as the flag's help invites: the password is
	// the operator's (--password-stdin), so the run again is the same
	// request and gets the first one's answer. With a generated password
	// it would be another request under K (refused) and the user made would
	// have a password nobody saw: refused as usage before anything is sent.
	t.Run("users add with --idempotency-key runs again after a lost answer", func(t *testing.T) {
		args := []string{"users", "add", "--email", "rerun@example.org", "--name", "Re Run", "--role", "assessor", "--idempotency-key", "op-7"}
		r := runAt(t, in.URL, "", 0, args...)
		if r.code != exitUsage {
			t.Fatalf("--idempotency-key without --password-stdin: want exit %d (usage), got %s", exitUsage, r)
		}
		contains(t, "stderr", r.stderr, "--idempotency-key needs --password-stdin")
		if n := usersWith(t, "rerun@example.org"); n != 0 {
			t.Fatalf("users made by a refused run: %d", n)
		}
		lost := newFaultyProxy(t, in.URL, isUserCreate, func(n int, w http.ResponseWriter, r *http.Request, forward http.Handler) bool {
			forward.ServeHTTP(&discard{h: http.Header{}}, r)
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return true
		})
		args = append(args, "--password-stdin")
		const pw = "a long password for re run\n"
		if r := runAt(t, lost.srv.URL, pw, 0, args...); r.code == 0 {
			t.Fatalf("first run should have lost its answer: %s", r)
		}
		if r := runAt(t, in.URL, pw, 0, args...); r.code != 0 {
			t.Fatalf("the same command with the same --idempotency-key, run again:\n%s", r)
		}
		if n := usersWith(t, "rerun@example.org"); n != 1 {
			t.Fatalf("users with rerun@example.org: got %d, want 1", n)
		}
	})

	t.Run("a write without an idempotency key is not retried", func(t *testing.T) {
		p := newFaultyProxy(t, in.URL, func(r *http.Request) bool {
			return r.Method == http.MethodPost && r.URL.Path == "/api/v1/audit/checkpoints"
		}, func(_ int, w http.ResponseWriter, _ *http.Request, _ http.Handler) bool {
			unavailable(w, "0")
			return true
		})
		if r := runVia(t, p, "audit", "checkpoint"); r.code != exitFailed {
			t.Fatalf("checkpoint through a 503: %s", r)
		}
		if n := len(p.tries()); n != 1 {
			t.Fatalf("checkpoint tried %d times, want 1", n)
		}
	})
}
