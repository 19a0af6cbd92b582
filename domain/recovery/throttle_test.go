package recovery_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/recovery"
)

// masterKey is shared by the processes of a test, as by those of a cluster
// (the throttle's keys are digests under it).
var masterKey = []byte("0123456789abcdef0123456789abcdef")

// services starts n processes' recovery services on one JetStream, each on
// its own connection, counting reset requests in the shared bucket, with a
// clock that stands still (no allowance comes back while a test runs).
func services(t *testing.T, n int) []*recovery.Service {
	t.Helper()
	ctx := context.Background()
	srv := natstest.Start(t)
	now := time.Now()
	clock := func() time.Time { return now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out []*recovery.Service
	for range n {
		st := openStores(t, srv)
		throttle, err := natsstore.OpenThrottleStore(ctx, st.events.JetStream(), natsstore.Config{}, recovery.ClientWindow)
		if err != nil {
			t.Fatal(err)
		}
		// The accounts look up the addresses asked for, after the answer.
		accts := accounts.NewService(st.events, aggregate.NewFeed(st.events, log), st.vault, st.sessions, clock, log)
		out = append(out, recovery.New(recovery.Options{Accounts: accts, Vault: st.vault, Throttle: throttle, Now: clock, Log: log}))
	}
	return out
}

// TestResetRequestsCountAcrossProcesses: one client's reset requests, sent
// through two processes all at once, are allowed recovery.ClientBurst times
// in all. Counted per process, each let it make its own burst, so a
// cluster of N let a client mail N times as many links; counted together
// but without the update at the revision read, requests at once could both
// take the last one.
func TestResetRequestsCountAcrossProcesses(t *testing.T) {
	in := services(t, 2)
	const client = "192.0.2.7"
	const each = 2 * recovery.ClientBurst
	var (
		wg                sync.WaitGroup
		mu                sync.Mutex
		allowed, refusals int
		others            []error
	)
	for i := range len(in) * each {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := in[i%len(in)].RequestReset(context.Background(), "nobody@example.org", client, "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				allowed++
			case domain.Is(err, domain.TooManyRequests):
				refusals++
			default:
				others = append(others, err)
			}
		}()
	}
	wg.Wait()
	if len(others) > 0 {
		t.Fatal(others)
	}
	if allowed != recovery.ClientBurst {
		t.Fatalf("%d requests at once through %d processes: %d allowed, want %d", len(in)*each, len(in), allowed, recovery.ClientBurst)
	}

	// Another client's requests are counted apart.
	if err := in[1].RequestReset(context.Background(), "nobody@example.org", "192.0.2.8", ""); err != nil {
		t.Fatalf("another client: %v", err)
	}
}

// TestResetRequestsFromOneIPv6SubscriberCountTogether: the addresses of one
// /64 (one subscriber's block) share a count; another /64 has its own.
func TestResetRequestsFromOneIPv6SubscriberCountTogether(t *testing.T) {
	in := services(t, 1)[0]
	ctx := context.Background()
	for i := range recovery.ClientBurst {
		if err := in.RequestReset(ctx, "nobody@example.org", fmt.Sprintf("2001:db8:5:6::%x", i+1), ""); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if err := in.RequestReset(ctx, "nobody@example.org", "2001:db8:5:6:abcd::9", ""); !domain.Is(err, domain.TooManyRequests) {
		t.Fatalf("another address of the same /64: %v, want too many requests", err)
	}
	if err := in.RequestReset(ctx, "nobody@example.org", "2001:db8:5:7::1", ""); err != nil {
		t.Fatalf("the next /64: %v", err)
	}
}
