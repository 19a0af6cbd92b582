package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
)

// TestTheOwnersBrowserLogsInWhileManyAddressesLockTheAccount: wrong
// passwords from many addresses together lock an account's logins from
// any new place; the browser its owner logged in from before keeps its
// device cookie through a logout, and still logs in.
func TestTheOwnersBrowserLogsInWhileManyAddressesLockTheAccount(t *testing.T) {
	proxies, err := app.ParseCIDRs("127.0.0.0/8, ::1") // the API's tries name their addresses
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, func(c *app.Config) { c.TrustedProxies = proxies })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	owner := w.client(t)
	form := url.Values{"email": {carla.Email}, "password": {carla.Password}}
	a := owner.post("/login", form, true)
	var device *http.Cookie
	for _, ck := range (&http.Response{Header: a.Header}).Cookies() {
		if ck.Name == "__Host-accredit_device" {
			device = ck
		}
	}
	if a.Status != http.StatusSeeOther || device == nil || !device.HttpOnly || !device.Secure || device.Path != "/" ||
		time.Duration(device.MaxAge)*time.Second != accounts.DeviceTTL {
		t.Fatalf("the owner's login: got %d and device cookie %+v, want 303 and a Secure, HttpOnly cookie for %v", a.Status, device, accounts.DeviceTTL)
	}
	if a := owner.post("/logout", nil, true); a.Status != http.StatusSeeOther {
		t.Fatalf("logout: got %d", a.Status)
	}

	lockFromManyAddresses(t, w, form)
	if a := owner.post("/login", form, true); a.Status != http.StatusSeeOther || a.Location != "/applications" {
		t.Fatalf("the owner's browser, the account locked: got %d to %q, want 303 to /applications", a.Status, a.Location)
	}
}

// TestTheOwnersBrowserKeepsItsDeviceThroughItsOwnChanges: a change of
// password, or "log out everywhere else", voids the device tokens given
// before it (a lost phone's too); the browser that made the change gets a
// new one, so that many addresses locking the account do not shut its
// owner out at the next login.
func TestTheOwnersBrowserKeepsItsDeviceThroughItsOwnChanges(t *testing.T) {
	proxies, err := app.ParseCIDRs("127.0.0.0/8, ::1") // the API's tries name their addresses
	if err != nil {
		t.Fatal(err)
	}
	const newPassword = "a new and longer passphrase"
	for _, tc := range []struct {
		name, path string
		form       url.Values
		password   string // the password after the change
	}{
		{"the password changed", "/account/password", nil, newPassword},
		{"logged out everywhere else", "/account/sessions/end", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, func(c *app.Config) { c.TrustedProxies = proxies })
			carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
			password := carla.Password
			form := tc.form
			if tc.password != "" {
				form = url.Values{"current_password": {carla.Password}, "new_password": {tc.password}, "repeat_password": {tc.password}}
				password = tc.password
			}
			owner := w.client(t)
			owner.login(carla.Email, carla.Password)
			if a := owner.post(tc.path, form, true); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/account?ok=") {
				t.Fatalf("the change: got %d to %q", a.Status, a.Location)
			}
			if a := owner.post("/logout", nil, true); a.Status != http.StatusSeeOther {
				t.Fatalf("logout: got %d", a.Status)
			}
			login := url.Values{"email": {carla.Email}, "password": {password}}
			lockFromManyAddresses(t, w, login)
			if a := owner.post("/login", login, true); a.Status != http.StatusSeeOther || a.Location != "/applications" {
				t.Fatalf("the browser that made the change, the account locked: got %d to %q, want 303 to /applications", a.Status, a.Location)
			}
		})
	}
}

// lockFromManyAddresses sends the account's limit of wrong passwords for
// login's email through the API from many addresses (as a botnet would),
// each below its own limit, and checks that a new browser is then refused
// even login's right password.
func lockFromManyAddresses(t *testing.T, w *world, login url.Values) {
	t.Helper()
	for i := range accounts.AccountFailures {
		r := w.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body:   map[string]string{"email": login.Get("email"), "password": "wrong password!"},
			Header: map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i/(accounts.ClientFailures-1)+1)}})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d from many addresses: got %d, want 401", i+1, r.Status)
		}
	}
	if a := w.client(t).post("/login", login, true); a.Status != http.StatusTooManyRequests {
		t.Fatalf("another browser, the right password, the account locked: got %d, want 429", a.Status)
	}
}
