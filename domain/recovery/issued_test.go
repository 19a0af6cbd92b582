package recovery_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
)

// TestALinkTheOfficeMakesIsRecordedBeforeItWorks: the office's reset link
// is recorded on the user's stream with who made it, once for a retry of
// the command, and the password set with it names that office user. A
// record the store fails to write leaves no link: none works that the
// history does not show.
func TestALinkTheOfficeMakesIsRecordedBeforeItWorks(t *testing.T) {
	ctx := context.Background()
	p := processes(t, 1)[0]
	u, _, err := p.accts.Create(ctx, aggregate.Meta{Command: "register"},
		accounts.NewUser{Email: oldEmail, Password: oldPassword, Name: "Dora", Role: domain.RoleApplicant})
	if err != nil {
		t.Fatal(err)
	}

	p.appends.failNext(accounts.EventResetLinkIssued, false, nil)
	if _, err := p.rec.IssueReset(ctx, issuing, u.ID); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("the store failing: %v, want Unavailable", err)
	}
	if links, err := p.rec.Links(ctx, u); err != nil || len(links) != 0 {
		t.Fatalf("links after a record that failed: %v %v, want none", links, err)
	}

	meta := issuing
	meta.CommandID, meta.CorrelationID = "idem-link", "request-1"
	first, err := p.rec.IssueReset(ctx, meta, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.rec.IssueReset(ctx, meta, u.ID); err != nil { // its answer lost
		t.Fatal(err)
	}
	if n := p.count(t, u.ID, accounts.EventResetLinkIssued); n != 1 {
		t.Fatalf("%d %s events, want 1", n, accounts.EventResetLinkIssued)
	}

	_, token, _ := strings.Cut(first.Link, "token=")
	if _, err := p.rec.Reset(ctx, aggregate.Meta{Command: "reset_password"}, token, newPassword); err != nil {
		t.Fatal(err)
	}
	events, err := p.events.Load(ctx, accounts.UserPrefix+"."+u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		switch e.Type {
		case accounts.EventResetLinkIssued:
			if e.Actor != issuing.Actor || e.CorrelationID != meta.CorrelationID || strings.Contains(string(e.Data), token) {
				t.Errorf("the link's record: by %v, correlation %q, %s; want by %v, %q, without the token", e.Actor, e.CorrelationID, e.Data, issuing.Actor, meta.CorrelationID)
			}
		case accounts.EventPasswordChanged:
			var c accounts.PasswordChanged
			if err := json.Unmarshal(e.Data, &c); err != nil || c.IssuedBy != issuing.Actor.ID || e.Actor.ID != u.ID {
				t.Errorf("the password set with the link: by %v, issued_by %q; want by the user, issued_by %q", e.Actor, c.IssuedBy, issuing.Actor.ID)
			}
		}
	}
}
