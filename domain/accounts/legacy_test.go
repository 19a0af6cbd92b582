package accounts_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// The users of the old directory stream are found by their address, kept
// in the clear in memory. An erased user's address, and one a user moved
// away from, go from there at once (they stayed until the next start).
func TestAnOldStreamUsersAddressLeavesMemoryWithTheirErasureOrMove(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	ctx := context.Background()
	_, seal := sealing(t, st)
	writer := start(t, st, time.Now)
	ida, ben, cleo := ulid.Make().String(), ulid.Make().String(), ulid.Make().String()
	for id, email := range map[string]string{ida: "ida@example.org", ben: "ben@example.org", cleo: "cleo@example.org"} {
		appendEvent(t, writer, st.events, accounts.DirectoryStream, accounts.EventUserRegistered, accounts.UserRegistered{UserID: id, Role: domain.RoleApplicant,
			Email: seal(id, email), Name: seal(id, "Name of "+email), PasswordHash: seal(id, hash())}, time.Now())
	}
	in := start(t, st, time.Now)
	if got, want := accounts.LegacyAddresses(in.Service), []string{"ben@example.org", "cleo@example.org", "ida@example.org"}; !slices.Equal(got, want) {
		t.Fatalf("old users' addresses: %v, want %v", got, want)
	}
	office := aggregate.Meta{Command: "office", Actor: domain.Actor{ID: "01J00000000000000000000OFF", Role: domain.RoleOffice}}
	if _, err := in.Erase(ctx, office, ida, accounts.GroundRequest, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := in.ChangeEmail(ctx, office, ben, "ben.new@example.org"); err != nil {
		t.Fatal(err)
	}
	in.catchUp(t)
	if got, want := accounts.LegacyAddresses(in.Service), []string{"cleo@example.org"}; !slices.Equal(got, want) {
		t.Fatalf("old users' addresses after an erasure and a move: %v, want %v", got, want)
	}
	mustLogin(t, in, "ben.new@example.org", password)
	mustLogin(t, in, "cleo@example.org", password)
}
