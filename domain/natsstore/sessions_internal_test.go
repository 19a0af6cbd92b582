package natsstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/accounts"
)

func testSession(user string) accounts.Session {
	return accounts.Session{UserID: user, ExpiresAt: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
}

// A read's answer is kept only if nothing dropped its key, emptied the
// cache or set it aside while the read was asking the server.
func TestSessionCacheKeepsOnlyWhatNoDropRacedWith(t *testing.T) {
	now := time.Now()
	sess := testSession("u")
	c := newSessionCache(time.Minute, 0, 100)

	_, _, t0 := c.get("k", now)
	c.keep("k", sess, t0, now)
	if _, ok, _ := c.get("k", now); ok {
		t.Fatal("kept while the cache is off (no watch running)")
	}

	c.enable()
	_, hit, t1 := c.get("k", now)
	if hit {
		t.Fatal("a hit before anything was kept")
	}
	c.drop("other", now)
	c.keep("k", sess, t1, now)
	if got, ok, _ := c.get("k", now); !ok || got != sess {
		t.Fatalf("after another key's drop: got %v, %v; want the session kept", got, ok)
	}

	_, _, t2 := c.get("k2", now)
	c.drop("k2", now) // a revocation while the read was at the server
	c.keep("k2", sess, t2, now)
	if _, ok, _ := c.get("k2", now); ok {
		t.Fatal("kept an answer whose key was dropped during the read")
	}

	_, _, t3 := c.get("k3", now)
	c.disable()
	c.enable()
	c.keep("k3", sess, t3, now)
	if _, ok, _ := c.get("k3", now); ok {
		t.Fatal("kept an answer read before the cache was emptied")
	}
	if _, ok, _ := c.get("k", now); ok {
		t.Fatal("an entry survived the cache being set aside")
	}

	_, _, t4 := c.get("k4", now)
	for i := range droppedRing {
		c.drop(fmt.Sprint("other", i), now)
	}
	c.keep("k4", sess, t4, now)
	if _, ok, _ := c.get("k4", now); !ok {
		t.Fatal("not kept after exactly as many other drops as are remembered")
	}
	_, _, t5 := c.get("k5", now)
	for i := range droppedRing + 1 {
		c.drop(fmt.Sprint("other", i), now)
	}
	c.keep("k5", sess, t5, now)
	if _, ok, _ := c.get("k5", now); ok {
		t.Fatal("kept after more drops than are remembered (the key's may be among the forgotten)")
	}
}

// A read soon after its key's drop is not kept (on a cluster it may come
// from a replica behind the change the watch reported); after settle it
// is, and other keys' drops do not hold it back, unless more drops came in
// that time than are remembered.
func TestSessionCacheDoesNotKeepAReadSoonAfterItsKeysDrop(t *testing.T) {
	now := time.Now()
	sess := testSession("u")
	c := newSessionCache(time.Minute, 2*time.Second, 100)
	c.enable()
	c.drop("k", now)
	later := now.Add(time.Second)
	_, _, tk := c.get("k", later) // taken after the drop
	c.keep("k", sess, tk, later)
	if _, ok, _ := c.get("k", later); ok {
		t.Fatal("kept a read 1 s after its key's drop (settle 2 s)")
	}
	settled := now.Add(2*time.Second + time.Millisecond)
	_, _, tk = c.get("k", settled)
	c.keep("k", sess, tk, settled)
	if _, ok, _ := c.get("k", settled); !ok {
		t.Fatal("not kept once the drop had settled")
	}
	c.drop("other", settled)
	_, _, tk = c.get("k2", settled)
	c.keep("k2", sess, tk, settled)
	if _, ok, _ := c.get("k2", settled); !ok {
		t.Fatal("another key's recent drop held this one back")
	}
	busy := now.Add(10 * time.Second)
	for i := range droppedRing {
		c.drop(fmt.Sprint("other", i), busy)
	}
	_, _, tk = c.get("k3", busy)
	c.keep("k3", sess, tk, busy)
	if _, ok, _ := c.get("k3", busy); ok {
		t.Fatal("kept when every drop remembered is recent (an earlier one of this key may be forgotten)")
	}
}

// An entry lasts maxAge at most; the cache holds max entries at most.
func TestSessionCacheEntriesEndAndAreBounded(t *testing.T) {
	now := time.Now()
	c := newSessionCache(time.Minute, 0, 8)
	c.enable()
	sess := testSession("u")
	_, _, tk := c.get("k", now)
	c.keep("k", sess, tk, now)
	if _, ok, _ := c.get("k", now.Add(59*time.Second)); !ok {
		t.Fatal("gone before maxAge")
	}
	if _, ok, _ := c.get("k", now.Add(time.Minute)); ok {
		t.Fatal("still there at maxAge")
	}

	ended := accounts.Session{UserID: "u", ExpiresAt: now.Add(-time.Second)}
	_, _, tk = c.get("x", now)
	c.keep("x", ended, tk, now)
	if got, ok, _ := c.get("x", now); !ok || got != ended {
		t.Fatal("an ended session is not answered as read: whether it ended is the caller's to judge")
	}
	clear(c.entries)

	for i := range 50 {
		k := fmt.Sprint("k", i)
		_, _, tk := c.get(k, now)
		c.keep(k, sess, tk, now)
		if n := c.len(); n > 8 {
			t.Fatalf("%d entries after %d keeps; want at most 8", n, i+1)
		}
	}
	if _, ok, _ := c.get("k49", now); !ok {
		t.Fatal("the entry kept last is not there")
	}
}

// runSessions starts s.Run until the test ends and waits for its cache.
func runSessions(t *testing.T, s *SessionStore) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	AwaitSessionCache(t, s)
}

