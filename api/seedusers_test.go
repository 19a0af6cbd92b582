package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/seed"
)

// seedUsers writes n made-up users (every role, no cases) into the data
// directory of cfg before accreditd starts on it, as accredit seed does:
// the accounts' own aggregates decide each registration (the email's
// reservation, the user's stream, data keys wrapped with cfg's master
// key), written many at a time. Every user's password is password.
func seedUsers(tb testing.TB, cfg app.Config, n int, password string) seed.Summary {
	tb.Helper()
	ctx := context.Background()
	hash, err := accounts.SeedPasswordHash(password)
	if err != nil {
		tb.Fatal(err)
	}
	master, err := pii.LoadOrCreateKeyFile(cfg.MasterKeyFile)
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := natsstore.OpenEmbedded(natsstore.EmbeddedConfig{DataDir: cfg.DataDir, SyncInterval: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(5 * time.Second)
	store, err := conn.OpenEventStore(ctx, natsstore.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	sum, _, err := seed.IntoJetStream(ctx, store, master, seed.Config{Users: n, Seed: 1, PasswordHash: hash})
	if err != nil {
		tb.Fatalf("seed %d users: %v", n, err)
	}
	return sum
}

// Users written in bulk (seedUsers, as accredit seed writes them) are the
// users registration makes: each logs in with the password and is who /me
// says, and their emails stay theirs: registering one again, by the user
// or by the office, in any case of letters, is refused.
func TestSeededUsersLogInAndKeepTheirEmails(t *testing.T) {
	const password = "seeded users' password"
	cfg := Config(t.TempDir())
	sum := seedUsers(t, cfg, seed.MinUsers()+20, password)
	in := StartWith(t, cfg, app.Options{})
	for _, email := range []string{sum.Office, sum.Assessor, sum.Applicant} {
		var me struct {
			Email string `json:"email"`
		}
		Expect(t, in.Get(t, "/api/v1/me", in.Login(t, email, password)), 200).JSON(t, &me)
		if me.Email != email {
			t.Errorf("logged in as %s, /me says %s", email, me.Email)
		}
	}
	admin := in.AdminToken(t)
	for _, email := range []string{sum.Applicant, strings.ToUpper(sum.Applicant), sum.Assessor} {
		Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": email, "password": "a long password", "name": "Again"}), 409)
		Expect(t, in.Post(t, "/api/v1/users", admin, map[string]string{"email": email, "name": "Again", "role": "applicant",
			"password": "a long password"}), 409)
	}
	// A new email is still welcome.
	Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "new@example.org", "password": "a long password", "name": "New"}), 201)
}
