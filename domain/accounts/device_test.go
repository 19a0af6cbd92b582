package accounts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
)

// loginFrom tries email and pass from client with a device token, and
// returns the error's code ("" when logged in) and the new device token.
func loginFrom(t *testing.T, in *instance, email, pass, client, device string) (domain.Code, string) {
	t.Helper()
	l, err := in.LoginFromDevice(context.Background(), email, pass, client, device)
	if err != nil {
		return codeOf(t, err), ""
	}
	if l.Device == "" {
		t.Fatal("a login gave no device token")
	}
	return "", l.Device
}

// lockAccount sends the account's limit of wrong passwords for email from
// many addresses (as a botnet would), each below its own limit, and checks
// that a fresh address is then refused even the right password.
func lockAccount(t *testing.T, in [2]*instance, email string) {
	t.Helper()
	for i := range accounts.AccountFailures {
		client := fmt.Sprintf("198.51.100.%d", i/(accounts.ClientFailures-1)+1)
		if got := login(t, in[i%2], email, "wrong password!", client); got != domain.Unauthorized {
			t.Fatalf("failure %d from many addresses: got %q, want %q", i+1, got, domain.Unauthorized)
		}
	}
	if got := login(t, in[0], email, password, "203.0.113.99"); got != domain.TooManyRequests {
		t.Fatalf("a fresh address after %d failures at the account: got %q, want %q", accounts.AccountFailures, got, domain.TooManyRequests)
	}
}

// TestABotnetDoesNotLockOutTheOwnersBrowser: many addresses together can
// stop every new place logging in to an account, but the browser its
// owner logged in from before (its device token) still logs in, on every
// process, from any address; and its logins do not forget the others'
// failures, which would give the botnet its whole limit again.
func TestABotnetDoesNotLockOutTheOwnersBrowser(t *testing.T) {
	in := throttledPair(t)
	code, device := loginFrom(t, in[0], ownerEmail, password, "192.0.2.10", "")
	if code != "" {
		t.Fatalf("the owner's first login: %q", code)
	}
	lockAccount(t, in, ownerEmail)
	for i, p := range in {
		client := fmt.Sprintf("203.0.113.%d", i+1) // the owner travelling
		if code, device = loginFrom(t, p, ownerEmail, password, client, device); code != "" {
			t.Fatalf("process %d, the owner's browser after the account was locked: got %q, want a login", i+1, code)
		}
	}
	if got := login(t, in[1], ownerEmail, password, "203.0.113.98"); got != domain.TooManyRequests {
		t.Fatalf("a fresh address after the owner's browser logged in: got %q, want %q (the account's failures kept)", got, domain.TooManyRequests)
	}
}

// TestADeviceTokenCountsOnlyForItsAccountAndItsTime: a token given for
// another account, altered, made up or expired is no device: the locked
// account refuses it as it refuses any new place.
func TestADeviceTokenCountsOnlyForItsAccountAndItsTime(t *testing.T) {
	c := newClock()
	in := throttledPairAt(t, c)
	const other = "other@example.org"
	if _, _, err := in[0].EnsureAdmin(context.Background(), other, password); err != nil {
		t.Fatal(err)
	}
	in[1].catchUp(t)
	_, device := loginFrom(t, in[0], ownerEmail, password, "192.0.2.10", "")
	_, otherDevice := loginFrom(t, in[0], other, password, "192.0.2.11", "")
	lockAccount(t, in, ownerEmail)

	last := device[len(device)-1:]
	altered := device[:len(device)-1] + map[bool]string{true: "1", false: "0"}[last == "0"]
	parts := strings.Split(device, ".")
	parts[2] = fmt.Sprint(time.Now().Add(10 * accounts.DeviceTTL).Unix())
	later := strings.Join(parts, ".")
	for name, token := range map[string]string{
		"another account's token": otherDevice,
		"the token altered":       altered,
		"its expiry put off":      later,
		"a made-up token":         "d2.AAAAAAAAAAAAAAAAAAAAAA.9999999999.00000000000000000000000000000000.00000000000000000000000000000000",
	} {
		if got, _ := loginFrom(t, in[1], ownerEmail, password, "203.0.113.7", token); got != domain.TooManyRequests {
			t.Errorf("%s: got %q, want %q", name, got, domain.TooManyRequests)
		}
	}
	c.add(accounts.DeviceTTL) // the account's failures lapse with it: locked again
	lockAccount(t, in, ownerEmail)
	if got, _ := loginFrom(t, in[0], ownerEmail, password, "203.0.113.8", device); got != domain.TooManyRequests {
		t.Errorf("the token once expired: got %q, want %q", got, domain.TooManyRequests)
	}
}

