package eventstoretest

import (
	"context"
	"sync"

	"github.com/emcc/accredit/domain/eventstore"
)

// Gate is a store that delivers commits to its subscribers only while
// open: what follows it (the aggregate feed, the read models) can be held
// back, as in a process that has not caught up with the store, while
// appends, loads and reads go through. It is open when made. Pass
// NewGate as app.Options.ReadStore, FeedStore or NotifierStore, or as
// apptest.MemoryOptions.FeedStore or ReadStore, keeping the Gate it
// returns; a domain test puts it under its own feed.
type Gate struct {
	eventstore.Store
	mu   sync.Mutex
	open chan struct{} // closed while open
}

// NewGate wraps s, open.
func NewGate(s eventstore.Store) *Gate {
	g := &Gate{Store: s, open: make(chan struct{})}
	close(g.open)
	return g
}

// Hold stops deliveries: a commit being delivered waits until Release.
func (g *Gate) Hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

// Release lets deliveries go on.
func (g *Gate) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// Subscribe is the store's, each commit delivered once the gate is open.
func (g *Gate) Subscribe(ctx context.Context, from uint64, fn func(eventstore.Commit) error) error {
	return g.Store.Subscribe(ctx, from, func(c eventstore.Commit) error {
		g.mu.Lock()
		ch := g.open
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		return fn(c)
	})
}
