package api_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/api/web"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
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

// gatedStore delivers commits to its subscribers only while open: the
// aggregate feed built on it can be held back (a process that has not
// caught up with the store), while appends and loads go through.
type gatedStore struct {
	eventstore.Store
	mu   sync.Mutex
	open chan struct{} // closed while open
}

func newGated(s eventstore.Store) *gatedStore {
	g := &gatedStore{Store: s, open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gatedStore) Hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

func (g *gatedStore) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

func (g *gatedStore) Subscribe(ctx context.Context, from uint64, fn func(eventstore.Commit) error) error {
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

type heldInstance struct {
	*Instance
	gate *gatedStore
	feed *aggregate.Feed
}

// startHeld is apptest.StartInMemory with the aggregate feed on a gated
// store (the read models and search follow the store directly).
func startHeld(tb testing.TB) *heldInstance {
	tb.Helper()
	cfg := Config(tb.TempDir())
	logs := &LockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	mem := &Memory{Events: eventstore.NewMemory(), Keys: pii.NewMemoryKeys(), Blobs: evidence.NewMemoryBlobs(),
		Sessions: accounts.NewMemorySessions(), Checkpoints: &audit.MemoryCheckpoints{}}
	gate := newGated(mem.Events)
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
	feed := aggregate.NewFeed(gate, log)
	heads := audit.NewHeads()
	feed.Add(heads)
	acc := accounts.NewService(mem.Events, feed, vault, mem.Sessions, time.Now, log)
	acc.UseKDF(accounts.TestingKDF)
	cs := cases.NewService(cases.Config{Store: mem.Events, Feed: feed, Vault: vault, Blobs: mem.Blobs,
		Accounts: acc, Now: time.Now, Log: log, TempDir: tb.TempDir(), SLA: cfg.SLA()})
	checks := selfcheck.NewService(mem.Events, feed, vault, framework.Default(), time.Now)
	fed := make(chan struct{})
	go func() { defer close(fed); _ = feed.Run(ctx) }()
	tb.Cleanup(func() { gate.Release(); stop(); <-fed })
	if err := feed.CatchUp(ctx); err != nil {
		tb.Fatalf("catch up: %v", err)
	}
	if _, _, err := acc.EnsureAdmin(ctx, AdminEmail, AdminPassword); err != nil {
		tb.Fatalf("first office user: %v", err)
	}
	reads := projections.NewRunner(mem.Events, projections.NewSet, projections.Options{Schema: projections.Schema, Log: log})
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
		Reads: &api.ReadSide{Runner: reads, Store: mem.Events, Vault: vault, SLA: cfg.SLA(), Search: index},
	})
	web.Register(srv.Echo, web.Deps{Accounts: acc, Cases: cs, SelfChecks: checks, Reads: srv.Reads(), Catalogue: framework.Default(),
		Log: log, Now: time.Now, Verify: verify, Checkpoint: checkpoint, RequestKey: make([]byte, 32)})
	hs := httptest.NewServer(srv.Echo)
	tb.Cleanup(hs.Close)
	return &heldInstance{Instance: &Instance{URL: hs.URL, Cfg: cfg, Log: logs, Mem: mem}, gate: gate, feed: feed}
}

// heldTeam is newTeam on startHeld: an applicant registered, two
// assessors.
func heldTeam(t *testing.T) (*heldInstance, *team) {
	t.Helper()
	in := startHeld(t)
	tm := &team{in: in.Instance, admin: in.AdminToken(t)}
	r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "carla@example.org", "password": "carla's long password", "name": "Carla Coach"}), 201)
	tm.applicant = User{ID: r.Map(t)["id"].(string), Email: "carla@example.org", Password: "carla's long password", Name: "Carla Coach"}
	tm.applicant.Token = in.Login(t, tm.applicant.Email, tm.applicant.Password)
	tm.assessor = tm.newAssessor(t, "anna@example.org", "Anna Assessor")
	tm.verifier = tm.newAssessor(t, "victor@example.org", "Victor Verifier")
	return in, tm
}

// keyed is the header of a command sent with Idempotency-Key key.
func keyed(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }

// caughtUp releases the feed and waits until it has applied the store.
func (h *heldInstance) caughtUp(t *testing.T) {
	t.Helper()
	h.gate.Release()
	last, _ := h.Mem.Events.LastSeq(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.feed.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
}
