package pii

import (
	"context"
	"sync"
)

// passBulkAfter is how many keys a pass reads from the key store one at a
// time before it reads them all at once. A pass whose people's keys the
// vault keeps (up to DefaultKeyCache people, once used) reads none; one
// that finds them cold (a start) or over more people than the vault keeps
// soon reads them in bulk.
const passBulkAfter = 1024

// Pass is one pass over many people's values: the search index's snapshot
// seals some 250k values at 100k users when saved and opens them when
// loaded. A value whose key the vault does not keep costs a read of the
// key store, a round trip each; a pass, after passBulkAfter such reads,
// reads every key in one go (KeyStore.Each) and takes the rest from that.
// What it read is dropped with it (126 bytes a key in the map, measured
// on the memory store, whose subjects it shares; about 160 with a subject
// of its own, as from JetStream: 16 MB at 100k people), so use a pass for
// one pass only.
type Pass struct {
	v *Vault

	mu      sync.Mutex
	stats   PassStats
	all     map[string][]byte // every wrapped key, once read in bulk
	forgets uint64            // the vault's forgets when they were read
	failed  bool              // the bulk read failed: one at a time, then
}

// PassStats says how a pass read the keys the vault did not keep.
type PassStats struct {
	OneByOne int // reads of one key
	InBulk   int // keys read at once (0: no bulk read)
}

// Pass begins a pass over many people's values.
func (v *Vault) Pass() *Pass { return &Pass{v: v} }

// SealExisting is Seal with the key subject has: ErrErased when there is
// none. What seals again a value first sealed by Seal (a snapshot of
// values opened from the store) uses it: a person erased meanwhile must
// not get a new key. A pass goes over everyone, so it keeps no key it
// reads and changes no key's place among those kept for the requests.
func (p *Pass) SealExisting(ctx context.Context, subject, plain string) (Sealed, error) {
	return p.v.sealFrom(ctx, subject, plain, passKey, p.read)
}

// Open is Vault.Open, and keeps the key it used as Open does.
func (p *Pass) Open(ctx context.Context, s Sealed) (string, error) {
	return p.v.openFrom(ctx, s, p.read)
}

// Stats says how the pass has read keys so far.
func (p *Pass) Stats() PassStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// read returns subject's wrapped key: from the keys read in bulk when
// they were, and no key was forgotten (erased) since; from the key store
// otherwise (before the bulk read, after a failed one, and for a key made
// since or erased: ErrNoKey).
func (p *Pass) read(ctx context.Context, subject string) ([]byte, error) {
	p.mu.Lock()
	if p.all == nil && !p.failed && p.stats.OneByOne >= passBulkAfter {
		// Under the lock: the pass's other readers wait for it rather
		// than read one key at a time meanwhile.
		p.failed = p.readAll(ctx) != nil
	}
	all, forgets := p.all, p.forgets
	if all == nil { // counted here: passBulkAfter reads, not a few more
		p.stats.OneByOne++
	}
	p.mu.Unlock()
	if all == nil {
		return p.v.keys.Get(ctx, subject)
	}
	if p.v.forgetCount() == forgets {
		if wrapped, ok := all[subject]; ok {
			return wrapped, nil
		}
	}
	p.mu.Lock()
	p.stats.OneByOne++
	p.mu.Unlock()
	return p.v.keys.Get(ctx, subject)
}

// readAll reads every key; p.mu is held.
func (p *Pass) readAll(ctx context.Context) error {
	// Read first: a Forget while the keys are read voids what was read.
	p.forgets = p.v.forgetCount()
	all := map[string][]byte{}
	err := p.v.keys.Each(ctx, func(subject string, wrapped []byte) error {
		all[subject] = wrapped
		return nil
	})
	if err != nil {
		return err
	}
	p.all, p.stats.InBulk = all, len(all)
	return nil
}

// forgetCount is how many Forgets (and CacheKeys) the vault has had.
func (v *Vault) forgetCount() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.forgets
}
