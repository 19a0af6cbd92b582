package eventstore

import "context"

// Deferred is a commit as a store delivered it, not yet decoded. A reader
// of many commits (the read side's replay) decodes them on several cores
// and keeps only their applying in order: decoded on the store's one
// delivering goroutine, they held a replay to the speed of one core.
type Deferred struct {
	commit Commit
	source Undecoded // nil: commit is decoded
}

// Undecoded is a commit as a store holds it, which it decodes when asked
// and can show as stored before that.
type Undecoded interface {
	// Decode is Deferred.Decode; safe to call on any goroutine.
	Decode() Commit
	// Peek returns the commit's seq and its body as stored (the JSON
	// array of its events), not decoded; ok is false when it cannot.
	Peek() (seq uint64, body []byte, ok bool)
}

// DeferUndecoded returns the commit u, decoded when asked.
func DeferUndecoded(u Undecoded) Deferred { return Deferred{source: u} }

// Peek returns the commit's seq and its body as stored, without decoding
// it, when the store handed it over so (ok false otherwise): a reader that
// needs few of the commits can pass over the others undecoded. Do not
// modify body.
func (d Deferred) Peek() (seq uint64, body []byte, ok bool) {
	if d.source == nil {
		return 0, nil, false
	}
	return d.source.Peek()
}

// Decoded returns a commit already decoded, as a Deferred.
func Decoded(c Commit) Deferred { return Deferred{commit: c} }

// Decode returns the commit, decoded (a commit that does not decode has
// Err set, as Subscribe delivers it). Call it once.
func (d Deferred) Decode() Commit {
	if d.source != nil {
		return d.source.Decode()
	}
	return d.commit
}

// DeferredSubscriber is a Store that can hand its commits over undecoded.
type DeferredSubscriber interface {
	// SubscribeDeferred is Subscribe with the commits undecoded: the
	// same commits, in the same order, under the same contract.
	SubscribeDeferred(ctx context.Context, from uint64, fn func(Deferred) error) error
}

// SubscribeDeferred subscribes to store, undecoded when it can hand
// commits over so, and otherwise as Subscribe decodes them.
func SubscribeDeferred(ctx context.Context, store Store, from uint64, fn func(Deferred) error) error {
	if ds, ok := store.(DeferredSubscriber); ok {
		return ds.SubscribeDeferred(ctx, from, fn)
	}
	return store.Subscribe(ctx, from, func(c Commit) error { return fn(Decoded(c)) })
}
