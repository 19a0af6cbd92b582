package accounts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// Two processes on one JetStream register one email at the same moment,
// four times each: exactly one registration wins, and both processes
// find that one user by the email.
func TestConcurrentRegistrationOfOneEmailFromTwoInstances(t *testing.T) {
	srv := natstest.Start(t)
	apps := []*instance{start(t, connect(t, srv), time.Now), start(t, connect(t, srv), time.Now)}
	const email = "race@example.org"
	type outcome struct {
		id  string
		err error
	}
	out := make(chan outcome, 8)
	var ready, start_ sync.WaitGroup
	start_.Add(1)
	for i := range 8 {
		ready.Add(1)
		go func() {
			ready.Done()
			start_.Wait()
			u, _, err := apps[i%2].Create(context.Background(), aggregate.Meta{Command: "register"},
				accounts.NewUser{Email: email, Password: password, Name: fmt.Sprintf("R%d", i), Role: domain.RoleApplicant})
			out <- outcome{u.ID, err}
		}()
	}
	ready.Wait()
	start_.Done()
	var winners []string
	for range 8 {
		o := <-out
		switch {
		case o.err == nil:
			winners = append(winners, o.id)
		case domain.Is(o.err, domain.Conflict):
		default:
			t.Fatalf("register: got %v, want success or Conflict", o.err)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("registrations that won: got %d (%v), want 1", len(winners), winners)
	}
	for i, a := range apps {
		a.catchUp(t)
		if id, ok, err := a.UserIDByEmail(context.Background(), email); err != nil || !ok || id != winners[0] {
			t.Errorf("process %d finds %s as %q (%v), want %s", i, email, id, ok, winners[0])
		}
		n := 0
		for _, u := range usersOf(t, a) {
			if u.Email == email {
				n++
			}
		}
		if n != 1 {
			t.Errorf("process %d lists %d users with %s, want 1", i, n, email)
		}
	}
}

// A registration that reserved its email and died before writing its user
// keeps the email from others for ReservationGrace only.
func TestReservationWithoutItsUserFreesItself(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	clk := newClock()
	in := start(t, st, clk.now)
	ghost := ulid.Make().String()
	appendEvent(t, in, st.events, accounts.EmailPrefix+"."+in.vault.Blind(accounts.NormaliseEmail("ghost@example.org")),
		accounts.EventEmailReserved, accounts.EmailReserved{UserID: ghost}, clk.now())
	_, _, err := in.Create(context.Background(), aggregate.Meta{Command: "register"},
		accounts.NewUser{Email: "Ghost@example.org", Password: password, Name: "G", Role: domain.RoleApplicant})
	wantCode(t, err, domain.Conflict, "register within the grace of a reservation")
	if _, ok, err := in.UserIDByEmail(context.Background(), "ghost@example.org"); err != nil || ok {
		t.Fatal("a reservation without its user finds a user")
	}
	clk.add(accounts.ReservationGrace + time.Second)
	u := mustCreate(t, in, "ghost@example.org", domain.RoleApplicant)
	mustLogin(t, in, "ghost@example.org", password)
	if id, _, _ := in.UserIDByEmail(context.Background(), "ghost@example.org"); id != u.ID {
		t.Fatalf("email finds %q, want the new user %s", id, u.ID)
	}
}

// Changing an email reserves the new one, records it, and releases the old
// one; a crash between the steps lets no two users share an email and does
// not lose the user.
func TestEmailChangeMovesTheReservation(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	clk := newClock()
	in := start(t, st, clk.now)
	ctx := context.Background()
	meta := aggregate.Meta{Command: "change_email", Actor: domain.System}
	ann := mustCreate(t, in, "ann@example.org", domain.RoleApplicant)
	bob := mustCreate(t, in, "bob@example.org", domain.RoleApplicant)

	t.Run("moves", func(t *testing.T) {
		if _, err := in.ChangeEmail(ctx, meta, ann.ID, "Ann.New@example.org"); err != nil {
			t.Fatal(err)
		}
		mustLogin(t, in, "ann.new@example.org", password)
		if _, err := in.Login(ctx, "ann@example.org", password, "test"); !domain.Is(err, domain.Unauthorized) {
			t.Fatalf("login with the old email: got %v, want Unauthorized", err)
		}
		if v, _ := in.User(ctx, ann.ID); v.Email != "Ann.New@example.org" {
			t.Fatalf("email shown: got %q", v.Email)
		}
		_, err := in.ChangeEmail(ctx, meta, bob.ID, "ann.new@EXAMPLE.org")
		wantCode(t, err, domain.Conflict, "bob takes ann's new email")
		mustCreate(t, in, "ann@example.org", domain.RoleApplicant) // the old one is free at once
	})
	t.Run("crash after reserving the new email", func(t *testing.T) {
		appendEvent(t, in, st.events, accounts.EmailPrefix+"."+in.vault.Blind("bob.next@example.org"),
			accounts.EventEmailReserved, accounts.EmailReserved{UserID: bob.ID}, clk.now())
		mustLogin(t, in, "bob@example.org", password) // bob keeps his email
		_, _, err := in.Create(ctx, aggregate.Meta{Command: "register"},
			accounts.NewUser{Email: "bob.next@example.org", Password: password, Name: "X", Role: domain.RoleApplicant})
		wantCode(t, err, domain.Conflict, "register bob's half-reserved email within the grace")
		clk.add(accounts.ReservationGrace + time.Second)
		mustCreate(t, in, "bob.next@example.org", domain.RoleApplicant)
		mustLogin(t, in, "bob@example.org", password)
	})
	t.Run("crash before releasing the old email", func(t *testing.T) {
		key := in.vault.Blind("bob.moved@example.org")
		appendEvent(t, in, st.events, accounts.EmailPrefix+"."+key,
			accounts.EventEmailReserved, accounts.EmailReserved{UserID: bob.ID}, clk.now())
		sealed, err := in.vault.Seal(ctx, bob.ID, "bob.moved@example.org")
		if err != nil {
			t.Fatal(err)
		}
		appendEvent(t, in, st.events, accounts.UserPrefix+"."+bob.ID,
			accounts.EventEmailChanged, accounts.EmailChanged{UserID: bob.ID, Email: sealed, EmailKey: key}, clk.now())
		mustLogin(t, in, "bob.moved@example.org", password)
		if _, err := in.Login(ctx, "bob@example.org", password, "test"); !domain.Is(err, domain.Unauthorized) {
			t.Fatalf("login with the old email: got %v, want Unauthorized", err)
		}
		// The old reservation is not confirmed by bob's stream any more:
		// past its grace it is free.
		clk.add(accounts.ReservationGrace + time.Second)
		mustCreate(t, in, "bob@example.org", domain.RoleApplicant)
		mustLogin(t, in, "bob.moved@example.org", password)
	})
}

// Erasing a user frees their email; the erased user stays listed as erased.
func TestErasureFreesTheEmail(t *testing.T) {
	srv := natstest.Start(t)
	in := start(t, connect(t, srv), time.Now)
	ctx := context.Background()
	u := mustCreate(t, in, "gone@example.org", domain.RoleApplicant)
	if _, err := in.Erase(ctx, aggregate.Meta{Command: "erase", Actor: domain.System}, u.ID, accounts.GroundRequest, "art. 17"); err != nil {
		t.Fatal(err)
	}
	if v, err := in.User(ctx, u.ID); err != nil || !v.Erased || v.Email != pii.Erased {
		t.Fatalf("erased user: got %+v, %v", v, err)
	}
	again := mustCreate(t, in, "gone@example.org", domain.RoleApplicant)
	if id, _, _ := in.UserIDByEmail(context.Background(), "gone@example.org"); id != again.ID {
		t.Fatalf("email finds %q, want the new user %s", id, again.ID)
	}
}

// A user moves away from an email and back at once: the move back finds
// the reservation still theirs, and the move away's release of it lands
// after. The email is still theirs by their own stream, so no one else
// may take it, within the grace or after it; and once they move away for
// good, it is free.
func TestAReleaseThatLandsAfterAMoveBackKeepsTheEmailTheirs(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	clk := newClock()
	in := start(t, st, clk.now)
	ctx := context.Background()
	ann := mustCreate(t, in, "ann@example.org", domain.RoleApplicant)
	// The late release, as the move away would write it.
	appendEvent(t, in, st.events, accounts.EmailPrefix+"."+in.vault.Blind("ann@example.org"),
		accounts.EventEmailReleased, accounts.EmailReleased{UserID: ann.ID}, clk.now())
	for _, wait := range []time.Duration{0, accounts.ReservationGrace + time.Second} {
		clk.add(wait)
		_, _, err := in.Create(ctx, aggregate.Meta{Command: "register"},
			accounts.NewUser{Email: "Ann@example.org", Password: password, Name: "X", Role: domain.RoleApplicant})
		wantCode(t, err, domain.Conflict, fmt.Sprintf("register ann's email %v after its late release", wait))
		mustLogin(t, in, "ann@example.org", password)
	}
	if _, err := in.ChangeEmail(ctx, aggregate.Meta{Command: "change_email", Actor: domain.System}, ann.ID, "ann.next@example.org"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, in, "ann@example.org", domain.RoleApplicant) // moved away for good: free
}

// Users are listed oldest first, a page at a time, by role.
func TestUsersArePaged(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	ids := importUsers(t, st, 25, "paged")
	in := start(t, st, time.Now)
	office := mustCreate(t, in, "office@example.org", domain.RoleOffice)
	ctx := context.Background()
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		page, next, err := in.UsersPage(ctx, domain.RoleApplicant, after, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page {
			got = append(got, u.ID)
		}
		if next == "" {
			if pages != 2 {
				t.Fatalf("pages of 10 of 25 applicants: got %d, want 3", pages+1)
			}
			break
		}
		after = next
	}
	if !slicesEqualSorted(got, ids) {
		t.Fatalf("applicants paged: got %v, want %v", got, ids)
	}
	if page, next, err := in.UsersPage(ctx, domain.RoleOffice, "", 10); err != nil || len(page) != 1 || page[0].ID != office.ID || next != "" {
		t.Fatalf("office users: got %+v, next %q", page, next)
	}
}

func appendEvent(t *testing.T, in *instance, store eventstore.Store, stream, typ string, data any, at time.Time) {
	t.Helper()
	ctx := context.Background()
	head, err := store.Head(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := store.Append(ctx, eventstore.AppendRequest{Stream: stream, Expected: head, Events: []eventstore.Event{{
		ID: ulid.Make().String(), Type: typ, SchemaVersion: 1, OccurredAt: at.UTC(), Actor: domain.System, Data: b}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.feed.WaitFor(ctx, res.Head.Seq); err != nil {
		t.Fatal(err)
	}
}

func slicesEqualSorted(got, want []string) bool {
	w := slices.Clone(want)
	slices.Sort(w)
	return slices.Equal(got, w)
}
