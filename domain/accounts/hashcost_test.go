package accounts_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// hashing is a process of its own on one JetStream, the new password
// hashes it makes counted, its feed behind gate (open until held).
type hashing struct {
	*instance
	st     stores
	hashes *atomic.Int64
	gate   *eventstoretest.Gate
}

func startHashing(t *testing.T, srv *natstest.Server) *hashing {
	t.Helper()
	st := connect(t, srv)
	gate := eventstoretest.NewGate(st.events)
	st.feed = gate
	in := start(t, st, time.Now)
	in.UseKDF(accounts.TestingKDF)
	return &hashing{instance: in, st: st, hashes: accounts.CountHashes(in.Service), gate: gate}
}

// wantHashes checks how many new password hashes p made since it was
// last asked.
func (p *hashing) wantHashes(t *testing.T, what string, want int64) {
	t.Helper()
	if got := p.hashes.Swap(0); got != want {
		t.Errorf("%s: %d password hashes made, want %d", what, got, want)
	}
}

// passwordChanges counts the user's password changes in the store.
func (p *hashing) passwordChanges(t *testing.T, userID string) int {
	t.Helper()
	events, err := p.st.events.Load(context.Background(), accounts.UserPrefix+"."+userID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Type == accounts.EventPasswordChanged {
			n++
		}
	}
	return n
}

func wantCredentialsChanged(t *testing.T, err error, what string) {
	t.Helper()
	if !domain.Is(err, domain.Conflict) || !errors.Is(err, accounts.ErrCredentialsChanged) {
		t.Fatalf("%s: got %v, want Conflict (ErrCredentialsChanged)", what, err)
	}
}

// A password reset that its decision refuses makes no password hash: the
// hash is slow on purpose, and whoever holds a used link must not make the
// server spend one for nothing. Not on the process that recorded the use,
// nor on one that has not applied it yet (it asks the store where the
// user's stream stands first). A reset that is made makes one hash; the
// retry of one recorded on a process behind is answered as recorded,
// without one.
func TestARefusedPasswordResetMakesNoHash(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	one, two := startHashing(t, srv), startHashing(t, srv)
	u := mustCreate(t, one.instance, "ada@example.org", domain.RoleApplicant)
	one.hashes.Store(0)
	two.catchUp(t)
	if _, err := two.User(ctx, u.ID); err != nil { // two holds the user as the link found them
		t.Fatal(err)
	}
	two.gate.Hold()
	reset := func(id string) aggregate.Meta {
		return aggregate.Meta{Command: "reset_password", CommandID: id, Actor: domain.Actor{ID: u.ID, Role: u.Role}}
	}
	const first, second = "the first new password", "the second new password"

	if _, err := one.ResetPassword(ctx, reset("reset-1"), u.ID, first, u.CredentialChanges, ""); err != nil {
		t.Fatal(err)
	}
	one.wantHashes(t, "a reset made", 1)

	_, err := one.ResetPassword(ctx, reset("reset-2"), u.ID, second, u.CredentialChanges, "")
	wantCredentialsChanged(t, err, "the link used again")
	one.wantHashes(t, "the link used again", 0)

	// two has not applied the first reset; it does a moment after the
	// link comes to it.
	time.AfterFunc(300*time.Millisecond, two.gate.Release)
	_, err = two.ResetPassword(ctx, reset("reset-3"), u.ID, second, u.CredentialChanges, "")
	wantCredentialsChanged(t, err, "the link used again on a process behind")
	two.wantHashes(t, "the link used again on a process behind", 0)

	// A reset recorded on one, retried on two before two has applied it
	// (its answer was lost): answered as recorded, once.
	cur, err := one.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	two.gate.Hold()
	if _, err := one.ResetPassword(ctx, reset("reset-4"), u.ID, second, cur.CredentialChanges, ""); err != nil {
		t.Fatal(err)
	}
	one.wantHashes(t, "a second link used", 1)
	time.AfterFunc(300*time.Millisecond, two.gate.Release)
	res, err := two.ResetPassword(ctx, reset("reset-4"), u.ID, second, cur.CredentialChanges, "")
	if err != nil || !res.Duplicate {
		t.Fatalf("the reset retried on a process behind: %+v, %v; want it answered as recorded", res, err)
	}
	two.wantHashes(t, "the reset retried on a process behind", 0)

	if n := one.passwordChanges(t, u.ID); n != 2 {
		t.Fatalf("%d password changes recorded, want 2", n)
	}
	mustLogin(t, two.instance, "ada@example.org", second)
}

// A registration and a change of password make a new password hash only
// when they are made: not for an email taken, nor for a wrong current
// password (its check against the stored hash is what tells it wrong, a
// login's cost, and it is counted by the throttle).
func TestAPasswordHashIsMadeOnlyForWhatIsRecorded(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	p := startHashing(t, srv)
	u := mustCreate(t, p.instance, "ada@example.org", domain.RoleApplicant)
	p.wantHashes(t, "a registration", 1)

	_, _, err := p.Create(ctx, aggregate.Meta{Command: "register"},
		accounts.NewUser{Email: "ADA@example.org", Password: "another long password", Name: "Another", Role: domain.RoleApplicant})
	wantCode(t, err, domain.Conflict, "a registration with an email taken")
	p.wantHashes(t, "a registration with an email taken", 0)

	me := aggregate.Meta{Command: "change_password", Actor: domain.Actor{ID: u.ID, Role: u.Role}}
	_, err = p.ChangePassword(ctx, me, u.ID, "not the password at all", "a new long password", "")
	wantCode(t, err, domain.Unauthorized, "a change with a wrong current password")
	p.wantHashes(t, "a change with a wrong current password", 0)

	if _, err := p.ChangePassword(ctx, me, u.ID, password, "a new long password", ""); err != nil {
		t.Fatal(err)
	}
	p.wantHashes(t, "a change made", 1)
}
