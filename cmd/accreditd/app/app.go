// Package app wires accreditd together: NATS (embedded or external), the
// stores, the domain services, the read side and the HTTP server, started and
// stopped as one. cmd/accreditd's main only parses the configuration and runs
// an App; tests start a whole App on port 0 with a temporary data directory.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/api/web"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/recovery"
	"github.com/emcc/accredit/domain/selfcheck"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/search"
)

// App is a running accreditd.
type App struct {
	cfg Config
	log *slog.Logger
	now func() time.Time
	id  string // this process, for leases

	conn        *natsstore.Conn
	Events      *natsstore.EventStore
	auditStore  eventstore.Store // Events, or what Options.AuditStore made of it
	checkpoints *natsstore.CheckpointStore
	leases      *natsstore.Leases
	sweepMu     sync.Mutex
	mailSwept   time.Time // the last sweepMail, under sweepMu
	sessions    *natsstore.SessionStore
	failures    *natsstore.ThrottleStore // failed logins and reset requests, counted across processes
	replays     *natsstore.ReplayStore   // answers of the API's commands that record no event, by Idempotency-Key
	Feed        *aggregate.Feed
	Vault       *pii.Vault
	Accounts    *accounts.Service
	Cases       *cases.Service
	SelfChecks  *selfcheck.Service
	Credentials *credential.Service
	Reads       *projections.Runner
	Search      *search.Index
	Outbox      *mail.Outbox
	Notifier    *mail.Notifier
	Recovery    *recovery.Service
	heads       *audit.Heads
	signer      *audit.Signer
	requestKey  []byte
	API         *api.Server
	Metrics     *api.Metrics
	metricsSrv  *http.Server

	// MetricsAddr is where the separate metrics listener is, if any.
	MetricsAddr string

	listener net.Listener
	http     *http.Server
	wg       sync.WaitGroup
	cancel   context.CancelFunc
	closed   bool
	stopping atomic.Bool   // set by Close: not ready from then on
	savedPos atomic.Uint64 // the position of the aggregates' snapshot on disk
}

// Options are what tests (and main) may inject.
type Options struct {
	Log *slog.Logger
	Now func() time.Time
	// AdminPasswordOut receives a generated admin password (besides the log).
	AdminPasswordOut io.Writer
	// AuditStore, when set, wraps the store the audit export and verify
	// read, so tests can make those reads fail.
	AuditStore func(eventstore.Store) eventstore.Store
	// ReadStore, when set, wraps the store the read models follow, so
	// tests can hold the read side back (apptest.Gate).
	ReadStore func(eventstore.Store) eventstore.Store
	// FeedStore, when set, wraps the store the aggregate feed follows
	// (the write side's state: the directory of users, the cases), and
	// NotifierStore the one the mail notifier follows, so tests can hold
	// either back (apptest.Gate).
	FeedStore, NotifierStore func(eventstore.Store) eventstore.Store
	// AccountsStore, when set, wraps the event store the accounts service
	// appends to and reads, so tests can make its writes fail.
	AccountsStore func(eventstore.Store) eventstore.Store
	// Sessions, when set, wraps the session store the accounts service
	// uses, so tests can make its writes fail.
	Sessions func(accounts.SessionStore) accounts.SessionStore
	// Keys, when set, wraps the key store the vault reads personal data's
	// keys from, so tests can make it fail for a moment.
	Keys func(pii.KeyStore) pii.KeyStore
	// ManualJobs leaves the expiry and retention jobs to the caller
	// (RunExpiry, RunRetention): tests move a fake clock and run them
	// when they choose, so a minute tick must not run them first.
	ManualJobs bool
	// PasswordKDF, when set, is the cost new password hashes are made at
	// instead of accounts.DefaultKDF: tests set accounts.TestingKDF so that
	// making users does not dominate them. Not configurable in production.
	PasswordKDF accounts.KDF
}

