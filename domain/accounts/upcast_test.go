package accounts_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// sealing is a vault on st's keys, as another process of the same
// deployment has it, and a function sealing a text under a subject's key
// with it: what the tests writing an older version's events need.
func sealing(t *testing.T, st stores) (*pii.Vault, func(subject, text string) pii.Sealed) {
	t.Helper()
	vault, err := pii.NewVault(st.keys, masterKey)
	if err != nil {
		t.Fatal(err)
	}
	return vault, func(subject, text string) pii.Sealed {
		s, err := vault.Seal(context.Background(), subject, text)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// A store written by the version with one directory stream works after the
// upgrade: its users, passwords, roles, profiles, disabled flags and
// erasures are upcast to one aggregate a user, and new commands on those
// users go to their own streams.
func TestOldDirectoryStreamIsUpcast(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	ctx := context.Background()
	vault, seal := sealing(t, st)
	// The old version's events, appended as it appended them.
	writer := start(t, st, time.Now) // only to wait for the feed
	old := func(typ string, data any) {
		appendEvent(t, writer, st.events, accounts.DirectoryStream, typ, data, time.Now())
	}
	pia, ada, olga, eve := ulid.Make().String(), ulid.Make().String(), ulid.Make().String(), ulid.Make().String()
	for _, u := range []struct {
		id, email string
		role      domain.Role
	}{{pia, "Pia@Example.org", domain.RoleApplicant}, {ada, "ada@example.org", domain.RoleAssessor},
		{olga, "olga@example.org", domain.RoleOffice}, {eve, "eve@example.org", domain.RoleApplicant}} {
		old(accounts.EventUserRegistered, accounts.UserRegistered{UserID: u.id, Role: u.role, Email: seal(u.id, u.email),
			Name: seal(u.id, "Name of "+u.email), PasswordHash: seal(u.id, hash())})
	}
	old(accounts.EventProfileSet, accounts.AssessorProfileSet{UserID: ada, Schemes: []string{"EIA"}, MaxLevel: framework.Level("practitioner"), Languages: []string{"en"}})
	old(accounts.EventPasswordChanged, accounts.PasswordChanged{UserID: pia, PasswordHash: seal(pia, accounts.HashPassword("pia's new password"))})
	old(accounts.EventUserDisabled, accounts.UserDisabled{UserID: olga, Reason: seal(olga, "left")})
	old(accounts.EventUserErased, accounts.UserErased{UserID: eve, Reason: "art. 17"})
	if err := vault.Erase(ctx, eve); err != nil {
		t.Fatal(err)
	}

	in := start(t, st, time.Now) // the new version starts on that store
	mustLogin(t, in, "pia@example.org", "pia's new password")
	if _, err := in.Login(ctx, "pia@example.org", password, "test"); !domain.Is(err, domain.Unauthorized) {
		t.Fatalf("pia's old password: got %v, want Unauthorized", err)
	}
	if p, role, ok, err := in.Profile(ctx, ada); err != nil || !ok || role != domain.RoleAssessor || p == nil || p.MaxLevel != "practitioner" {
		t.Fatalf("ada's profile: got %+v, %s, %v", p, role, ok)
	}
	mustLogin(t, in, "ada@example.org", password)
	if _, err := in.Login(ctx, "olga@example.org", password, "test"); !domain.Is(err, domain.Unauthorized) {
		t.Fatalf("disabled olga logs in: got %v, want Unauthorized", err)
	}
	if has, err := in.HasOffice(ctx); err != nil || has {
		t.Fatal("HasOffice with the only office user disabled")
	}
	if v, err := in.User(ctx, eve); err != nil || !v.Erased || v.Email != pii.Erased {
		t.Fatalf("erased eve: got %+v, %v", v, err)
	}
	if got := len(usersOf(t, in)); got != 4 {
		t.Fatalf("users listed: got %d, want 4", got)
	}
	// Emails of the old stream stay taken; an erased user's is free.
	_, _, err := in.Create(ctx, aggregate.Meta{Command: "register"},
		accounts.NewUser{Email: "PIA@example.org", Password: password, Name: "Other Pia", Role: domain.RoleApplicant})
	wantCode(t, err, domain.Conflict, "register pia's email")
	mustCreate(t, in, "eve@example.org", domain.RoleApplicant)

	// New commands on old users go to their own streams, and last.
	meta := aggregate.Meta{Command: "office", Actor: domain.System}
	if _, err := in.SetProfile(ctx, meta, ada, accounts.Profile{Schemes: []string{"EIA", "EQA"}, MaxLevel: "master_practitioner", Languages: []string{"nl"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Disable(ctx, meta, pia, "moved away"); err != nil {
		t.Fatal(err)
	}
	if _, err := in.ChangeEmail(ctx, meta, ada, "ada.new@example.org"); err != nil {
		t.Fatal(err)
	}
	again := start(t, st, time.Now) // and after a restart
	if p, _, ok, err := again.Profile(ctx, ada); err != nil || !ok || p.MaxLevel != "master_practitioner" {
		t.Fatalf("ada's new profile after restart: got %+v, %v", p, ok)
	}
	if _, err := again.Login(ctx, "pia@example.org", "pia's new password", "test"); !domain.Is(err, domain.Unauthorized) {
		t.Fatalf("pia disabled after restart: got %v, want Unauthorized", err)
	}
	mustLogin(t, again, "ada.new@example.org", password)
	mustCreate(t, again, "ada@example.org", domain.RoleApplicant) // her old email is free

	// And after a restart from the write-side snapshot, which holds the
	// old users' emails only sealed: they are found by email again.
	snap := filepath.Join(t.TempDir(), "aggregates.json")
	if _, err := again.feed.SaveSnapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	fromSnap := startFrom(t, st, time.Now, snap)
	if got := len(usersOf(t, fromSnap)); got != 6 {
		t.Fatalf("users listed after a start from the snapshot: got %d, want 6", got)
	}
	if id, ok, err := fromSnap.UserIDByEmail(ctx, "olga@example.org"); err != nil || !ok || id != olga {
		t.Fatalf("olga, of the old stream, by email after a start from the snapshot: got %q, %v", id, ok)
	}
	_, _, err = fromSnap.Create(ctx, aggregate.Meta{Command: "register"},
		accounts.NewUser{Email: "pia@EXAMPLE.org", Password: password, Name: "Other Pia", Role: domain.RoleApplicant})
	wantCode(t, err, domain.Conflict, "register pia's email after a start from the snapshot")
}
