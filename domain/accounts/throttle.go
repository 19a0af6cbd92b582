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

// try is one login (or password check) as the throttle counts it: the
// account tried, the client it came from ("" for a change of password,
// made in a session), and the device it names (the id of a valid device
// token for this account, see device.go; "" when none).
type try struct{ account, client, device string }

// enter takes a place for a try; false when its account, client or device
// has inflightTries being checked already.
func (t *throttle) enter(w try) bool {
	cs := t.counters(w)
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
func (t *throttle) leave(w try) {
	cs := t.counters(w)
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
//
// A try from a device that logged in to the account before (a valid
// device token) counts against that device instead of the account, with
// a client's limit: many addresses together can lock an account for
// everyone else, but not for the browser its owner logs in from (the
// "device cookie" defence, OWASP's authentication cheat sheet). A stolen
// token gains its thief a client's few tries, no more, and none once the
// password has changed or the sessions were ended (trustedDevice).
func (t *throttle) counters(w try) []counter {
	if w.client == "" {
		return []counter{{"account." + t.blind(w.account), ClientFailures}}
	}
	first := counter{"account." + t.blind(w.account), AccountFailures}
	if w.device != "" {
		first = counter{"device." + t.blind(w.device), ClientFailures}
	}
	return []counter{first, {"client." + t.blind(ClientNetwork(w.client)), ClientFailures}}
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

// blocked returns how long tries like w are refused (0 when they are not).
func (t *throttle) blocked(ctx context.Context, w try) (time.Duration, error) {
	now := t.now()
	var wait time.Duration
	for _, c := range t.counters(w) {
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

func (t *throttle) fail(ctx context.Context, w try) error {
	now := t.now()
	for _, c := range t.counters(w) {
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

// succeed forgets the failures the try counted against: the account's, or
// the device's for a try from a device. A device's login leaves the
// account's: they are others' (its owner's own count against the device),
// and forgotten, each of the owner's logins would give the many addresses
// trying the account its whole limit again. The client's stay too: a
// client that logs in to an account of its own must not clear the
// failures it sprayed across others.
func (t *throttle) succeed(ctx context.Context, w try) error {
	if w.device != "" {
		return t.store.Delete(ctx, "device."+t.blind(w.device))
	}
	return t.store.Delete(ctx, "account."+t.blind(w.account))
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