// NewLogger makes the process logger in the configured format.
func NewLogger(format string, w io.Writer) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// Start opens everything, catches up with the store and starts serving.
func Start(ctx context.Context, cfg Config, opt Options) (_ *App, err error) {
	if cfg.CredentialKeyDir == "" {
		cfg.CredentialKeyDir = filepath.Join(cfg.DataDir, "keys", "credentials")
	}
	a := &App{cfg: cfg, log: opt.Log, now: opt.Now, id: ulid.Make().String()}
	if a.log == nil {
		a.log = NewLogger(cfg.LogFormat, os.Stderr)
	}
	if a.now == nil {
		a.now = time.Now
	}
	defer func() {
		if err != nil { // stop whatever was started, in reverse
			if a.metricsSrv != nil {
				_ = a.metricsSrv.Close()
			}
			if a.http != nil {
				_ = a.http.Close()
			} else if a.listener != nil {
				_ = a.listener.Close()
			}
			if a.cancel != nil {
				a.cancel()
				a.wg.Wait()
			}
			if a.Reads != nil {
				a.Reads.Stop()
			}
			a.shutdownStores()
		}
	}()
	if err := tryListen(cfg); err != nil {
		return nil, err
	}
	began := time.Now()
	if err := a.connect(); err != nil {
		return nil, err
	}
	a.phase("nats", began)
	t := time.Now()
	if err := a.openStores(ctx, opt.Keys); err != nil {
		return nil, err
	}
	a.phase("stores and keys", t)
	var fed eventstore.Store = a.Events
	if opt.FeedStore != nil {
		fed = opt.FeedStore(fed)
	}
	a.Feed = aggregate.NewFeed(fed, a.log)
	// Command ids are remembered as long as JetStream remembers them.
	a.Feed.Retain(a.storeConfig().Window(), a.now)
	// Each repository keeps the aggregates used last; the rest are read
	// from their own streams when needed.
	a.Feed.CacheSize(cfg.AggregateCache)
	a.Metrics = api.NewMetrics(a.positions, a.storeFigures, func() float64 {
		if a.Reads == nil {
			return 0
		}
		return float64(a.Reads.DecodeErrors())
	})
	a.Feed.Observe(a.Metrics)
	a.Metrics.ObserveSessions(a.sessions.CacheFigures)
	a.Metrics.ObserveGroupCommit(func() api.GroupCommitFigures {
		f := a.Events.GroupCommitFigures()
		return api.GroupCommitFigures{On: f.On, Batches: f.Batches, Batched: f.Batched, Refused: f.Refused}
	})
	a.Metrics.ObserveRebuilds(func() float64 {
		if a.Reads == nil {
			return 0
		}
		return float64(a.Reads.RebuildFailures())
	}, func() float64 {
		if a.Reads == nil {
			return 0
		}
		if st, ok := a.Reads.LastRebuild(); ok && st.Error != "" {
			return 1
		}
		return 0
	})
	a.heads = audit.NewHeads()
	var sessions accounts.SessionStore = a.sessions
	if opt.Sessions != nil {
		sessions = opt.Sessions(sessions)
	}
	var accountsStore eventstore.Store = a.Events
	if opt.AccountsStore != nil {
		accountsStore = opt.AccountsStore(accountsStore)
	}
	a.Accounts = accounts.NewService(accountsStore, a.Feed, a.Vault, sessions, a.now, a.log)
	if opt.PasswordKDF != (accounts.KDF{}) {
		a.Accounts.UseKDF(opt.PasswordKDF)
	}
	a.Accounts.UseThrottleStore(a.failures)
	a.Feed.Add(a.heads)
	blobs, err := natsstore.OpenBlobs(ctx, a.Events.JetStream(), a.storeConfig())
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(cfg.DataDir, "tmp")
	// An upload is spooled there in clear until it is stored sealed; a
	// process killed meanwhile leaves the file. No upload is in progress
	// at a start, so whatever is there is such a file: it goes.
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("upload spool directory: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("upload spool directory: %w", err)
	}
	a.Cases = cases.NewService(cases.Config{Store: a.Events, Feed: a.Feed, Vault: a.Vault, Blobs: blobs,
		Accounts: a.Accounts, Now: a.now, Log: a.log, MaxUpload: cfg.MaxUpload, TempDir: tmp,
		Quota: cases.Quota{Files: cfg.MaxCaseFiles, Bytes: cfg.MaxCaseBytes, ApplicantBytes: cfg.MaxApplicantBytes}, UploadsInFlight: cfg.UploadsInFlight, UploadsPerUser: cfg.UploadsPerUser, SLA: cfg.SLA()})
	a.SelfChecks = selfcheck.NewService(a.Events, a.Feed, a.Vault, framework.Default(), a.now)
	if a.Credentials, err = credential.NewService(a.Events, a.Feed, credential.Office{BaseURL: cfg.PublicURL},
		credential.KeyRing{Dir: cfg.CredentialKeyDir}, a.now); err != nil {
		return nil, err
	}

	// The read side replays (or resumes from its snapshot) while the write
	// side loads its snapshot and replays the rest: two cores make the
	// start up to half as long. The read models' snapshot is read on every
	// core, the aggregates' on one; read one after the other, a core
	// waited through the aggregates'.
	runCtx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	aggregatesLoaded := make(chan struct{})
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.resumeAggregates(ctx)
		close(aggregatesLoaded)
		_ = a.Feed.Run(runCtx)
	}()
	var followed eventstore.Store = a.Events
	if opt.ReadStore != nil {
		followed = opt.ReadStore(followed)
	}
	a.Reads = projections.NewRunner(followed, projections.NewSet, projections.Options{
		SnapshotDir: filepath.Join(cfg.DataDir, "projections"), Schema: projections.Schema, Log: a.log,
		SnapshotAfter: cfg.ReadSnapshotAfter, WaitBound: cfg.ReadWait})
	a.Reads.Start()
	<-aggregatesLoaded
	// Sessions are cached while the bucket is watched (every request
	// authenticates: one server read a request otherwise).
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.sessions.Run(runCtx) }()
	// The search index opens names and builds itself in the background from
	// its snapshot (its values sealed again under each person's key) or the
	// store's start. It begins once the read models have caught up: built
	// beside them, it read and decoded the whole store on the one core the
	// restore of the read models' snapshot could otherwise have (a CPU
	// profile of a restart at 1M events), and a process that cannot yet
	// answer a login is worse off than a search that says how far its
	// build is.
	a.Search = search.New(a.Events, a.Vault.Open, a.log)
	a.Search.Persist(a.searchFile(), func() search.Pass { return a.Vault.Pass() })
	// No overall limit: a large store on a slow machine takes as long as it
	// takes; only a catch-up that stops advancing fails the start.
	start := time.Now()
	if err := a.Feed.CatchUp(ctx); err != nil {
		return nil, fmt.Errorf("catch up with the event store: %w", err)
	}
	a.log.Info("caught up with the event store", "position", a.Feed.Position(), "took_ms", time.Since(start).Milliseconds())
	t = time.Now()
	if err := a.Accounts.EraseOutstanding(ctx); err != nil {
		return nil, fmt.Errorf("finish outstanding erasures: %w", err)
	}
	if err := a.ensureAdmin(ctx, opt.AdminPasswordOut); err != nil {
		return nil, err
	}
	a.phase("erasures and office user", t)

	a.auditStore = a.Events
	if opt.AuditStore != nil {
		a.auditStore = opt.AuditStore(a.Events)
	}
	if err := a.catchUpReads(ctx); err != nil {
		return nil, err
	}
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Search.Run(runCtx) }()
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.searchSnapshotLoop(runCtx) }()
	t = time.Now()
	if err := a.openMail(ctx); err != nil {
		return nil, err
	}
	a.phase("outbox", t)
	a.API = api.New(api.Deps{
		Accounts: a.Accounts, Catalogue: framework.Default(), Log: a.log, Now: a.now,
		Ready: a.readiness, Verify: a.verify, Checkpoint: a.checkpoint, Metrics: a.Metrics,
		Cases: a.Cases, SelfChecks: a.SelfChecks, Credentials: a.Credentials, WaitFor: a.waitFor, RequestKey: a.requestKey, TrustedProxies: cfg.TrustedProxies, HSTS: cfg.SecureCookies,
		Reads: &api.ReadSide{Runner: a.Reads, Store: a.auditStore, Vault: a.Vault, SLA: cfg.SLA(), Search: a.Search, ReadWait: cfg.ReadWait}, Mail: a.Outbox, Recovery: a.Recovery, Replays: a.replays,
	})
	web.Register(a.API.Echo, web.Deps{Accounts: a.Accounts, Cases: a.Cases, SelfChecks: a.SelfChecks, Credentials: a.Credentials, Reads: a.API.Reads(),
		Catalogue: framework.Default(), Log: a.log, Now: a.now, Secure: cfg.SecureCookies, Verify: a.verify, Checkpoint: a.checkpoint, Mail: a.Outbox, Recovery: a.Recovery,
		RequestKey: a.requestKey, PublicHost: publicHost(cfg.PublicURL)})
	a.listener, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("ACCREDIT_ADDR: listen on %s: %w", cfg.Addr, err)
	}
	if cfg.PublicURL == "" {
		// Set before serving: the credentials name the address listened on.
		a.Credentials.Office.BaseURL = "http://" + a.listener.Addr().String()
	}
	t = time.Now()
	var notified eventstore.Store = a.Events
	if opt.NotifierStore != nil {
		notified = opt.NotifierStore(notified)
	}
	if err := a.startMail(ctx, runCtx, notified, opt.ManualJobs); err != nil {
		return nil, err
	}
	a.phase("notifier and mail jobs", t)
	// The metrics address is taken before the main listener serves: one in
	// use or mistyped fails the start with nothing serving yet.
	if cfg.MetricsAddr != "" {
		if err := a.serveMetrics(cfg.MetricsAddr); err != nil {
			return nil, err
		}
	}
	a.http = &http.Server{Handler: a.API.Echo, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	a.wg.Add(2)
	go func() {
		defer a.wg.Done()
		if err := a.http.Serve(a.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server", "err", err)
		}
	}()
	go func() { defer a.wg.Done(); a.checkpointLoop(runCtx) }()
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.snapshotLoop(runCtx) }()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		t := time.Now()
		a.API.WarmRegister(runCtx)
		if runCtx.Err() == nil {
			a.log.Info("public register shaped ahead of its first reader", "took_ms", time.Since(t).Milliseconds())
		}
	}()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if !opt.ManualJobs {
			a.expiryLoop(runCtx)
		}
	}()
	a.log.Info("accreditd serving", "addr", a.Addr(), "embedded_nats", a.conn.Embedded() != nil, "nats_client_url", a.natsURL(),
		"started_in_ms", time.Since(began).Milliseconds())
	return a, nil
}