// tcpServer is a nats-server with JetStream on a local port, which a test
// can stop and start again on the same port and directory.
type tcpServer struct {
	dir  string
	port int
	srv  *server.Server
}

func startTCPServer(t *testing.T, dir string, port int) *tcpServer {
	t.Helper()
	srv, err := server.NewServer(&server.Options{JetStream: true, StoreDir: dir, Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(srv.Shutdown)
	return &tcpServer{dir: dir, port: srv.Addr().(*net.TCPAddr).Port, srv: srv}
}

// openSessionsOn connects over TCP (reconnecting forever, quickly) and
// opens the session store; the cache's max age is long, so that only the
// watch can be what drops an entry within a test.
func openSessionsOn(t *testing.T, ts *tcpServer) (*SessionStore, *nats.Conn) {
	t.Helper()
	nc, err := nats.Connect(ts.srv.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenSessionStore(context.Background(), js, Config{})
	if err != nil {
		t.Fatal(err)
	}
	s.cache.maxAge = time.Hour
	s.cache.settle = 0 // reads right after a write are kept (the settle has its own test)
	return s, nc
}

// eventually polls cond until it holds; the limit catches a behaviour
// that never comes, not a slow machine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 30 s: %s", what)
		}
	}
}

// While Run watches, a session is read from the server once; a logout on
// this process holds at once, one on another process as soon as its
// purge reaches this one's watch (not at the entry's max age).
func TestSessionsAreCachedAndRevocationsReachTheCache(t *testing.T) {
	ts := startTCPServer(t, t.TempDir(), -1)
	here, _ := openSessionsOn(t, ts)
	elsewhere, _ := openSessionsOn(t, ts)
	ctx := context.Background()

	user := "01J0000000000000000000000U"
	sess := testSession(user)
	if err := here.Put(ctx, user, "t1", sess); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if got, err := here.Get(ctx, user, "t1"); err != nil || got != sess {
			t.Fatalf("uncached get %d: %v, %v", i, got, err)
		}
	}
	if n := here.reads.Load(); n != 5 {
		t.Fatalf("%d server reads for 5 gets without Run; want 5", n)
	}

	runSessions(t, here)
	runSessions(t, elsewhere)
	here.reads.Store(0)
	for i := range 5 {
		if got, err := here.Get(ctx, user, "t1"); err != nil || got != sess {
			t.Fatalf("cached get %d: %v, %v", i, got, err)
		}
	}
	if on, hits, reads := here.CacheFigures(); !on || hits != 4 || reads != 1 {
		t.Fatalf("cache figures after 5 gets while Run watches: on %v, %d hits, %d server reads; want on, 4 and 1", on, hits, reads)
	}

	// A logout here: refused at once, no waiting for the watch.
	if err := here.Delete(ctx, user, "t1"); err != nil {
		t.Fatal(err)
	}
	if _, err := here.Get(ctx, user, "t1"); !errors.Is(err, accounts.ErrNoSession) {
		t.Fatalf("get right after a logout here: %v; want ErrNoSession", err)
	}

	// A logout on another process: refused here once the watch sees it.
	if err := here.Put(ctx, user, "t2", sess); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the session cached here", func() bool {
		if _, err := here.Get(ctx, user, "t2"); err != nil {
			t.Fatal(err)
		}
		return here.cache.len() == 1
	})
	if _, err := elsewhere.Get(ctx, user, "t2"); err != nil {
		t.Fatal(err)
	}
	if err := elsewhere.Delete(ctx, user, "t2"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a logout on another process refused here", func() bool {
		_, err := here.Get(ctx, user, "t2")
		return errors.Is(err, accounts.ErrNoSession)
	})
}

