package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/mail"
)

// A recipient's mail, for their right of access: what the outbox holds for
// them, opened, oldest first, and nothing written to anyone else; asked
// before the outbox is loaded it is Unavailable, never a list short of
// what is stored.
func TestTheMailToOneRecipientIsTheirsOnlyAndWhole(t *testing.T) {
	ctx := context.Background()
	store, vault := outboxStores(t)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	writer := mail.NewOutbox(mail.Options{Store: store, Vault: vault, Now: clock})
	for _, d := range []mail.Draft{
		{ID: "e1.returned.u-carla", Kind: mail.KindReturned, RecipientID: "u-carla", Email: "carla@example.org", Subject: "Returned", Body: "Dear Carla"},
		{ID: "e2.assigned.u-anna", Kind: mail.KindAssigned, RecipientID: "u-anna", Email: "anna@example.org", Subject: "Assigned", Body: "Dear Anna"},
		{ID: "e3.decision.u-carla", Kind: mail.KindDecision, RecipientID: "u-carla", Email: "carla@example.org", Subject: "Decided", Body: "Dear Carla, again"},
	} {
		if _, err := writer.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}

	reader := mail.NewOutbox(mail.Options{Store: store, Vault: vault, Now: clock}) // another process, its index not loaded
	if _, err := reader.To(ctx, "u-carla"); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("asked before the outbox is loaded: got %v, want Unavailable", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	go reader.Run(runCtx)
	got, err := reader.To(ctx, "u-carla")
	for deadline := time.Now().Add(time.Minute); domain.Is(err, domain.Unavailable) && time.Now().Before(deadline); {
		got, err = reader.To(ctx, "u-carla") // a slow machine loads it later
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "e1.returned.u-carla" || got[1].ID != "e3.decision.u-carla" {
		t.Fatalf("carla's mail: got %+v, want e1 then e3", got)
	}
	if got[1].To != "carla@example.org" || got[1].Body != "Dear Carla, again" || got[1].Subject != "Decided" || got[1].Status != mail.StatusKept {
		t.Fatalf("carla's mail opened: got %+v", got[1])
	}
}
