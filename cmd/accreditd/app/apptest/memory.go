package apptest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/api/web"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/selfcheck"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/search"
)

// Memory is the in-memory stores under an instance from StartInMemory;
// each passes its port's conformance suite, as the JetStream ones do.
type Memory struct {
	Events      *eventstore.Memory
	Keys        *pii.MemoryKeys
	Blobs       *evidence.MemoryBlobs
	Sessions    *accounts.MemorySessions
	Checkpoints *audit.MemoryCheckpoints
}

// StartInMemory serves the API and the web pages, as accreditd does, on
// in-memory stores behind a real HTTP listener (httptest): no NATS, no
// data directory, no snapshots, so a handler test takes milliseconds. The
// timed jobs (expiry, retention, checkpoint loop) do not run. It is for
// handler tests; what depends on JetStream (restarts, clusters, backups,
// /metrics store figures) needs Start.
func StartInMemory(tb testing.TB) *Instance {
	tb.Helper()
	in, _ := StartInMemoryWith(tb, MemoryOptions{})
	return in
}

// MemoryOptions change what StartInMemoryWith builds.
type MemoryOptions struct {
	// FeedStore, when set, wraps the store the aggregate feed follows (a
	// test holding the feed back, as a process not caught up); appends and
	// loads, and the read side, use the store itself.
	FeedStore func(eventstore.Store) eventstore.Store
	// ReadStore, when set, wraps the store the read models follow (a test
	// holding the read side back).
	ReadStore func(eventstore.Store) eventstore.Store
}

// StartInMemoryWith is StartInMemory built as o says; it returns the
// aggregate feed too.
func StartInMemoryWith(tb testing.TB, o MemoryOptions) (*Instance, *aggregate.Feed) {
	tb.Helper()
	cfg := Config(tb.TempDir())
	logs := &LockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	mem := &Memory{Events: eventstore.NewMemory(), Keys: pii.NewMemoryKeys(), Blobs: evidence.NewMemoryBlobs(),
		Sessions: accounts.NewMemorySessions(), Checkpoints: &audit.MemoryCheckpoints{}}
	ctx, stop := context.WithCancel(context.Background())
	tb.Cleanup(stop)

	vault, err := pii.NewVault(mem.Keys, make([]byte, 32))
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := audit.LoadOrCreateSigner(filepath.Join(cfg.DataDir, "signing.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	var followed eventstore.Store = mem.Events
	if o.FeedStore != nil {
		followed = o.FeedStore(mem.Events)
	}
	feed := aggregate.NewFeed(followed, log)
	heads := audit.NewHeads()
	feed.Add(heads)
	acc := accounts.NewService(mem.Events, feed, vault, mem.Sessions, time.Now, log)
	acc.UseKDF(accounts.TestingKDF)
	cs := cases.NewService(cases.Config{Store: mem.Events, Feed: feed, Vault: vault, Blobs: mem.Blobs,
		Accounts: acc, Now: time.Now, Log: log, TempDir: tb.TempDir(), SLA: cfg.SLA()})
	checks := selfcheck.NewService(mem.Events, feed, vault, framework.Default(), time.Now)
	fed := make(chan struct{})
	go func() { defer close(fed); _ = feed.Run(ctx) }()
	tb.Cleanup(func() { stop(); <-fed })
	if err := feed.CatchUp(ctx); err != nil {
		tb.Fatalf("catch up: %v", err)
	}
	if _, _, err := acc.EnsureAdmin(ctx, AdminEmail, AdminPassword); err != nil {
		tb.Fatalf("first office user: %v", err)
	}
	var read eventstore.Store = mem.Events
	if o.ReadStore != nil {
		read = o.ReadStore(mem.Events)
	}
	reads := projections.NewRunner(read, projections.NewSet, projections.Options{Schema: projections.Schema, Log: log, WaitBound: cfg.ReadWait})
	reads.Start()
	tb.Cleanup(reads.Stop)
	index := search.New(mem.Events, vault.Open, log)
	indexed := make(chan struct{})
	go func() { defer close(indexed); index.Run(ctx) }()
	tb.Cleanup(func() { stop(); <-indexed })

	verify := func(ctx context.Context) (audit.Report, error) {
		return audit.Verify(ctx, mem.Events, mem.Checkpoints, signer.Public())
	}
	checkpoint := func(ctx context.Context) (audit.Checkpoint, error) {
		return heads.Checkpoint(ctx, signer, mem.Checkpoints, time.Now())
	}
	srv := api.New(api.Deps{
		Accounts: acc, Cases: cs, SelfChecks: checks, Catalogue: framework.Default(), Log: log, Now: time.Now,
		Ready: func(context.Context) api.Readiness {
			return api.Readiness{Ready: true, JetStream: "ok", Position: feed.Position()}
		},
		Verify: verify, Checkpoint: checkpoint, RequestKey: make([]byte, 32),
		WaitFor: func(ctx context.Context, seq uint64) error {
			if err := feed.WaitFor(ctx, seq); err != nil {
				return err
			}
			return reads.WaitFor(ctx, seq)
		},
		Reads: &api.ReadSide{Runner: reads, Store: mem.Events, Vault: vault, SLA: cfg.SLA(), Search: index, ReadWait: cfg.ReadWait},
	})
	web.Register(srv.Echo, web.Deps{Accounts: acc, Cases: cs, SelfChecks: checks, Reads: srv.Reads(), Catalogue: framework.Default(),
		Log: log, Now: time.Now, Verify: verify, Checkpoint: checkpoint, RequestKey: make([]byte, 32)})
	hs := httptest.NewServer(srv.Echo)
	tb.Cleanup(hs.Close)
	return &Instance{URL: hs.URL, Cfg: cfg, Log: logs, Mem: mem, t: tb}, feed
}
