package recovery

import (
	"context"
	"fmt"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
)

// Two limits keep the links from being used to flood an inbox or the
// store, neither of which tells whether an address is registered:
//
//   - a client (by address, as the server sees it) may ask for ClientBurst
//     reset links at once and one more every ClientEvery after that; past
//     it the request is refused before anything is looked up, alike for
//     every email, with the time to wait. The count is shared by every
//     process (Options.Throttle): counted per process, a cluster of N
//     replicas let a client ask N times as often.
//   - an account is sent at most PerHour links of one purpose in a clock
//     hour (UTC), across every process: each is a slot created once in the
//     store (Store.Reserve), so a fourth request in that hour mails
//     nothing and stores no token, and its answer is the same as ever.
const (
	ClientBurst = 5
	ClientEvery = 3 * time.Minute
	PerHour     = 3
)

// ClientWindow is how long after its last request a client's allowance is
// whole again: from then its count holds nothing back and may be forgotten.
//
// The counts live in the login throttle's store (accounts.ThrottleStore;
// on JetStream its bucket, ACCREDIT_LOGIN_FAILURES), under keys of their
// own ("reset.client." and a keyed digest of the address), rather than in a
// bucket of their own: ClientWindow is the login throttle's FailWindow (15
// minutes), the TTL that bucket's entries expire after, so one bucket
// serves both and a deployment has nothing new to create. accreditd opens
// it with the longer of the two, should they ever part.
const ClientWindow = ClientBurst * ClientEvery

// clientKey names a client's count: by a keyed digest of its address (an
// IPv6 address's /64, as the login throttle counts it), so that the shared
// store holds no address in clear.
func (s *Service) clientKey(client string) string {
	return "reset.client." + s.o.Vault.Blind(accounts.ClientNetwork(client))
}

// allow takes one request of client at now, or says how long to wait.
//
// The count is a token bucket kept as one time (generic cell rate): Until
// is when the client may next ask. Each request allowed moves it on by
// ClientEvery from no earlier than (ClientBurst-1)×ClientEvery before now,
// so a client that has not asked for ClientWindow has its whole burst
// again. A refused request changes nothing, so it does not use up the next
// one. The update is made at the revision read (ThrottleStore.Update):
// requests through two processes at once are both counted. It is stored as
// the login throttle's accounts.Failures, whose Until means the same ("no
// tries until then"); Count and First are the requests since the
// allowance was last whole, and when they began.
func (s *Service) allow(ctx context.Context, client string, now time.Time) (wait time.Duration, err error) {
	key := s.clientKey(client)
	// Read first: a client past its limit, as in a flood, costs no write.
	f, err := s.o.Throttle.Get(ctx, key)
	if err != nil {
		return 0, domain.Wrap(domain.Unavailable, err, "request throttle unavailable")
	}
	if f.Until.After(now) {
		return f.Until.Sub(now), nil
	}
	err = s.o.Throttle.Update(ctx, key, func(f accounts.Failures) accounts.Failures {
		if f.Until.After(now) { // another process took the last one meanwhile
			wait = f.Until.Sub(now)
			return f
		}
		wait = 0
		earliest := now.Add(-(ClientBurst - 1) * ClientEvery)
		if f.Until.Before(earliest) {
			f = accounts.Failures{First: now, Until: earliest}
		}
		f.Count++
		f.Until = f.Until.Add(ClientEvery)
		return f
	})
	if err != nil {
		return 0, domain.Wrap(domain.Unavailable, err, "request throttle unavailable")
	}
	return wait, nil
}

// tooMany is the refusal of a client past its limit.
func tooMany(what string, wait time.Duration) error {
	secs := int(wait.Round(time.Second).Seconds())
	if secs < 1 {
		secs = 1
	}
	return &domain.Error{Code: domain.TooManyRequests, RetryAfter: secs,
		Message: fmt.Sprintf("too many %s from this client; try again in %d seconds", what, secs)}
}

// reserve takes one of the account's PerHour slots for purpose in this
// clock hour; false when all are taken.
func (s *Service) reserve(ctx context.Context, purpose Purpose, userID string) (bool, error) {
	hour := s.o.Now().UTC().Format("2006010215")
	for n := range PerHour {
		ok, err := s.o.Store.Reserve(ctx, fmt.Sprintf("%s.%s.%s.%d", purpose, userID, hour, n))
		if err != nil {
			return false, domain.Wrap(domain.Unavailable, err, "link store unavailable")
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// untilNextHour is how long until the slots of this hour are renewed.
func (s *Service) untilNextHour() time.Duration {
	now := s.o.Now().UTC()
	return now.Truncate(time.Hour).Add(time.Hour).Sub(now)
}

// Sweep removes from the store the links that ran out more than a day ago
// (used or not) and the slots of the hours before this one, so neither
// piles up. It returns how many it removed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.o.Now().UTC()
	hour := now.Format("2006010215")
	return s.o.Store.Sweep(ctx,
		func(t Token) bool { return now.Sub(t.ExpiresAt) > 24*time.Hour },
		func(h string) bool { return h < hour })
}
