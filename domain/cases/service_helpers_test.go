package cases

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// serviceOn is a service on store with its feed running, a vault of
// memory keys and a clock fixed at 2 March 2026: what the package's own
// tests and benchmarks start from.
func serviceOn(tb testing.TB, store eventstore.Store, feed *aggregate.Feed) (*Service, *pii.Vault) {
	tb.Helper()
	vault, err := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{1}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := NewService(Config{Store: store, Feed: feed, Vault: vault, Now: func() time.Time { return now }})
	run, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	go func() { _ = feed.Run(run) }()
	return s, vault
}
