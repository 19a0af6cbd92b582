package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// An erasure ends the person's sessions: they were of no use once the
// account is erased, and nothing of the person is left to lapse later.
func TestAnErasureEndsThePersonsSessions(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	in := start(t, st, time.Now)
	ctx := context.Background()
	ada := mustCreate(t, in, "ada@example.org", domain.RoleAssessor)
	mustLogin(t, in, "ada@example.org", password)
	mustLogin(t, in, "ada@example.org", password)
	if got, err := st.sessions.List(ctx, ada.ID); err != nil || len(got) != 2 {
		t.Fatalf("sessions before the erasure: %v, %v; want 2", got, err)
	}
	office := aggregate.Meta{Command: "erase", Actor: domain.Actor{ID: "01J00000000000000000000OFF", Role: domain.RoleOffice}}
	if _, err := in.Erase(ctx, office, ada.ID, accounts.GroundRequest, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := st.sessions.List(ctx, ada.ID); err != nil || len(got) != 0 {
		t.Fatalf("sessions after the erasure: %v, %v; want none", got, err)
	}
}
