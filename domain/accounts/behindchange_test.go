package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// A change of password on a process that has not yet applied a change made
// on another checks the current password against the user as the store
// holds them: the password the other change replaced no longer changes it
// (it did, on the process behind, which held the old hash). The retry of a
// change recorded on one, sent to the other before it has applied it (its
// answer was lost), is answered as recorded, not refused for its current
// password, which the change itself replaced.
func TestAChangeOfPasswordOnAProcessBehindChecksThePasswordAsStored(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	one, two := startHashing(t, srv), startHashing(t, srv)
	u := mustCreate(t, one.instance, "ada@example.org", domain.RoleApplicant)
	two.catchUp(t)
	if _, err := two.User(ctx, u.ID); err != nil { // two holds the user and their hash
		t.Fatal(err)
	}
	change := func(id string) aggregate.Meta {
		return aggregate.Meta{Command: "change_password", CommandID: id, Actor: domain.Actor{ID: u.ID, Role: u.Role}}
	}
	const first, second, third = "the first new password", "the second new password", "the third new password"

	two.gate.Hold()
	if _, err := one.ChangePassword(ctx, change("change-1"), u.ID, password, first, ""); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, two.gate.Release)
	_, err := two.ChangePassword(ctx, change("change-2"), u.ID, password, second, "")
	wantCode(t, err, domain.Unauthorized, "a change on a process behind, with the password replaced")

	two.gate.Hold()
	if _, err := one.ChangePassword(ctx, change("change-3"), u.ID, first, third, ""); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, two.gate.Release)
	res, err := two.ChangePassword(ctx, change("change-3"), u.ID, first, third, "")
	if err != nil || !res.Duplicate {
		t.Fatalf("the change retried on a process behind: %+v, %v; want it answered as recorded", res, err)
	}

	if n := one.passwordChanges(t, u.ID); n != 2 {
		t.Fatalf("%d password changes recorded, want 2", n)
	}
	mustLogin(t, two.instance, "ada@example.org", third)
}
