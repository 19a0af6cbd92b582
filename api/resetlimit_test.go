package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/recovery"
)

// TestTwoProcessesShareTheResetLimit: two accreditd on one JetStream,
// behind a proxy that names the client. A client's password reset requests
// through both count together: it gets recovery.ClientBurst in all, not
// ClientBurst from each (counted per process, a cluster of N let it ask N
// times as often, to flood an inbox or probe for addresses). The refusal
// is the same through either, for a registered address and an unknown
// one; another client is not held back, and a wait renews the allowance
// for both processes. The shared store names the client only by a digest.
func TestTwoProcessesShareTheResetLimit(t *testing.T) {
	both, clock := twoProcessesBehindAProxy(t) // the clock still: no request's allowance comes back while the test runs
	first, second := both[0], both[1]

	ask := func(in *Instance, email, client string) Response {
		t.Helper()
		return in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/auth/password-reset-requests",
			Body:   map[string]string{"email": email},
			Header: map[string]string{"X-Forwarded-For": client}})
	}
	refused := func(r Response) bool {
		return r.Status == http.StatusTooManyRequests && r.Header.Get("Retry-After") != ""
	}
	const flooder, other = "198.51.100.66", "198.51.100.10"
	for i := range recovery.ClientBurst {
		if r := ask(both[i%2], "nobody@example.org", flooder); r.Status != http.StatusAccepted {
			t.Fatalf("request %d, through both processes in turn: got %d %s, want 202", i+1, r.Status, r.Body)
		}
	}
	var details []any
	for i, in := range both {
		for _, email := range []string{AdminEmail, "nobody@example.org"} {
			r := ask(in, email, flooder)
			if !refused(r) {
				t.Fatalf("process %d, %s, after %d requests through both: got %d (Retry-After %q), want 429 with Retry-After",
					i+1, email, recovery.ClientBurst, r.Status, r.Header.Get("Retry-After"))
			}
			p := r.Map(t)
			if p["status"] != float64(http.StatusTooManyRequests) || !strings.Contains(p["detail"].(string), "too many password reset requests") {
				t.Fatalf("process %d, %s: problem %v", i+1, email, p)
			}
			details = append(details, p["detail"])
		}
	}
	for _, d := range details[1:] {
		if d != details[0] {
			t.Fatalf("the refusals differ: %q", details)
		}
	}
	for i, in := range both {
		if r := ask(in, AdminEmail, other); r.Status != http.StatusAccepted {
			t.Fatalf("process %d, another client: got %d %s, want 202", i+1, r.Status, r.Body)
		}
	}

	// One more after the wait, through either process, and not one from each.
	clock.Advance(recovery.ClientEvery)
	if r := ask(second, "nobody@example.org", flooder); r.Status != http.StatusAccepted {
		t.Fatalf("after waiting %v: got %d %s, want 202", recovery.ClientEvery, r.Status, r.Body)
	}
	if r := ask(first, "nobody@example.org", flooder); !refused(r) {
		t.Fatalf("the other process, after the one request the wait allowed: got %d, want 429 with Retry-After", r.Status)
	}

	// The counts are in the shared bucket, under digests of the address.
	kv, err := first.App.Events.JetStream().KeyValue(context.Background(), natsstore.LoginFailuresBucket)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := kv.ListKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	resets := 0
	for k := range keys.Keys() {
		if strings.Contains(k, "198.51.100") {
			t.Fatalf("a key names the client in clear: %s", k)
		}
		if strings.HasPrefix(k, "reset.client.") {
			resets++
		}
	}
	if resets != 2 {
		t.Fatalf("%d reset counts in %s, want 2 (one a client)", resets, natsstore.LoginFailuresBucket)
	}
}
