package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/pii"
)

// TestStoredPasswordsUseTheProductionKDF: apptest hashes at the cheapest
// cost to keep the suites fast, so this proves that an accreditd started
// as in production (no PasswordKDF option) stores the office user's
// password at accounts.DefaultKDF, and that one started with TestingKDF
// does not (so the check can fail).
func TestStoredPasswordsUseTheProductionKDF(t *testing.T) {
	prod := "m=19456,t=2,p=1"
	if want := accounts.DefaultKDF; want.MemoryKiB != 19456 || want.Time != 2 {
		t.Fatalf("DefaultKDF is %+v; update this test's %q with it", want, prod)
	}
	for _, tc := range []struct {
		name string
		kdf  accounts.KDF
		want bool
	}{{"production", accounts.KDF{}, true}, {"testing", accounts.TestingKDF, false}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := apptest.Config(t.TempDir())
			a, err := app.Start(context.Background(), cfg, app.Options{ManualJobs: true, PasswordKDF: tc.kdf})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = a.Close() })
			hash := storedHash(t, a, apptest.AdminEmail)
			if got := strings.Contains(hash, "$"+prod+"$"); got != tc.want {
				t.Fatalf("office user's stored hash %q: production cost %s: got %v, want %v", redact(hash), prod, got, tc.want)
			}
		})
	}
}

// storedHash opens the password hash recorded when the user with email
// registered.
func storedHash(t *testing.T, a *app.App, email string) string {
	t.Helper()
	id, ok, err := a.Accounts.UserIDByEmail(context.Background(), email)
	if err != nil || !ok {
		t.Fatalf("no user %s", email)
	}
	ctx := context.Background()
	evs, err := a.Events.Load(ctx, accounts.UserPrefix+"."+id)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Type != accounts.EventUserRegistered {
			continue
		}
		var p struct {
			PasswordHash pii.Sealed `json:"password_hash"`
		}
		if err := json.Unmarshal(e.Data, &p); err != nil {
			t.Fatal(err)
		}
		hash, err := a.Vault.Open(ctx, p.PasswordHash)
		if err != nil {
			t.Fatal(err)
		}
		return hash
	}
	t.Fatalf("no %s event in %s's stream", accounts.EventUserRegistered, id)
	return ""
}

// redact keeps the parameters of a PHC hash and drops its salt and key.
func redact(hash string) string {
	if i := strings.LastIndex(hash, "$"); i > 0 {
		if j := strings.LastIndex(hash[:i], "$"); j > 0 {
			return hash[:j] + "$…"
		}
	}
	return "…"
}
