package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// A user's account history, for their right of access, holds the events of
// the old directory stream that are theirs and those of their own stream,
// in order, personal text opened and the password's hash withheld; nothing
// of another user's.
func TestAccountHistoryHoldsTheUsersOwnEventsOfBothLayouts(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	ctx := context.Background()
	_, seal := sealing(t, st)
	writer := start(t, st, time.Now)
	pia, ada := ulid.Make().String(), ulid.Make().String()
	for _, id := range []string{pia, ada} {
		appendEvent(t, writer, st.events, accounts.DirectoryStream, accounts.EventUserRegistered, accounts.UserRegistered{UserID: id,
			Role: domain.RoleApplicant, Email: seal(id, id+"@example.org"), Name: seal(id, "Name of "+id), PasswordHash: seal(id, hash())}, time.Now())
	}
	appendEvent(t, writer, st.events, accounts.DirectoryStream, accounts.EventPasswordChanged,
		accounts.PasswordChanged{UserID: pia, PasswordHash: seal(pia, hash())}, time.Now())

	in := start(t, st, time.Now)
	if _, err := in.Disable(ctx, aggregate.Meta{Command: "office", Actor: domain.System}, pia, "moved away"); err != nil {
		t.Fatal(err)
	}
	h, err := in.History(ctx, pia)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range h {
		types = append(types, e.Type)
		d := e.Data.(map[string]any)
		if d["user_id"] != pia {
			t.Errorf("an event of another user: %+v", e)
		}
		if v, ok := d["password_hash"]; ok && v != pii.Withheld {
			t.Errorf("%s password_hash: got %v, want %s", e.Type, v, pii.Withheld)
		}
	}
	want := []string{accounts.EventUserRegistered, accounts.EventPasswordChanged, accounts.EventUserDisabled}
	if strings.Join(types, ",") != strings.Join(want, ",") {
		t.Fatalf("pia's history: got %v, want %v", types, want)
	}
	if d := h[0].Data.(map[string]any); d["email"] != pia+"@example.org" {
		t.Errorf("registered with: got %v, want the address opened", d["email"])
	}
	if d := h[2].Data.(map[string]any); d["reason"] != "moved away" {
		t.Errorf("disabled for: got %v, want the reason opened", d["reason"])
	}
	if _, err := in.History(ctx, ulid.Make().String()); !domain.Is(err, domain.NotFound) {
		t.Fatalf("an unknown user's history: got %v, want NotFound", err)
	}
}