// natsURL is the NATS URL for the log, with any password hidden.
func (a *App) natsURL() string {
	if e := a.conn.Embedded(); e != nil {
		return e.ClientURL()
	}
	return natsstore.RedactURLs(a.cfg.NATSURL)
}

// tryListen listens on each address the process will serve on and lets it
// go again, so that one in use or mistyped fails the start at once rather
// than after the store's catch-up, which takes minutes on a large store.
// The addresses are taken for good only once the process has caught up
// (the port opens when the replica can answer: deploy/README), so one may
// still be taken in between; that listen keeps its own error.
func tryListen(cfg Config) error {
	for _, l := range []struct{ name, addr string }{{"ACCREDIT_ADDR", cfg.Addr}, {"ACCREDIT_METRICS_ADDR", cfg.MetricsAddr}} {
		if l.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return fmt.Errorf("%s: listen on %s: %w", l.name, l.addr, err)
		}
		_ = ln.Close()
	}
	return nil
}

// Addr is the address the HTTP server listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

func (a *App) storeConfig() natsstore.Config {
	return natsstore.Config{Replicas: a.cfg.Replicas, Log: a.log}
}

func (a *App) connect() error {
	if a.cfg.NATSURL != "" {
		conn, err := natsstore.Dial(a.cfg.NATSURL, natsstore.DialOptions{Name: "accreditd", ReconnectForever: true})
		if err != nil {
			return fmt.Errorf("connect to NATS at %s: %w", natsstore.RedactURLs(a.cfg.NATSURL), err)
		}
		a.conn = conn
		return nil
	}
	interval, err := a.cfg.SyncInterval()
	if err != nil {
		return err
	}
	conn, err := natsstore.OpenEmbedded(natsstore.EmbeddedConfig{DataDir: a.cfg.DataDir, SyncInterval: interval, Listen: a.cfg.NATSListen})
	if err != nil {
		return err
	}
	a.conn = conn
	return nil
}

