package api_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/eventstore"
)

// passwordChangeFails is the real event store whose next append of a
// password change fails before anything is written, once armed.
type passwordChangeFails struct {
	eventstore.Store
	armed atomic.Bool
}

func (p *passwordChangeFails) Append(ctx context.Context, req eventstore.AppendRequest) (eventstore.Result, error) {
	if len(req.Events) > 0 && req.Events[0].Type == accounts.EventPasswordChanged && p.armed.CompareAndSwap(true, false) {
		return eventstore.Result{}, errors.New("nats: no responders available for request")
	}
	return p.Store.Append(ctx, req)
}

// TestAResetThatFailedInTheStoreIsRetriedWithItsKey: POST
// /auth/password-resets whose password change the event store fails is a
// 503, and leaves the link to the same Idempotency-Key: its retry sets the
// password (200); another key, or none, is refused the link (400).
func TestAResetThatFailedInTheStoreIsRetriedWithItsKey(t *testing.T) {
	var store *passwordChangeFails
	tm := newTeamWith(t, app.Options{AccountsStore: func(s eventstore.Store) eventstore.Store {
		store = &passwordChangeFails{Store: s}
		return store
	}})
	l := Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/password-reset-links", tm.admin, nil), 201).Map(t)
	token := tokenIn.FindStringSubmatch(l["link"].(string))[1]
	body := map[string]string{"token": token, "password": "the office's new password"}
	reset := Request{Method: "POST", Path: "/api/v1/auth/password-resets", Body: body, Header: keyed("reset-1")}

	store.armed.Store(true)
	Expect(t, tm.in.Do(t, reset), 503)
	other := reset
	other.Header = keyed("reset-2")
	if r := Expect(t, tm.in.Do(t, other), 400); !strings.Contains(string(r.Body), `"token"`) {
		t.Fatalf("another key: %s, want the invalid link", r.Body)
	}
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-resets", "", body), 400) // no key
	first := Expect(t, tm.in.Do(t, reset), 200)
	tm.in.Login(t, tm.applicant.Email, "the office's new password")
	if r := tm.in.Do(t, reset); r.Status != 200 || r.Map(t)["seq"] != first.Map(t)["seq"] {
		t.Fatalf("the retry again: got %d %s, want 200 as the first (%s)", r.Status, r.Body, first.Body)
	}
	Expect(t, tm.in.Do(t, other), 400)
}
