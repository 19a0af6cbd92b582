package accounts_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// usersUnreadable is the real JetStream store whose reads of users'
// streams fail while down is set, as when JetStream is briefly
// unreachable; the email reservations stay readable.
type usersUnreadable struct {
	eventstore.Store
	down atomic.Bool
}

func (u *usersUnreadable) Load(ctx context.Context, stream string) ([]eventstore.Event, error) {
	if u.down.Load() && strings.HasPrefix(stream, accounts.UserPrefix+".") {
		return nil, errors.New("nats: no responders available for request")
	}
	return u.Store.Load(ctx, stream)
}

// A user the store cannot give is never "no such user": the holder of an
// email must not lose it to a newcomer because their stream could not be
// read, and a login, a profile or a list of users answers Unavailable
// rather than a wrong password, "not an assessor" or a gap.
func TestAStoreFailureIsNeverNoSuchUser(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	st := connect(t, srv)
	store := &usersUnreadable{Store: st.events}
	st.events = store
	clk := newClock()
	in := startWith(t, st, clk.nowFunc(), "", 1) // one user in memory: the others are read from their streams
	register := func(email string) (accounts.UserView, error) {
		u, _, err := in.Create(ctx, aggregate.Meta{Command: "register"},
			accounts.NewUser{Email: email, Password: password, Name: "Holder", Role: domain.RoleApplicant})
		return u, err
	}
	holder, err := register("held@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := register("other@example.org"); err != nil { // now the one user in memory
		t.Fatal(err)
	}
	clk.add(2 * accounts.ReservationGrace) // the reservation now holds only as far as its user's stream says

	store.down.Store(true)
	if u, err := register("held@example.org"); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("the holder's stream unreadable: register the same email got %+v, %v; want Unavailable", u, err)
	}
	if _, err := in.Login(ctx, "held@example.org", password, "client"); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("login: %v, want Unavailable (not a wrong password)", err)
	}
	if _, _, _, err := in.Profile(ctx, holder.ID); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("profile: %v, want Unavailable", err)
	}
	if page, _, err := in.UsersPage(ctx, domain.RoleApplicant, "", 0); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("users page: %d users, %v; want Unavailable", len(page), err)
	}
	if _, err := in.User(ctx, holder.ID); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("user: %v, want Unavailable (not NotFound)", err)
	}

	store.down.Store(false)
	if _, err := register("held@example.org"); !domain.Is(err, domain.Conflict) {
		t.Fatalf("the store back: register the holder's email: %v, want Conflict", err)
	}
	if id, ok, err := in.UserIDByEmail(ctx, "held@example.org"); err != nil || !ok || id != holder.ID {
		t.Fatalf("the email's user: %q, %v, %v; want the holder %s", id, ok, err, holder.ID)
	}
}

// keysUnreadable is the real JetStream key store whose reads fail while
// down is set, as when JetStream is briefly unreachable.
type keysUnreadable struct {
	pii.KeyStore
	down atomic.Bool
}

func (k *keysUnreadable) Get(ctx context.Context, subject string) ([]byte, error) {
	if k.down.Load() {
		return nil, errors.New("nats: no responders available for request")
	}
	return k.KeyStore.Get(ctx, subject)
}

// A key store that does not answer for a moment is no erasure: a view of
// the user shows their name and address as pii.Unavailable, not
// pii.Erased; what is kept or sent (UserOpened: mail, the register's
// holder name) gets Unavailable to retry, never a placeholder.
func TestAKeyStoreDownIsNoErasure(t *testing.T) {
	ctx := context.Background()
	srv := natstest.Start(t)
	st := connect(t, srv)
	carla := mustCreate(t, start(t, st, time.Now), "carla@example.org", domain.RoleApplicant)
	keys := &keysUnreadable{KeyStore: st.keys}
	second := start(t, stores{events: st.events, keys: keys, sessions: st.sessions}, time.Now) // no key in memory
	keys.down.Store(true)
	if v, err := second.User(ctx, carla.ID); err != nil || v.Erased || v.Name != pii.Unavailable || v.Email != pii.Unavailable {
		t.Fatalf("the user with the key store down: %+v, %v; want name and address %q", v, err, pii.Unavailable)
	}
	if v, err := second.UserOpened(ctx, carla.ID); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("UserOpened with the key store down: %+v, %v; want Unavailable", v, err)
	}
	if name, err := second.HolderName(ctx, carla.ID); err == nil {
		t.Fatalf("the holder's name with the key store down: %q, %v; want an error", name, err)
	}
	keys.down.Store(false)
	if v, err := second.UserOpened(ctx, carla.ID); err != nil || v.Name != "Someone" || v.Email != "carla@example.org" {
		t.Fatalf("UserOpened with the key store back: %+v, %v", v, err)
	}
}