func (a *App) openStores(ctx context.Context, wrapKeys func(pii.KeyStore) pii.KeyStore) error {
	var err error
	cfg := a.storeConfig()
	if a.Events, err = a.conn.OpenEventStore(ctx, cfg); err != nil {
		return err
	}
	js := a.Events.JetStream()
	if a.checkpoints, err = natsstore.OpenCheckpointStore(ctx, js, cfg); err != nil {
		return err
	}
	if a.leases, err = natsstore.OpenLeases(ctx, js, cfg, 30*time.Second); err != nil {
		return err
	}
	if a.sessions, err = natsstore.OpenSessionStore(ctx, js, cfg); err != nil {
		return err
	}
	// The bucket holds the clients' password reset requests too: its
	// entries must outlive both windows (equal today, 15 minutes).
	if a.failures, err = natsstore.OpenThrottleStore(ctx, js, cfg, max(accounts.FailWindow, recovery.ClientWindow)); err != nil {
		return err
	}
	if a.replays, err = natsstore.OpenReplayStore(ctx, js, cfg, api.ReplayTTL); err != nil {
		return err
	}
	var keys pii.KeyStore
	if keys, err = natsstore.OpenKeyStore(ctx, js, cfg); err != nil {
		return err
	}
	if wrapKeys != nil {
		keys = wrapKeys(keys)
	}
	master, err := pii.LoadOrCreateKeyFile(a.cfg.MasterKeyFile)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	// The key of the request hashes bound to Idempotency-Keys: the same on
	// every replica (they share the master key), and not the master key.
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte("accredit idempotency request hash v1"))
	a.requestKey = mac.Sum(nil)
	if a.Vault, err = pii.NewVault(keys, master); err != nil {
		return err
	}
	a.Vault.SetLogger(a.log)
	if a.signer, err = audit.LoadOrCreateSigner(a.cfg.SigningKeyFile); err != nil {
		return fmt.Errorf("audit signing key: %w", err)
	}
	return a.checkSigningKey(ctx)
}

