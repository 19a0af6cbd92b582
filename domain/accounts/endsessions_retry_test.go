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
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// failingDeletes fails the session store's deletes while fail is set.
type failingDeletes struct {
	accounts.SessionStore
	fail atomic.Bool
}

func (s *failingDeletes) Delete(ctx context.Context, userID, tokenHash string) error {
	if s.fail.Load() {
		return errors.New("session store down")
	}
	return s.SessionStore.Delete(ctx, userID, tokenHash)
}

// TestARetriedEndOfSessionsEndsWhatTheFirstFailedTo: "log out everywhere
// else" is recorded, then the store fails to end the sessions (an error
// answered); its retry with the same Idempotency-Key, a replay that records
// nothing, still ends the sessions the first meant to end (the lost phone),
// but not one opened since.
func TestARetriedEndOfSessionsEndsWhatTheFirstFailedTo(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	st := connect(t, srv)
	store := &failingDeletes{SessionStore: st.sessions}
	st.sessions = store
	c := newClock()
	in := start(t, st, c.nowFunc())
	mustCreate(t, in, "ada@example.org", domain.RoleApplicant)
	here := mustLogin(t, in, "ada@example.org", password)
	phone := mustLogin(t, in, "ada@example.org", password)
	meta := aggregate.Meta{Command: "end_other_sessions", Actor: domain.Actor{ID: here.User.ID, Role: here.User.Role}, CommandID: "idem-lost-phone"}

	store.fail.Store(true)
	if _, _, err := in.EndOtherSessions(ctx, meta, here.User.ID, here.Token); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("the first attempt: got %v, want %s", err, domain.Unavailable)
	}
	store.fail.Store(false)
	c.add(2 * time.Second)
	since := mustLogin(t, in, "ada@example.org", password)

	res, n, err := in.EndOtherSessions(ctx, meta, here.User.ID, here.Token)
	if err != nil || !res.Duplicate || n != 1 {
		t.Fatalf("the retry: duplicate %v, %d ended, %v; want the replay to end 1", res.Duplicate, n, err)
	}
	if _, err := in.Authenticate(ctx, phone.Token); !domain.Is(err, domain.Unauthorized) {
		t.Fatalf("the lost phone's session after the retry: got %v, want %s", err, domain.Unauthorized)
	}
	for name, tok := range map[string]string{"the one asking": here.Token, "one opened since": since.Token} {
		if _, err := in.Authenticate(ctx, tok); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
