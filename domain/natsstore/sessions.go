package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/accounts"
)

// Sessions cached by a running SessionStore: how long one is kept at most
// (the bound on a revocation's reach should the bucket's watch stall
// unnoticed; the watch itself drops a revoked session within
// milliseconds), and how many (about 200 bytes each).
const (
	SessionCacheMaxAge  = 30 * time.Second
	SessionCacheEntries = 100_000
)

// SessionCacheSettle is how long after a change to a session a read of it
// is not cached: on a cluster the read may come from a replica a little
// behind the leader whose change the watch reported (sessionCache.settle).
const SessionCacheSettle = 2 * time.Second

// SessionStore keeps logins in a KV bucket whose entries expire by
// themselves, under "<user id>.<token hash>": a lookup by token is one Get
// and a user's sessions are the keys matching "<user id>.*", which the
// server filters by subject, never a scan of everyone's sessions. While
// Run watches the bucket, the sessions read are cached (see sessionCache).
type SessionStore struct {
	kv    jetstream.KeyValue
	js    jetstream.JetStream
	log   *slog.Logger
	cache *sessionCache
	reads atomic.Int64 // sessions read from the server
	hits  atomic.Int64 // sessions answered from the cache
}

// OpenSessionStore creates or updates the sessions bucket.
func OpenSessionStore(ctx context.Context, js jetstream.JetStream, cfg Config) (*SessionStore, error) {
	kv, err := ensure(ctx, cfg.Log, "create bucket "+SessionsBucket, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: SessionsBucket, Description: "Login sessions by user id and token hash",
			History: 1, TTL: accounts.SessionTTL + time.Hour, Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
		})
	})
	if err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SessionStore{kv: kv, js: js, log: log, cache: newSessionCache(SessionCacheMaxAge, SessionCacheSettle, SessionCacheEntries)}, nil
}

func sessionKey(userID, tokenHash string) string { return userID + "." + tokenHash }

// Put implements accounts.SessionStore.
func (s *SessionStore) Put(ctx context.Context, userID, tokenHash string, sess accounts.Session) error {
	b, _ := json.Marshal(sess)
	key := sessionKey(userID, tokenHash)
	_, err := s.kv.Put(ctx, key, b)
	s.cache.drop(key, time.Now()) // a session written over is read again
	return err
}

// Get implements accounts.SessionStore: from the cache while Run keeps it,
// else from the bucket.
func (s *SessionStore) Get(ctx context.Context, userID, tokenHash string) (accounts.Session, error) {
	key := sessionKey(userID, tokenHash)
	sess, ok, t := s.cache.get(key, time.Now())
	if ok {
		s.hits.Add(1)
		return sess, nil
	}
	sess, err := s.read(ctx, key)
	if err == nil {
		s.cache.keep(key, sess, t, time.Now())
	}
	return sess, err
}

// CacheFigures reports whether sessions are being cached (Run's watch is
// running on a connected connection), and how many reads the cache and
// the server answered: for the metrics.
func (s *SessionStore) CacheFigures() (on bool, hits, serverReads int64) {
	return s.cache.isOn(), s.hits.Load(), s.reads.Load()
}

// read asks the server for one session.
func (s *SessionStore) read(ctx context.Context, key string) (accounts.Session, error) {
	s.reads.Add(1)
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrInvalidKey) {
		return accounts.Session{}, accounts.ErrNoSession
	}
	var value []byte
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted):
		// A replica may not have a login made a moment ago: ask the leader.
		v, found, lerr := kvLeaderGet(ctx, s.js, SessionsBucket, key)
		if lerr != nil {
			return accounts.Session{}, lerr
		}
		if !found {
			return accounts.Session{}, accounts.ErrNoSession
		}
		value = v
	case err != nil:
		return accounts.Session{}, err
	default:
		value = e.Value()
	}
	var sess accounts.Session
	if err := json.Unmarshal(value, &sess); err != nil {
		return accounts.Session{}, accounts.ErrNoSession
	}
	return sess, nil
}

// Delete implements accounts.SessionStore. The session leaves this
// process's cache when the purge is done, before Delete returns: a logout
// holds at once here, and on other processes as soon as their watch sees
// the purge.
func (s *SessionStore) Delete(ctx context.Context, userID, tokenHash string) error {
	key := sessionKey(userID, tokenHash)
	err := s.kv.Purge(ctx, key)
	s.cache.drop(key, time.Now())
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return nil
	}
	return err
}

// List implements accounts.SessionStore: a watch filtered to the user's
// subjects, so the server sends only their keys.
func (s *SessionStore) List(ctx context.Context, userID string) ([]string, error) {
	kl, err := s.kv.ListKeysFiltered(ctx, userID+".*")
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = kl.Stop() }()
	seen := map[string]bool{}
	var out []string
	for k := range kl.Keys() {
		_, hash, _ := strings.Cut(k, ".")
		if !seen[hash] { // a listing may repeat a key written meanwhile
			seen[hash] = true
			out = append(out, hash)
		}
	}
	if err := ctx.Err(); err != nil { // the listing stopped short
		return nil, err
	}
	return out, nil
}

// Run caches the sessions read until ctx ends, keeping the cache true by
// watching every change to the bucket. Whenever the watch ends or the
// connection changes state (lost, reconnecting, back), the cache is
// emptied and off until a new watch runs on a connected connection: what
// changed meanwhile is read from the server. Without Run nothing is
// cached. Run one at a time.
func (s *SessionStore) Run(ctx context.Context) {
	nc := s.js.Conn()
	status := nc.StatusChanged(nats.CONNECTED, nats.DISCONNECTED, nats.RECONNECTING, nats.CLOSED, nats.DRAINING_SUBS, nats.DRAINING_PUBS)
	defer nc.RemoveStatusListener(status)
	logged := false // a failure is logged once until a watch runs again
	for ctx.Err() == nil {
		ran, err := s.watch(ctx, nc, status)
		if ctx.Err() != nil {
			return
		}
		if ran {
			logged = false
		}
		pause := 100 * time.Millisecond // a new watch soon (it waits for the connection)
		if !errors.Is(err, errConnectionChanged) {
			pause = time.Second
			if !logged {
				s.log.Warn("session cache off until the sessions bucket can be watched again: sessions are read from the server", "err", err)
				logged = true
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}

var errConnectionChanged = errors.New("the NATS connection changed state")

// watch runs one watch of the bucket, the cache on while it runs.
func (s *SessionStore) watch(ctx context.Context, nc *nats.Conn, status chan nats.Status) (ran bool, err error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Only what changes from now (the cache is empty and fills by reads),
	// and only the keys: a change drops its key whatever the value.
	w, err := s.kv.WatchAll(wctx, jetstream.UpdatesOnly(), jetstream.MetaOnly())
	if err != nil {
		return false, err
	}
	defer func() { _ = w.Stop() }()
	for drained := false; !drained; { // changes before this watch are not news
		select {
		case <-status:
		default:
			drained = true
		}
	}
	if !nc.IsConnected() {
		return false, errConnectionChanged
	}
	s.cache.enable()
	defer s.cache.disable()
	for {
		select {
		case <-ctx.Done():
			return true, nil
		case <-status:
			return true, errConnectionChanged
		case e, ok := <-w.Updates():
			if !ok {
				return true, errors.New("the bucket's watch stopped")
			}
			if e != nil {
				s.cache.drop(e.Key(), time.Now())
			}
		}
	}
}
