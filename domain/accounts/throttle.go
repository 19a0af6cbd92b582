package accounts

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// The login throttle's limits: after this many failures within FailWindow,
// each further try is refused for a delay that doubles with every failure,
// up to FailWindow.
//
// A client (an address) is held to few failures whichever accounts it
// tries, so one address cannot spray guesses across accounts. An account
// takes more, from all addresses together: when it took as few as one
// client, anyone who knew a user's email could lock them out by sending
// wrong passwords for it. Its limit still bounds the guesses that many
// addresses together make at one account.
const (
	ClientFailures  = 5
	AccountFailures = 20
	FailWindow      = 15 * time.Minute
)

// Failures is what a ThrottleStore keeps of one counter.
type Failures struct {
	Count int       `json:"count"`
	First time.Time `json:"first"` // when the window of these failures began
	Until time.Time `json:"until"` // tries are refused until then
}

// ThrottleStore keeps the login throttle's counters. On JetStream every
// process counts into the same ones (natsstore.ThrottleStore): counted per
// process, a cluster of N replicas allowed N times the tries. A counter
// not updated for FailWindow may be forgotten (it no longer holds anything
// back).
type ThrottleStore interface {
	// Get returns key's failures, zero when there are none.
	Get(ctx context.Context, key string) (Failures, error)
	// Update stores fn's change of key's failures. fn may be called again
	// with what another process wrote meanwhile: no failure is lost.
	Update(ctx context.Context, key string, fn func(Failures) Failures) error
	// Delete forgets key's failures.
	Delete(ctx context.Context, key string) error
}

// throttle slows down repeated failed logins per account and per client
// (see ClientFailures).
type throttle struct {
	store ThrottleStore
	now   func() time.Time
	// blind names an email or an address in the store by a keyed digest:
	// the store holds no personal data in clear.
	blind func(string) string
	// checking are the tries this process is checking now (see enter).
	checking inflight
}

// inflightTries bounds the tries of one account, and of one client, that
// one process checks at once. A failure is counted once its password is
// checked (a slow hash): without a bound, a burst sent at once would all
// pass the throttle before the first of them was counted. Two, so that a
// double click is still answered as a login.
const inflightTries = 2

// inflight counts the tries being checked, by counter key.
type inflight struct {
	mu sync.Mutex
	n  map[string]int
}

// enter takes a place for a try of account from client; false when one of
// them has inflightTries being checked already.
func (t *throttle) enter(account, client string) bool {
	cs := t.counters(account, client)
	f := &t.checking
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		if f.n[c.key] >= inflightTries {
			return false
		}
	}
	if f.n == nil {
		f.n = map[string]int{}
	}
	for _, c := range cs {
		f.n[c.key]++
	}
	return true
}

// leave gives back what enter took.
func (t *throttle) leave(account, client string) {
	cs := t.counters(account, client)
	f := &t.checking
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		if f.n[c.key]--; f.n[c.key] <= 0 {
			delete(f.n, c.key)
		}
	}
}

// counter is one count a failure adds to, and the failures it lets go
// before tries are slowed down.
type counter struct {
	key  string
	free int
}

// counters are what a failure counts against: the account, and the client
// when one is known. A change of password names no client (it is made in
// a session of the account): its account counter keeps the client's
// limit. Counted under an empty client, every user's wrong tries once
// blocked every other user's change.
func (t *throttle) counters(account, client string) []counter {
	if client == "" {
		return []counter{{"account." + t.blind(account), ClientFailures}}
	}
	return []counter{
		{"account." + t.blind(account), AccountFailures},
		{"client." + t.blind(ClientNetwork(client)), ClientFailures},
	}
}

// ClientNetwork is what a client's failures count under: its IPv4
// address, or its IPv6 address's /64, the block one subscriber is given
// (an attacker there holds 2^64 addresses, each of which would otherwise
// get its own free tries). Anything else counts as it stands.
func ClientNetwork(client string) string {
	ip, err := netip.ParseAddr(client)
	if err != nil {
		return client
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip.WithZone(""), 64).Masked().String()
}

// blocked returns how long tries of account from client are refused (0
// when they are not).
func (t *throttle) blocked(ctx context.Context, account, client string) (time.Duration, error) {
	now := t.now()
	var wait time.Duration
	for _, c := range t.counters(account, client) {
		f, err := t.store.Get(ctx, c.key)
		if err != nil {
			return 0, err
		}
		if f.Until.After(now) {
			wait = max(wait, f.Until.Sub(now))
		}
	}
	return wait, nil
}

func (t *throttle) fail(ctx context.Context, account, client string) error {
	now := t.now()
	for _, c := range t.counters(account, client) {
		err := t.store.Update(ctx, c.key, func(f Failures) Failures {
			if f.Count == 0 || now.Sub(f.First) > FailWindow {
				f = Failures{First: now}
			}
			f.Count++
			if f.Count >= c.free {
				delay := time.Second << min(f.Count-c.free, 10)
				f.Until = now.Add(min(delay, FailWindow))
			}
			return f
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// succeed forgets the account's failures. The client's stay: a client
// that logs in to an account of its own must not clear the failures it
// sprayed across others.
func (t *throttle) succeed(ctx context.Context, account string) error {
	return t.store.Delete(ctx, "account."+t.blind(account))
}

// MemoryThrottle is a ThrottleStore for one process alone (tests, the
// in-memory instance): its counts are not shared.
type MemoryThrottle struct {
	mu sync.Mutex
	m  map[string]memoryFailures
}

type memoryFailures struct {
	Failures
	written time.Time
}

// NewMemoryThrottle returns an empty in-memory throttle store.
func NewMemoryThrottle() *MemoryThrottle {
	return &MemoryThrottle{m: map[string]memoryFailures{}}
}

// Get implements ThrottleStore.
func (m *MemoryThrottle) Get(_ context.Context, key string) (Failures, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m[key].Failures, nil
}

// Update implements ThrottleStore. Counters not written for FailWindow
// go once there are many, as the bucket's TTL removes them: a spray of
// addresses must not fill the memory.
func (m *MemoryThrottle) Update(_ context.Context, key string, fn func(Failures) Failures) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if len(m.m) > 100_000 {
		for k, f := range m.m {
			if now.Sub(f.written) > FailWindow {
				delete(m.m, k)
			}
		}
	}
	m.m[key] = memoryFailures{Failures: fn(m.m[key].Failures), written: now}
	return nil
}

// Delete implements ThrottleStore.
func (m *MemoryThrottle) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
	return nil
}
