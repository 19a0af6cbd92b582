package recovery

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/emcc/accredit/domain"
)

// Two limits keep the links from being used to flood an inbox or the
// store, neither of which tells whether an address is registered:
//
//   - a client (by address, as the server sees it) may ask for ClientBurst
//     reset links at once and one more every ClientEvery after that; past
//     it the request is refused before anything is looked up, alike for
//     every email, with the time to wait. The count is per process: with
//     two accreditd behind a balancer a client gets twice as many.
//   - an account is sent at most PerHour links of one purpose in a clock
//     hour (UTC), across every process: each is a slot created once in the
//     store (Store.Reserve), so a fourth request in that hour mails
//     nothing and stores no token, and its answer is the same as ever.
const (
	ClientBurst = 5
	ClientEvery = 3 * time.Minute
	PerHour     = 3
)

// clients is the per-client limit of reset requests.
type clients struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// maxClients bounds the memory a spray of client addresses can take: past
// it, clients whose allowance is whole again are forgotten.
const maxClients = 100_000

// allow takes one request of client at now, or says how long to wait.
func (c *clients) allow(client string, now time.Time) (wait time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*rate.Limiter{}
	}
	if len(c.m) >= maxClients {
		for k, l := range c.m {
			if l.TokensAt(now) >= ClientBurst {
				delete(c.m, k)
			}
		}
	}
	l := c.m[client]
	if l == nil {
		l = rate.NewLimiter(rate.Every(ClientEvery), ClientBurst)
		c.m[client] = l
	}
	r := l.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // a refused request does not use up the next one
		return d
	}
	return 0
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
