package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// spray tries one wrong password on each of n accounts, every try claiming
// another client address in X-Forwarded-For and X-Real-IP (unless fixed is
// set), and returns the statuses.
func spray(t *testing.T, in *Instance, n int, fixed string) []int {
	t.Helper()
	var out []int
	for i := range n {
		ip := fixed
		if ip == "" {
			ip = fmt.Sprintf("203.0.113.%d", i+1)
		}
		r := in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body:   map[string]string{"email": fmt.Sprintf("victim%d@example.org", i), "password": "wrong password!"},
			Header: map[string]string{"X-Forwarded-For": ip, "X-Real-IP": ip}})
		out = append(out, r.Status)
	}
	return out
}

func TestRotatedForwardedForDoesNotEscapeTheLoginThrottle(t *testing.T) {
	in := Start(t) // no trusted proxy: the client is the connection's address
	got := spray(t, in, 6, "")
	for i, s := range got[:5] {
		if s != http.StatusUnauthorized {
			t.Fatalf("try %d: got %d, want 401", i+1, s)
		}
	}
	if got[5] != http.StatusTooManyRequests {
		t.Fatalf("6th try from one connection with a new X-Forwarded-For: got %d, want 429", got[5])
	}
}

func TestATrustedProxyNamesTheClient(t *testing.T) {
	cfg := Config(t.TempDir())
	nets, err := app.ParseCIDRs("127.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.TrustedProxies = nets
	in := StartWith(t, cfg, app.Options{})
	// Many clients behind the proxy are many clients.
	for i, s := range spray(t, in, 6, "") {
		if s != http.StatusUnauthorized {
			t.Fatalf("try %d from its own address: got %d, want 401", i+1, s)
		}
	}
	// One client behind the proxy is slowed down, and only that one.
	if got := spray(t, in, 6, "198.51.100.7"); got[5] != http.StatusTooManyRequests {
		t.Fatalf("6th try of one forwarded client: got %v, want 429 last", got)
	}
	if got := spray(t, in, 1, "198.51.100.8"); got[0] != http.StatusUnauthorized {
		t.Fatalf("another forwarded client: got %d, want 401", got[0])
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		bad  bool
	}{
		{"", 0, false},
		{"10.0.0.0/8", 1, false},
		{"10.0.0.0/8,192.168.1.10 fd00::/8", 3, false},
		{"not-an-ip", 0, true},
		{"10.0.0.0/33", 0, true},
	} {
		got, err := app.ParseCIDRs(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && len(got) != tc.want) {
			t.Errorf("ParseCIDRs(%q): got %v, %v; want %d nets, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
	if _, err := app.Parse(nil, func(k string) string {
		if k == "ACCREDIT_TRUSTED_PROXIES" {
			return "nonsense"
		}
		return ""
	}); err == nil {
		t.Error("a bad ACCREDIT_TRUSTED_PROXIES was accepted")
	}
}

func TestHSTSWhenCookiesAreSecure(t *testing.T) {
	for _, secure := range []bool{true, false} {
		cfg := Config(t.TempDir())
		cfg.SecureCookies = secure
		in := StartWith(t, cfg, app.Options{})
		for _, path := range []string{"/healthz", "/login"} {
			got := in.Get(t, path, "").Header.Get("Strict-Transport-Security")
			if secure && got != "max-age=31536000" {
				t.Errorf("secure cookies, %s: Strict-Transport-Security %q, want max-age=31536000", path, got)
			}
			if !secure && got != "" {
				t.Errorf("plain HTTP, %s: Strict-Transport-Security %q, want none", path, got)
			}
		}
	}
}
