package accounts_test

import (
	"context"
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