// checkSigningKey refuses a signing key other than the one of the last
// stored checkpoint: the audit verifies checkpoints against its own key
// only, so a process signing with another would make every other
// process's audit report its checkpoints as not verifying (and they its).
// A process started without the cluster's ACCREDIT_SIGNING_KEY_FILE makes
// a key of its own in its data directory: this is where that shows.
func (a *App) checkSigningKey(ctx context.Context) error {
	last, ok, err := a.checkpoints.Last(ctx)
	if err != nil {
		return fmt.Errorf("read the last audit checkpoint: %w", err)
	}
	if mine := audit.KeyID(a.signer.Public()); ok && last.KeyID != mine {
		return fmt.Errorf("audit signing key: the last checkpoint in the store (seq %d) was signed with key %s, "+
			"but ACCREDIT_SIGNING_KEY_FILE (%s) holds key %s: every process of one store must share the signing key; "+
			"give this one the others' key file", last.Seq, last.KeyID, a.cfg.SigningKeyFile, mine)
	}
	return nil
}

func (a *App) ensureAdmin(ctx context.Context, out io.Writer) error {
	// EnsureAdmin retries while the store is slow (a cluster still forming).
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	created, generated, err := a.Accounts.EnsureAdmin(ctx, a.cfg.AdminEmail, a.cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("first office user: %w", err)
	}
	if !created {
		return nil
	}
	if generated == "" {
		a.log.Info("office user created from ACCREDIT_ADMIN_EMAIL")
		return nil
	}
	path := filepath.Join(a.cfg.DataDir, "admin-password")
	if err := os.MkdirAll(a.cfg.DataDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(generated+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Printed once, on purpose: the only way to the first login.
	fmt.Fprintf(os.Stderr, "\n  First start: created office user admin@localhost with password %s\n  (also written to %s, mode 0600)\n\n", generated, path)
	if out != nil {
		fmt.Fprintln(out, generated)
	}
	a.log.Info("created office user admin@localhost; its password is in the data directory", "file", path)
	return nil
}

func (a *App) readiness(ctx context.Context) api.Readiness {
	r := api.Readiness{JetStream: "ok", Position: a.Feed.Position()}
	last, err := a.Events.Probe(ctx)
	if err != nil {
		r.JetStream = "unreachable"
		return r
	}
	r.StoreSeq = last
	if last > r.Position {
		r.Lag = last - r.Position
	}
	r.Projections = []api.ProjectionInfo{{Name: "write-model", Position: r.Position, Lag: r.Lag}}
	if a.Reads != nil {
		pos := a.Reads.Position()
		var lag uint64
		if last > pos {
			lag = last - pos
		}
		a.Reads.Read(func(set *projections.Set) {
			for _, m := range set.Models {
				r.Projections = append(r.Projections, api.ProjectionInfo{Name: m.Name(), Position: pos, Lag: lag})
			}
		})
		r.Lag = max(r.Lag, lag)
	}
	// Ready when the read side is close behind the store (a few commits in
	// flight are normal under load), and not stopping.
	r.Ready = r.Lag < 1000 && !a.stopping.Load()
	return r
}

// catchUpReads waits until the read side has applied what is stored now,
// for as long as it advances.
func (a *App) catchUpReads(ctx context.Context) error {
	last, err := a.Events.LastSeq(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	w := aggregate.Watch{What: "read side", Position: a.Reads.Position, Target: last, Log: a.log}
	if err := w.Await(ctx); err != nil {
		return fmt.Errorf("catch up the read models: %w", err)
	}
	a.log.Info("read models caught up", "position", a.Reads.Position(), "resumed_from", a.Reads.Resumed(),
		"replayed", a.Reads.Replayed(), "took_ms", time.Since(start).Milliseconds())
	return nil
}

func (a *App) verify(ctx context.Context) (audit.Report, error) {
	rep, err := audit.Verify(ctx, a.auditStore, a.checkpoints, a.signer.Public())
	if err != nil {
		// Verify fails only when the store cannot be read.
		return rep, domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	return rep, nil
}

func (a *App) checkpoint(ctx context.Context) (audit.Checkpoint, error) {
	return a.heads.Checkpoint(ctx, a.signer, a.checkpoints, a.now())
}

// serveMetrics serves /metrics without login on its own address.
func (a *App) serveMetrics(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("ACCREDIT_METRICS_ADDR: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(a.Metrics.Registry, promhttp.HandlerOpts{}))
	a.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	a.MetricsAddr = l.Addr().String()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := a.metricsSrv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics server", "err", err)
		}
	}()
	return nil
}

func (a *App) positions() []api.ProjectionInfo {
	return a.readiness(context.Background()).Projections
}

func (a *App) storeFigures(ctx context.Context) map[string]api.StreamFigures {
	out := map[string]api.StreamFigures{}
	for name, f := range a.conn.Streams(ctx) {
		out[name] = api.StreamFigures{Messages: f.Messages, Bytes: f.Bytes, LastSeq: f.LastSeq}
	}
	return out
}

// waitFor waits until the write model and the read models have applied seq
// (read-your-writes), until ctx ends: the API bounds the two waits together
// by ACCREDIT_READ_WAIT. Past it, Unavailable (503).
func (a *App) waitFor(ctx context.Context, seq uint64) error {
	if err := a.Feed.WaitFor(ctx, seq); err != nil {
		return err
	}
	return a.Reads.WaitFor(ctx, seq)
}

// publicHost is the host of the public URL ("" when none is set or it
// does not parse; the configuration checks it).
func publicHost(public string) string {
	u, err := url.Parse(public)
	if err != nil {
		return ""
	}
	return u.Host
}
