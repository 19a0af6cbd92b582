package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
)

// TestTwoProcessesShareTheLoginThrottle: two accreditd on one JetStream,
// behind a proxy that names the client. An address's failed logins through
// both count together (each process once let it make its own five), and
// lock out that address only: the owner of the account, from another
// address, still logs in (one address's wrong passwords once locked the
// account for everyone).
func TestTwoProcessesShareTheLoginThrottle(t *testing.T) {
	both, _ := twoProcessesBehindAProxy(t) // the clock still: the first delay is a second, which slow logins can outlast

	login := func(in *Instance, password, client string) Response {
		return in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body:   map[string]string{"email": AdminEmail, "password": password},
			Header: map[string]string{"X-Forwarded-For": client}})
	}
	const attacker, owner = "198.51.100.66", "198.51.100.10"
	for i := range accounts.ClientFailures {
		if r := login(both[i%2], "wrong password!", attacker); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d, through both processes in turn: got %d, want 401", i+1, r.Status)
		}
	}
	for i, in := range both {
		r := login(in, AdminPassword, attacker)
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("process %d, the attacker's address after %d failures through both: got %d (Retry-After %q), want 429 with Retry-After",
				i+1, accounts.ClientFailures, r.Status, r.Header.Get("Retry-After"))
		}
	}
	for i, in := range both {
		if r := login(in, AdminPassword, owner); r.Status != http.StatusOK {
			t.Fatalf("process %d, the owner from another address: got %d %s, want 200", i+1, r.Status, r.Body)
		}
	}
}

// TestAnAPIClientWithItsDeviceTokenLogsInWhileTheAccountIsLocked: the API's
// login gives a device token; many addresses together then have the
// account's logins refused from anywhere new, on both processes, but the
// client that sends its token back logs in, and gets a new one.
func TestAnAPIClientWithItsDeviceTokenLogsInWhileTheAccountIsLocked(t *testing.T) {
	both, _ := twoProcessesBehindAProxy(t)
	login := func(in *Instance, password, client, device string) Response {
		return in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body:   map[string]string{"email": AdminEmail, "password": password, "device": device},
			Header: map[string]string{"X-Forwarded-For": client}})
	}
	device, _ := Expect(t, login(both[0], AdminPassword, "198.51.100.10", ""), http.StatusOK).Map(t)["device"].(string)
	if device == "" {
		t.Fatal("the login gave no device token")
	}
	for i := range accounts.AccountFailures {
		if r := login(both[i%2], "wrong password!", fmt.Sprintf("203.0.113.%d", i/(accounts.ClientFailures-1)+1), ""); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d from many addresses: got %d, want 401", i+1, r.Status)
		}
	}
	for i, in := range both {
		if r := login(in, AdminPassword, "192.0.2.200", ""); r.Status != http.StatusTooManyRequests {
			t.Fatalf("process %d, a new client with the right password: got %d, want 429", i+1, r.Status)
		}
		r := Expect(t, login(in, AdminPassword, "192.0.2.201", device), http.StatusOK).Map(t)
		if next, _ := r["device"].(string); next == "" || next == device {
			t.Fatalf("process %d: the login with the device token gave device %q, want a new one", i+1, next)
		} else {
			device = next
		}
	}
}

// twoProcessesBehindAProxy starts two accreditd on one NATS server (the
// first embeds it, the second connects to it), as two replicas of a
// cluster: they share the master and signing keys, trust the loopback as
// their proxy (so X-Forwarded-For names the client) and keep the clock
// returned, which stands still until a test moves it.
func twoProcessesBehindAProxy(t *testing.T) ([]*Instance, *Clock) {
	t.Helper()
	proxies, err := app.ParseCIDRs("127.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	clock := NewClock(time.Now())
	natsAddr := freeAddr(t)
	cfg1 := Config(t.TempDir())
	cfg1.NATSListen, cfg1.TrustedProxies = natsAddr, proxies
	first := StartWith(t, cfg1, app.Options{Now: clock.Now})
	cfg2 := Config(t.TempDir())
	cfg2.NATSURL, cfg2.TrustedProxies = "nats://"+natsAddr, proxies
	cfg2.MasterKeyFile, cfg2.SigningKeyFile = cfg1.MasterKeyFile, cfg1.SigningKeyFile
	second := StartWith(t, cfg2, app.Options{Now: clock.Now})
	return []*Instance{first, second}, clock
}
