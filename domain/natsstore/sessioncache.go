package natsstore

import (
	"sync"
	"time"

	"github.com/emcc/accredit/domain/accounts"
)

// sessionCache holds sessions read from the sessions bucket, so that
// authenticating a request does not ask the server every time (the get
// was 8.6 % of accreditd's CPU under 50 readers of the queue, beside the
// server's own share). It is used only while SessionStore.Run watches the
// bucket on a connected connection: every put, delete or purge the watch
// sees drops its key, a Delete through this store drops its key at once,
// and the cache is emptied and set aside whenever the watch or the
// connection stops. An entry lives maxAge at most even so: the bound on
// how long a revocation elsewhere could go unseen if a watch stalled
// without the connection noticing.
type sessionCache struct {
	maxAge time.Duration
	max    int // entries kept at most
	// settle is how long after a key's drop a read of it is not kept: on
	// a cluster a read may be answered by a replica that has not applied
	// the change the watch (from the leader) has already reported.
	settle time.Duration

	mu      sync.Mutex
	on      bool
	epoch   uint64 // moves whenever the cache is emptied
	gen     uint64 // moves with every key dropped
	recent  [droppedRing]dropped
	entries map[string]cachedSession
}

// droppedRing is how many of the last dropped keys are remembered, for
// the reads that were asking the server meanwhile. More drops than this
// during one read (a few hundred µs) and that read's answer is not kept.
const droppedRing = 1024

// dropped is a key dropped, and when.
type dropped struct {
	key string
	at  time.Time
}

type cachedSession struct {
	sess  accounts.Session
	until time.Time
}

// ticket is what a read saw of the cache before asking the server: its
// answer is kept only if the cache was on, was not emptied, and did not
// drop that key meanwhile (a revocation that raced with the read).
type ticket struct {
	on         bool
	epoch, gen uint64
}

func newSessionCache(maxAge, settle time.Duration, max int) *sessionCache {
	return &sessionCache{maxAge: maxAge, settle: settle, max: max, entries: map[string]cachedSession{}}
}

// get answers a cached session, or the ticket to keep the server's answer.
func (c *sessionCache) get(key string, now time.Time) (accounts.Session, bool, ticket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		if e, ok := c.entries[key]; ok {
			if now.Before(e.until) {
				return e.sess, true, ticket{}
			}
			delete(c.entries, key)
		}
	}
	return accounts.Session{}, false, ticket{on: c.on, epoch: c.epoch, gen: c.gen}
}

// keep caches what the server answered for key after t was taken, unless
// the key was dropped since or within settle before now (or the cache was
// emptied or set aside).
func (c *sessionCache) keep(key string, sess accounts.Session, t ticket, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !t.on || !c.on || c.epoch != t.epoch || c.droppedSince(key, t.gen) || c.droppedLately(key, now) {
		return
	}
	if len(c.entries) >= c.max {
		c.shrink(now)
	}
	// Not bounded by the session's ExpiresAt: whether a session has ended
	// is the caller's to judge, by its own clock, as for one just read.
	c.entries[key] = cachedSession{sess: sess, until: now.Add(c.maxAge)}
}

// droppedSince reports whether key was dropped after gen, or may have been
// (more drops since than are remembered).
func (c *sessionCache) droppedSince(key string, gen uint64) bool {
	if c.gen-gen > droppedRing {
		return true
	}
	for g := gen + 1; g <= c.gen; g++ {
		if c.recent[g%droppedRing].key == key {
			return true
		}
	}
	return false
}

// droppedLately reports whether key was dropped within settle before now,
// or may have been (every drop remembered is that recent).
func (c *sessionCache) droppedLately(key string, now time.Time) bool {
	since := now.Add(-c.settle)
	for g := c.gen; g > 0 && c.gen-g < droppedRing; g-- {
		d := c.recent[g%droppedRing]
		if !d.at.After(since) {
			return false
		}
		if d.key == key {
			return true
		}
	}
	return c.gen >= droppedRing
}

// shrink makes room: the entries past their time, then any (a map's order
// is random) down to three quarters of max.
func (c *sessionCache) shrink(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) <= c.max*3/4 {
			break
		}
		delete(c.entries, k)
	}
}

// drop forgets key, and has reads that were asking the server for it
// meanwhile not keep their answer.
func (c *sessionCache) drop(key string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.recent[c.gen%droppedRing] = dropped{key: key, at: now}
	delete(c.entries, key)
}

// enable starts caching (the watch is running on a connected connection).
func (c *sessionCache) enable() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = true
}

// disable empties the cache and stops caching until enable; reads that
// were asking the server meanwhile do not keep their answer.
func (c *sessionCache) disable() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	c.epoch++
	clear(c.entries)
}

// isOn reports whether sessions are being cached.
func (c *sessionCache) isOn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.on
}

// len is how many sessions are cached.
func (c *sessionCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