// A read that races with a logout on the same process never leaves the
// revoked session cached: right after the logout it is refused.
func TestAReadRacingALogoutDoesNotKeepTheRevokedSession(t *testing.T) {
	ts := startTCPServer(t, t.TempDir(), -1)
	s, _ := openSessionsOn(t, ts)
	runSessions(t, s)
	ctx := context.Background()
	user := "01J0000000000000000000000U"
	for i := range 100 {
		hash := fmt.Sprint("race", i)
		if err := s.Put(ctx, user, hash, testSession(user)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = s.Get(ctx, user, hash) })
		wg.Go(func() { _, _ = s.Get(ctx, user, hash) })
		if err := s.Delete(ctx, user, hash); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, user, hash); !errors.Is(err, accounts.ErrNoSession) {
			t.Fatalf("round %d: get right after the logout: %v; want ErrNoSession", i, err)
		}
		wg.Wait()
		if _, err := s.Get(ctx, user, hash); !errors.Is(err, accounts.ErrNoSession) {
			t.Fatalf("round %d: get after the racing reads: %v; want ErrNoSession", i, err)
		}
	}
}

// When the connection is lost nothing is answered from the cache (a
// revocation elsewhere could not reach it): a session read fails as the
// server does. Once connected again, a new watch caches afresh, and a
// logout made while this process was cut off is seen.
func TestTheCacheIsSetAsideWhileTheConnectionIsLost(t *testing.T) {
	dir := t.TempDir()
	ts := startTCPServer(t, dir, -1)
	s, nc := openSessionsOn(t, ts)
	runSessions(t, s)
	ctx := context.Background()
	user := "01J0000000000000000000000U"
	sess := testSession(user)
	for _, h := range []string{"kept", "revoked"} {
		if err := s.Put(ctx, user, h, sess); err != nil {
			t.Fatal(err)
		}
	}
	// The watch's report of each put drops its key: a read before that
	// report is not kept, one after it is.
	eventually(t, "both sessions cached", func() bool {
		for _, h := range []string{"kept", "revoked"} {
			if _, err := s.Get(ctx, user, h); err != nil {
				t.Fatal(err)
			}
		}
		return s.cache.len() == 2
	})

	ts.srv.Shutdown()
	ts.srv.WaitForShutdown()
	eventually(t, "the cache set aside after the connection was lost", func() bool {
		return !s.cache.isOn() && s.cache.len() == 0
	})
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err := s.Get(short, user, "kept")
	cancel()
	if err == nil {
		t.Fatal("a session answered while the server is unreachable; want the server's error")
	}

	// Back, with the session revoked by another client meanwhile.
	ts2 := startTCPServer(t, dir, ts.port)
	other, _ := openSessionsOn(t, ts2)
	if err := other.Delete(ctx, user, "revoked"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "reconnected", nc.IsConnected)
	AwaitSessionCache(t, s)
	if _, err := s.Get(ctx, user, "revoked"); !errors.Is(err, accounts.ErrNoSession) {
		t.Fatalf("a session revoked while cut off: %v; want ErrNoSession", err)
	}
	s.reads.Store(0)
	for range 3 {
		if _, err := s.Get(ctx, user, "kept"); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.reads.Load(); n != 1 {
		t.Fatalf("%d server reads for 3 gets after reconnecting; want 1 (cached again)", n)
	}
}

// A put or a delete through this store drops its key from the cache when
// it returns, without the watch (here the cache is on with no watch, so
// only the store's own drop can be what holds).
func TestWritesThroughThisStoreDropTheirKeyAtOnce(t *testing.T) {
	ts := startTCPServer(t, t.TempDir(), -1)
	s, _ := openSessionsOn(t, ts)
	s.cache.enable()
	ctx := context.Background()
	user := "01J0000000000000000000000U"
	first, later := testSession(user), testSession(user)
	later.ExpiresAt = later.ExpiresAt.Add(time.Hour)
	if err := s.Put(ctx, user, "t", first); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, user, "t"); err != nil || got != first || s.cache.len() != 1 {
		t.Fatalf("get: %v, %v, %d cached; want the session, cached", got, err, s.cache.len())
	}
	if err := s.Put(ctx, user, "t", later); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, user, "t"); err != nil || got != later {
		t.Fatalf("get after a put over it: %v, %v; want the later session", got, err)
	}
	if err := s.Delete(ctx, user, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, user, "t"); !errors.Is(err, accounts.ErrNoSession) {
		t.Fatalf("get after a delete: %v; want ErrNoSession", err)
	}
}
