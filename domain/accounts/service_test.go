package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// masterKey is shared by every instance of a test, as by the processes of
// a cluster.
var masterKey = []byte("0123456789abcdef0123456789abcdef")

const password = "a long password"

// hash is one slow password hash, shared by every imported user.
var hash = sync.OnceValue(func() string { return accounts.HashPassword(password) })

// stores are one JetStream's stores as one process opens them.
type stores struct {
	events   eventstore.Store
	keys     pii.KeyStore
	sessions accounts.SessionStore
	// feed, when set, is what the feed follows instead of events (an
	// eventstoretest.Gate, to hold the process behind the store).
	feed eventstore.Store
}

// connect opens the stores on their own connection to srv: another
// process, as far as JetStream can tell.
func connect(t *testing.T, srv *natstest.Server) stores {
	t.Helper()
	nc, err := srv.Embedded.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return open(t, nc)
}

func open(t *testing.T, nc *nats.Conn) stores {
	t.Helper()
	ctx := context.Background()
	es, err := natsstore.OpenEventStore(ctx, nc, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := natsstore.OpenKeyStore(ctx, es.JetStream(), natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := natsstore.OpenSessionStore(ctx, es.JetStream(), natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return stores{events: es, keys: keys, sessions: ss}
}

// clock is a test's time, moved on by hand.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}
func (c *clock) now() time.Time            { return time.Unix(0, c.ns.Load()) }
func (c *clock) add(d time.Duration)       { c.ns.Add(int64(d)) }
func (c *clock) nowFunc() func() time.Time { return c.now }

// instance is one process's accounts service, caught up with the store.
type instance struct {
	*accounts.Service
	feed  *aggregate.Feed
	vault *pii.Vault
}

func start(t *testing.T, st stores, now func() time.Time) *instance {
	t.Helper()
	return startFrom(t, st, now, "")
}

// startFrom starts an instance from the write-side snapshot at snapshot
// (none when empty), which must be usable.
func startFrom(t *testing.T, st stores, now func() time.Time, snapshot string) *instance {
	t.Helper()
	return startWith(t, st, now, snapshot, 0)
}

// startWith is startFrom keeping at most cache aggregates of a kind in
// memory (the default when 0), so that the others are read from the store.
func startWith(t *testing.T, st stores, now func() time.Time, snapshot string, cache int) *instance {
	t.Helper()
	vault, err := pii.NewVault(st.keys, masterKey)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	follows := st.events
	if st.feed != nil {
		follows = st.feed
	}
	feed := aggregate.NewFeed(follows, log)
	feed.CacheSize(cache)
	svc := accounts.NewService(st.events, feed, vault, st.sessions, now, log)
	if snapshot != "" {
		if _, err := feed.LoadSnapshot(context.Background(), snapshot); err != nil {
			t.Fatalf("load the snapshot: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = feed.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	in := &instance{Service: svc, feed: feed, vault: vault}
	in.catchUp(t)
	return in
}

func (in *instance) catchUp(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := in.feed.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
}

func importUsers(t *testing.T, st stores, n int, prefix string) []string {
	t.Helper()
	vault, err := pii.NewVault(st.keys, masterKey)
	if err != nil {
		t.Fatal(err)
	}
	users := make([]accounts.Imported, n)
	for i := range users {
		users[i] = accounts.Imported{Email: fmt.Sprintf("%s%d@example.org", prefix, i), Name: fmt.Sprintf("User %d", i),
			Role: domain.RoleApplicant, PasswordHash: hash()}
	}
	ids, err := accounts.Import(context.Background(), st.events, vault, users, 16)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func mustCreate(t *testing.T, in *instance, email string, role domain.Role) accounts.UserView {
	t.Helper()
	u, _, err := in.Create(context.Background(), aggregate.Meta{Command: "create_user", Actor: domain.System},
		accounts.NewUser{Email: email, Password: password, Name: "Someone", Role: role})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func mustLogin(t *testing.T, in *instance, email, pw string) accounts.Login {
	t.Helper()
	l, err := in.Login(context.Background(), email, pw, "test")
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return l
}

func wantCode(t *testing.T, err error, code domain.Code, what string) {
	t.Helper()
	if !domain.Is(err, code) {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

// countingStore counts the event store reads; countingKeys and
// countingSessions record which keys are read.
type countingStore struct {
	eventstore.Store
	reads atomic.Int64
}

func (s *countingStore) Load(ctx context.Context, stream string) ([]eventstore.Event, error) {
	s.reads.Add(1)
	return s.Store.Load(ctx, stream)
}

func (s *countingStore) Head(ctx context.Context, stream string) (eventstore.Head, error) {
	s.reads.Add(1)
	return s.Store.Head(ctx, stream)
}

func (s *countingStore) Get(ctx context.Context, seq uint64) (eventstore.Commit, error) {
	s.reads.Add(1)
	return s.Store.Get(ctx, seq)
}

func (s *countingStore) Read(ctx context.Context, from, to uint64, fn func(eventstore.Commit) error) error {
	s.reads.Add(1)
	return s.Store.Read(ctx, from, to, fn)
}

type keyLog struct {
	mu   sync.Mutex
	read []string
}

func (l *keyLog) add(k string) { l.mu.Lock(); l.read = append(l.read, k); l.mu.Unlock() }
func (l *keyLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.read
	l.read = nil
	return r
}

type countingKeys struct {
	pii.KeyStore
	log keyLog
}

func (k *countingKeys) Get(ctx context.Context, subject string) ([]byte, error) {
	k.log.add(subject)
	return k.KeyStore.Get(ctx, subject)
}

type countingSessions struct {
	accounts.SessionStore
	log keyLog
}

func (s *countingSessions) Get(ctx context.Context, userID, tokenHash string) (accounts.Session, error) {
	s.log.add(userID + "." + tokenHash)
	return s.SessionStore.Get(ctx, userID, tokenHash)
}

func (s *countingSessions) List(ctx context.Context, userID string) ([]string, error) {
	s.log.add(userID + ".*")
	return s.SessionStore.List(ctx, userID)
}

// Authenticating reads the caller's session and the caller's key, nothing
// of the store and nothing of the other users; its allocations do not grow
// with the number of users.
func TestAuthenticateTouchesOnlyTheCaller(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	first := start(t, st, time.Now)
	ada := mustCreate(t, first, "ada@example.org", domain.RoleAssessor)
	token := mustLogin(t, first, "ada@example.org", password).Token

	// A second process, with nothing cached, counts what it reads.
	events := &countingStore{Store: st.events}
	keys := &countingKeys{KeyStore: st.keys}
	sessions := &countingSessions{SessionStore: st.sessions}
	second := start(t, stores{events: events, keys: keys, sessions: sessions}, time.Now)
	ctx := context.Background()
	auth := func() {
		if u, err := second.Authenticate(ctx, token); err != nil || u.ID != ada.ID || u.Email != "ada@example.org" {
			t.Fatalf("authenticate: got %+v, %v", u, err)
		}
	}
	// AllocsPerRun counts every goroutine's allocations: the feed, the NATS
	// client and the server keep allocating in the background, more on a
	// busy machine. They only ever add, so the least of several rounds is
	// what one authentication allocates.
	allocs := func() float64 {
		auth() // the caller's key is cached from here on
		least := math.Inf(1)
		for range 7 {
			least = min(least, testing.AllocsPerRun(20, auth))
		}
		return least
	}

	few := allocs()
	importUsers(t, st, 1000, "other")
	second.catchUp(t)
	keys.log.take()
	sessions.log.take()
	before := events.reads.Load()
	second.vault.Forget(ada.ID) // read the caller's key again, to see which key is read
	auth()
	if got, want := sessions.log.take(), []string{ada.ID + "." + accounts.TokenHash(token)}; !slices.Equal(got, want) {
		t.Errorf("session keys read: got %v, want %v", got, want)
	}
	if got := keys.log.take(); !slices.Equal(got, []string{ada.ID}) {
		t.Errorf("data keys read: got %v, want only the caller's [%s]", got, ada.ID)
	}
	if n := events.reads.Load() - before; n != 0 {
		t.Errorf("event store reads: got %d, want 0 (users are kept current by the feed)", n)
	}
	many := allocs()
	if many > few+few/10+5 {
		t.Errorf("allocations per authentication: %.0f with 1 user, %.0f with 1001: they grow with the users", few, many)
	}
}

// usersOf lists every user of in's directory.
func usersOf(t *testing.T, in *instance) []accounts.UserView {
	t.Helper()
	users, err := in.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return users
}

// The register opens each holder's name from the index of users, not from
// their stream: a process keeping one user in memory reads nothing of the
// store for 50 holders' names, live and after a start from the
// write-side snapshot, and an erased holder reads as erased.
func TestHolderNameReadsTheIndexNotTheUsers(t *testing.T) {
	srv := natstest.Start(t)
	st := connect(t, srv)
	first := start(t, st, time.Now)
	ids := importUsers(t, st, 50, "holder")
	first.catchUp(t)
	ctx := context.Background()
	erased := ids[7]
	if _, err := first.Erase(ctx, aggregate.Meta{Command: "erase", Actor: domain.System}, erased, accounts.GroundRequest, "asked to"); err != nil {
		t.Fatal(err)
	}
	first.catchUp(t)
	snap := filepath.Join(t.TempDir(), "aggregates.json")
	if _, err := first.feed.SaveSnapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"", snap} {
		events := &countingStore{Store: st.events}
		in := startWith(t, stores{events: events, keys: st.keys, sessions: st.sessions}, time.Now, from, 1)
		before := events.reads.Load()
		for i, id := range ids {
			name, err := in.HolderName(ctx, id)
			want := fmt.Sprintf("User %d", i)
			if id == erased {
				want = pii.Erased
			}
			if err != nil || name != want {
				t.Fatalf("snapshot %q: holder %d: got %q, %v; want %q", from, i, name, err, want)
			}
		}
		if n := events.reads.Load() - before; n != 0 {
			t.Errorf("snapshot %q: event store reads for 50 names: got %d, want 0", from, n)
		}
		if _, err := in.HolderName(ctx, "01NOSUCHUSER00000000000000"); !domain.Is(err, domain.NotFound) {
			t.Errorf("snapshot %q: a holder who is no user: got %v, want NotFound", from, err)
		}
	}
}

// An office user cannot disable or erase their own account (the last one
// would leave nobody to manage the system); another office user can, and
// disabling needs a reason. The refused commands change nothing.
func TestOfficeCannotDisableOrEraseItsOwnAccount(t *testing.T) {
	srv := natstest.Start(t)
	in := start(t, connect(t, srv), time.Now)
	ctx := context.Background()
	ingrid := mustCreate(t, in, "ingrid@example.org", domain.RoleOffice)
	sean := mustCreate(t, in, "sean@example.org", domain.RoleOffice)
	asIngrid := aggregate.Meta{Command: "office", Actor: domain.Actor{ID: ingrid.ID, Role: domain.RoleOffice}}

	_, err := in.Disable(ctx, asIngrid, ingrid.ID, "going on leave")
	wantCode(t, err, domain.Unprocessable, "disable oneself")
	_, err = in.Erase(ctx, asIngrid, ingrid.ID, accounts.GroundRequest, "art. 17")
	wantCode(t, err, domain.Unprocessable, "erase oneself")
	for _, blank := range []string{"", "   "} {
		_, err = in.Disable(ctx, asIngrid, sean.ID, blank)
		wantCode(t, err, domain.Invalid, "disable with the reason "+strconv.Quote(blank))
		var de *domain.Error
		if !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != "reason" {
			t.Fatalf("disable with no reason: got %v, want the field reason named", err)
		}
	}
	for _, id := range []string{ingrid.ID, sean.ID} {
		if u, err := in.User(ctx, id); err != nil || u.Disabled || u.Erased {
			t.Fatalf("user %s after refused commands: %+v, %v", id, u, err)
		}
	}

	if _, err := in.Disable(ctx, asIngrid, sean.ID, "left EMCC"); err != nil {
		t.Fatalf("disable another office user: %v", err)
	}
	if u, err := in.User(ctx, sean.ID); err != nil || !u.Disabled {
		t.Fatalf("sean after being disabled: %+v, %v", u, err)
	}
}

// A disabled user is enabled again by the office, with a reason: they log
// in with the password they had. Enabling one not disabled records
// nothing; an erased user cannot be.
func TestADisabledUserIsEnabledAgain(t *testing.T) {
	srv := natstest.Start(t)
	in := start(t, connect(t, srv), time.Now)
	ctx := context.Background()
	ada := mustCreate(t, in, "ada@example.org", domain.RoleAssessor)
	office := aggregate.Meta{Command: "office", Actor: domain.Actor{ID: "01J00000000000000000000OFF", Role: domain.RoleOffice}}
	if _, err := in.Disable(ctx, office, ada.ID, "left"); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Login(ctx, "ada@example.org", password, "test"); err == nil {
		t.Fatal("a disabled user logged in")
	}
	_, err := in.Enable(ctx, office, ada.ID, " ")
	wantCode(t, err, domain.Invalid, "enable without a reason")
	res, err := in.Enable(ctx, office, ada.ID, "back")
	if err != nil || res.Version == 0 {
		t.Fatalf("enable: %+v, %v", res, err)
	}
	mustLogin(t, in, "ada@example.org", password)
	if again, err := in.Enable(ctx, office, ada.ID, "again"); err != nil || again.Version != res.Version {
		t.Fatalf("enable one not disabled: %+v, %v; want nothing recorded (version %d)", again, err, res.Version)
	}
	if _, err := in.Erase(ctx, office, ada.ID, accounts.GroundRequest, "art. 17"); err != nil {
		t.Fatal(err)
	}
	_, err = in.Enable(ctx, office, ada.ID, "back")
	wantCode(t, err, domain.NotFound, "enable an erased user")
}
