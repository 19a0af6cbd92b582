package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

const ownerEmail = "owner@example.org"

// throttledPair starts two processes' accounts services on one JetStream,
// each counting failed logins in the shared bucket through its own
// connection, with a clock that stands still (the throttle's first delay
// is a second, which a busy machine can outlast), and a user ownerEmail
// with password.
func throttledPair(t *testing.T) [2]*instance { return throttledPairAt(t, newClock()) }

// throttledPairAt is throttledPair on the clock c.
func throttledPairAt(t *testing.T, c *clock) [2]*instance {
	t.Helper()
	ctx := context.Background()
	srv := natstest.Start(t)
	now := c.nowFunc()
	var out [2]*instance
	for i := range out {
		st := connect(t, srv)
		failures, err := natsstore.OpenThrottleStore(ctx, st.events.(*natsstore.EventStore).JetStream(), natsstore.Config{}, accounts.FailWindow)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = start(t, st, now)
		out[i].UseKDF(accounts.TestingKDF)
		out[i].UseThrottleStore(failures)
	}
	if _, _, err := out[0].EnsureAdmin(ctx, ownerEmail, password); err != nil {
		t.Fatal(err)
	}
	out[1].catchUp(t)
	return out
}

// login tries email and pass from client, and returns the error's code
// ("" when logged in).
func login(t *testing.T, in *instance, email, pass, client string) domain.Code {
	t.Helper()
	_, err := in.Login(context.Background(), email, pass, client)
	return codeOf(t, err)
}

// codeOf is a login's error's code ("" for none).
func codeOf(t *testing.T, err error) domain.Code {
	t.Helper()
	var de *domain.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &de):
		return de.Code
	}
	t.Fatalf("login: %v", err)
	return ""
}

// TestFailedLoginsCountAcrossProcesses: the failures made through two
// processes count together. Counted per process, each let an address make
// its five free tries, and an account its own, so a cluster of N allowed
// N times the guesses.
func TestFailedLoginsCountAcrossProcesses(t *testing.T) {
	in := throttledPair(t)

	// One address, alternating between the processes.
	for i := range accounts.ClientFailures {
		if got := login(t, in[i%2], ownerEmail, "wrong password!", "192.0.2.1"); got != domain.Unauthorized {
			t.Fatalf("failure %d from one address: got %q, want %q", i+1, got, domain.Unauthorized)
		}
	}
	for i, p := range in {
		if got := login(t, p, ownerEmail, password, "192.0.2.1"); got != domain.TooManyRequests {
			t.Fatalf("process %d, the right password after %d failures through both: got %q, want %q",
				i+1, accounts.ClientFailures, got, domain.TooManyRequests)
		}
	}

	// Many addresses, each below its own limit, at another account.
	const victim = "victim@example.org"
	for i := range accounts.AccountFailures {
		client := fmt.Sprintf("198.51.100.%d", i/2+1) // two tries each
		if got := login(t, in[i%2], victim, "wrong password!", client); got != domain.Unauthorized {
			t.Fatalf("failure %d at the account: got %q, want %q", i+1, got, domain.Unauthorized)
		}
	}
	for i, p := range in {
		if got := login(t, p, victim, "wrong password!", "203.0.113.9"); got != domain.TooManyRequests {
			t.Fatalf("process %d, a fresh address after %d failures at the account through both: got %q, want %q",
				i+1, accounts.AccountFailures, got, domain.TooManyRequests)
		}
	}
}

// TestAnAttackerDoesNotLockTheOwnerOut: wrong passwords sent for a known
// email from one address slow that address down, not the owner logging in
// from another, until the account's own limit, which takes many addresses.
func TestAnAttackerDoesNotLockTheOwnerOut(t *testing.T) {
	in := throttledPair(t)
	const attacker, owner = "192.0.2.66", "192.0.2.10"
	for i := range accounts.ClientFailures + 1 {
		login(t, in[i%2], ownerEmail, "wrong password!", attacker)
	}
	if got := login(t, in[0], ownerEmail, password, attacker); got != domain.TooManyRequests {
		t.Fatalf("the attacker's address, even with the right password: got %q, want %q", got, domain.TooManyRequests)
	}
	for i, p := range in {
		if got := login(t, p, ownerEmail, password, owner); got != "" {
			t.Fatalf("process %d, the owner from another address: got %q, want a login", i+1, got)
		}
	}

	// The owner's login forgot the account's failures: it takes the
	// account's limit again, from addresses each below their own, to stop
	// the owner too.
	for i := range accounts.AccountFailures {
		client := fmt.Sprintf("198.51.100.%d", i/(accounts.ClientFailures-1)+1)
		if got := login(t, in[i%2], ownerEmail, "wrong password!", client); got != domain.Unauthorized {
			t.Fatalf("failure %d from many addresses: got %q, want %q", i+1, got, domain.Unauthorized)
		}
	}
	if got := login(t, in[1], ownerEmail, password, owner); got != domain.TooManyRequests {
		t.Fatalf("the owner after %d failures at the account: got %q, want %q", accounts.AccountFailures, got, domain.TooManyRequests)
	}
}

// TestAnIPv6AttackerCountsAsOneSubscriber: an IPv6 subscriber is given a
// /64, 2^64 addresses; counted one by one, each would get its own free
// tries. Failures from across a /64 count together; another /64, and an
// IPv4 address written as IPv6, count on their own.
func TestAnIPv6AttackerCountsAsOneSubscriber(t *testing.T) {
	in := throttledPair(t)
	for i := range accounts.ClientFailures + 1 {
		login(t, in[i%2], ownerEmail, "wrong password!", fmt.Sprintf("2001:db8:1:2:%x::%x", i, i+1))
	}
	if got := login(t, in[0], ownerEmail, password, "2001:db8:1:2:ffff::1"); got != domain.TooManyRequests {
		t.Fatalf("another address of the attacker's /64: got %q, want %q", got, domain.TooManyRequests)
	}
	if got := login(t, in[1], ownerEmail, password, "2001:db8:1:3::1"); got != "" {
		t.Fatalf("the next /64: got %q, want a login", got)
	}
	if got := login(t, in[0], ownerEmail, password, "::ffff:192.0.2.7"); got != "" {
		t.Fatalf("an IPv4 address written as IPv6: got %q, want a login", got)
	}
}

// TestABurstOfWrongPasswordsGetsNoMoreTriesThanTheLimit: a failure is
// counted once its password is checked, a slow hash, so tries sent all at
// once would each pass the throttle before the first was counted. A
// process checks two tries of an account (or from a client) at a time and
// refuses the others at once.
func TestABurstOfWrongPasswordsGetsNoMoreTriesThanTheLimit(t *testing.T) {
	srv := natstest.Start(t)
	in := start(t, connect(t, srv), newClock().nowFunc())
	mustCreate(t, in, "ada@example.org", domain.RoleAssessor) // hashed at the real cost
	const burst = 16
	errs := make([]error, burst)
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for i := range burst {
		wg.Go(func() {
			<-ready
			_, errs[i] = in.Login(context.Background(), "ada@example.org", "wrong password!", "192.0.2.9")
		})
	}
	close(ready)
	wg.Wait()
	checked := 0
	for _, err := range errs {
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.Unauthorized && de.Code != domain.TooManyRequests {
			t.Fatalf("a try of the burst: %v", err)
		}
		if de.Code == domain.Unauthorized {
			checked++
		}
	}
	if limit := accounts.ClientFailures + 2; checked > limit {
		t.Fatalf("%d of %d wrong passwords sent at once were checked; at most %d may be", checked, burst, limit)
	}
}