// TestAStolenDeviceTokenGetsAClientsTries: tries with a device token count
// against the device, from whatever addresses: a thief of the token gets
// a client's few, and does not add to the account's count.
func TestAStolenDeviceTokenGetsAClientsTries(t *testing.T) {
	in := throttledPair(t)
	_, device := loginFrom(t, in[0], ownerEmail, password, "192.0.2.10", "")
	for i := range accounts.ClientFailures {
		if got, _ := loginFrom(t, in[i%2], ownerEmail, "wrong password!", fmt.Sprintf("198.51.100.%d", i+1), device); got != domain.Unauthorized {
			t.Fatalf("failure %d with the token: got %q, want %q", i+1, got, domain.Unauthorized)
		}
	}
	if got, _ := loginFrom(t, in[1], ownerEmail, password, "198.51.100.200", device); got != domain.TooManyRequests {
		t.Fatalf("the token after %d failures, from a fresh address: got %q, want %q", accounts.ClientFailures, got, domain.TooManyRequests)
	}
	if got := login(t, in[0], ownerEmail, password, "192.0.2.10"); got != "" {
		t.Fatalf("the owner without the token: got %q, want a login (the device's failures are not the account's)", got)
	}
}

// TestADeviceTokenEndsWithItsUsersCredentials: a device token is its
// user's as they stood when it was given. Once the email is another
// user's, or the password changed, or the sessions were ended (a phone
// lost, a password learnt by someone else), it counts as none: the locked
// account refuses it as any new place. Else whoever held the email or the
// password once would keep tries of their own at the account, 5 for each
// token they had their logins give, beside the account's limit.
func TestADeviceTokenEndsWithItsUsersCredentials(t *testing.T) {
	ctx := context.Background()
	office := aggregate.Meta{Command: "end_sessions", Actor: domain.System}
	const newPassword = "another long password"
	for name, change := range map[string]func(t *testing.T, in *instance, l accounts.Login) (pass string){
		"the email moved to another user": func(t *testing.T, in *instance, l accounts.Login) string {
			if _, err := in.ChangeEmail(ctx, office, l.User.ID, "moved@example.org"); err != nil {
				t.Fatal(err)
			}
			mustCreate(t, in, ownerEmail, domain.RoleApplicant)
			return password
		},
		"the password changed": func(t *testing.T, in *instance, l accounts.Login) string {
			if _, err := in.ChangePassword(ctx, aggregate.Meta{Command: "change_password", Actor: domain.Actor{ID: l.User.ID, Role: l.User.Role}}, l.User.ID, password, newPassword, l.Token); err != nil {
				t.Fatal(err)
			}
			return newPassword
		},
		"the user logged out everywhere else": func(t *testing.T, in *instance, l accounts.Login) string {
			laptop := mustLogin(t, in, ownerEmail, password)
			if _, _, err := in.EndOtherSessions(ctx, aggregate.Meta{Command: "end_other_sessions", Actor: domain.Actor{ID: l.User.ID, Role: l.User.Role}}, l.User.ID, laptop.Token); err != nil {
				t.Fatal(err)
			}
			return password
		},
		"the office ended the sessions": func(t *testing.T, in *instance, l accounts.Login) string {
			if _, _, err := in.EndSessions(ctx, office, l.User.ID); err != nil {
				t.Fatal(err)
			}
			return password
		},
	} {
		t.Run(name, func(t *testing.T) {
			in := throttledPair(t)
			l, err := in[0].LoginFromDevice(ctx, ownerEmail, password, "192.0.2.10", "")
			if err != nil {
				t.Fatal(err)
			}
			pass := change(t, in[0], l)
			in[1].catchUp(t)
			lockAccount(t, in, ownerEmail)
			for i, p := range in {
				if got, _ := loginFrom(t, p, ownerEmail, pass, fmt.Sprintf("203.0.113.%d", i+1), l.Device); got != domain.TooManyRequests {
					t.Errorf("process %d, the token given before: got %q, want %q", i+1, got, domain.TooManyRequests)
				}
			}
		})
	}
}
