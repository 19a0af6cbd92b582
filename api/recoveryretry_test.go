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
// password (200), and is answered so again; once it has, another key, or
// none, is refused the link (400).
func TestAResetThatFailedInTheStoreIsRetriedWithItsKey(t *testing.T) {
	tm, store := newFailingTeam(t)
	token := resetToken(t, tm)
	body := map[string]string{"token": token, "password": "the office's new password"}
	reset := Request{Method: "POST", Path: "/api/v1/auth/password-resets", Body: body, Header: keyed("reset-1")}

	store.armed.Store(true)
	Expect(t, tm.in.Do(t, reset), 503)
	first := Expect(t, tm.in.Do(t, reset), 200)
	tm.in.Login(t, tm.applicant.Email, "the office's new password")
	if r := tm.in.Do(t, reset); r.Status != 200 || r.Map(t)["seq"] != first.Map(t)["seq"] {
		t.Fatalf("the retry again: got %d %s, want 200 as the first (%s)", r.Status, r.Body, first.Body)
	}
	other := reset
	other.Header = keyed("reset-2")
	if r := Expect(t, tm.in.Do(t, other), 400); !strings.Contains(string(r.Body), `"token"`) {
		t.Fatalf("another key: %s, want the invalid link", r.Body)
	}
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-resets", "", body), 400) // no key
}

// TestAResetThatFailedInTheStoreLeavesTheLinkWorking: a reset the event
// store failed recorded nothing, so its link is not used up: a new
// request with another key (the user opened the link again) sets the
// password. Then the link is refused to every key but that one, the
// failed attempt's too, and to none.
func TestAResetThatFailedInTheStoreLeavesTheLinkWorking(t *testing.T) {
	tm, store := newFailingTeam(t)
	token := resetToken(t, tm)
	body := map[string]string{"token": token, "password": "the office's new password"}
	reset := func(key string) Request {
		return Request{Method: "POST", Path: "/api/v1/auth/password-resets", Body: body, Header: keyed(key)}
	}

	store.armed.Store(true)
	Expect(t, tm.in.Do(t, reset("reset-1")), 503)
	again := Expect(t, tm.in.Do(t, reset("reset-2")), 200)
	tm.in.Login(t, tm.applicant.Email, "the office's new password")
	for _, key := range []string{"reset-1", "reset-3"} {
		if r := Expect(t, tm.in.Do(t, reset(key)), 400); !strings.Contains(string(r.Body), `"token"`) {
			t.Fatalf("key %s once the link was used: %s, want the invalid link", key, r.Body)
		}
	}
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-resets", "", body), 400) // no key
	if r := tm.in.Do(t, reset("reset-2")); r.Status != 200 || r.Map(t)["seq"] != again.Map(t)["seq"] {
		t.Fatalf("the request that set it, retried: got %d %s, want 200 as it was (%s)", r.Status, r.Body, again.Body)
	}
}

// newFailingTeam is a team whose accounts' event store fails a password
// change when armed.
func newFailingTeam(t *testing.T) (*team, *passwordChangeFails) {
	t.Helper()
	var store *passwordChangeFails
	tm := newTeamWith(t, app.Options{AccountsStore: func(s eventstore.Store) eventstore.Store {
		store = &passwordChangeFails{Store: s}
		return store
	}})
	return tm, store
}

// resetToken is the token of a reset link the office makes for the team's
// applicant.
func resetToken(t *testing.T, tm *team) string {
	t.Helper()
	l := Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/password-reset-links", tm.admin, nil), 201).Map(t)
	return tokenIn.FindStringSubmatch(l["link"].(string))[1]
}
