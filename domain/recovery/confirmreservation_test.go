package recovery_test

import (
	"context"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/recovery"
)

// dora registers the user the links are for, on p.
func dora(t *testing.T, p *process) accounts.UserView {
	t.Helper()
	u, _, err := p.accts.Create(context.Background(), aggregate.Meta{Command: "register"},
		accounts.NewUser{Email: oldEmail, Password: oldPassword, Name: "Dora", Role: domain.RoleApplicant})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// An email confirmation refused because its user's credentials changed
// since the link was issued does not hold the new address: it can be
// registered at once, not only once accounts.ReservationGrace has passed.
// Here the confirmation is the retry of one whose reservation of the
// address the event store failed (nothing was written), and the office
// ended the user's sessions in between: the retry is not asked whether the
// link is still theirs before it runs (see TestARetryIsRefusedItsLinkOnce
// TheUserShutOthersOut), and the change refuses it as it decides.
func TestARefusedConfirmationLeavesTheAddressFree(t *testing.T) {
	ctx := context.Background()
	in := processes(t, 1)[0]
	u := dora(t, in)
	confirm := purposes[1]
	if confirm.purpose != recovery.PurposeEmail {
		t.Fatalf("purposes[1] is %s, want the email confirmation", confirm.purpose)
	}
	token := confirm.link(t, in, u)
	meta := aggregate.Meta{CommandID: "idem-confirm", RequestHash: "request-1"}
	in.appends.failNext(accounts.EventEmailReserved, false, nil)
	if err := confirm.use(in, meta, token); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("the store failing: %v, want Unavailable", err)
	}
	if _, _, err := in.accts.EndSessions(ctx, aggregate.Meta{Command: "end_sessions", Actor: domain.Actor{ID: "office", Role: domain.RoleOffice}}, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := confirm.use(in, meta, token); !isBadLink(err) {
		t.Fatalf("the retry after the sessions were ended: %v, want the invalid link", err)
	}
	if _, _, err := in.accts.Create(ctx, aggregate.Meta{Command: "register"},
		accounts.NewUser{Email: newEmail, Password: oldPassword, Name: "Eve", Role: domain.RoleApplicant}); err != nil {
		t.Fatalf("registering the address the refused confirmation named: %v, want it free", err)
	}
}
