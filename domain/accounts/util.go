package accounts

import (
	"encoding/json"
	"sync"
	"time"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// throttle slows down repeated failed logins per account and per client:
// after 5 failures within 15 minutes, each further try is refused for a
// delay that doubles with every failure, up to 15 minutes.
type throttle struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*failures
}

type failures struct {
	count int
	first time.Time
	until time.Time
}

const (
	freeFailures = 5
	failWindow   = 15 * time.Minute
)

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, m: map[string]*failures{}}
}

// keys are what a failure counts against: the account, and the client
// when one is known. A change of password names no client: counted under
// an empty one, every user's wrong tries blocked every other user's change.
func (t *throttle) keys(account, client string) []string {
	if client == "" {
		return []string{"a:" + account}
	}
	return []string{"a:" + account, "c:" + client}
}

func (t *throttle) blocked(account, client string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range t.keys(account, client) {
		if f := t.m[k]; f != nil && f.until.After(now) {
			wait = max(wait, f.until.Sub(now))
		}
	}
	return wait
}

func (t *throttle) fail(account, client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.m) > 100_000 { // bound memory under a spray of addresses
		for k, f := range t.m {
			if now.Sub(f.first) > failWindow && !f.until.After(now) {
				delete(t.m, k)
			}
		}
	}
	for _, k := range t.keys(account, client) {
		f := t.m[k]
		if f == nil || now.Sub(f.first) > failWindow {
			f = &failures{first: now}
			t.m[k] = f
		}
		f.count++
		if f.count >= freeFailures {
			delay := time.Second << min(f.count-freeFailures, 10)
			f.until = now.Add(min(delay, failWindow))
		}
	}
}

func (t *throttle) succeed(account, client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, "a:"+account)
}
