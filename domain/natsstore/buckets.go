package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/pii"
)

// Bucket names.
const (
	KeysBucket     = "ACCREDIT_KEYS"
	SessionsBucket = "ACCREDIT_SESSIONS"
	EvidenceBucket = "ACCREDIT_EVIDENCE"
)

// KeyStore keeps wrapped per-person data keys in a KV bucket. A deleted key
// is purged, so no earlier revision of it stays in the bucket.
type KeyStore struct {
	kv jetstream.KeyValue
	js jetstream.JetStream
}

// OpenKeyStore creates or updates the keys bucket.
func OpenKeyStore(ctx context.Context, js jetstream.JetStream, cfg Config) (*KeyStore, error) {
	kv, err := ensure(ctx, cfg.Log, "create bucket "+KeysBucket, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: KeysBucket, Description: "Wrapped per-person data keys (crypto-shredding)",
			History: 1, Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
		})
	})
	if err != nil {
		return nil, err
	}
	return &KeyStore{kv: kv, js: js}, nil
}

// Get implements pii.KeyStore.
func (k *KeyStore) Get(ctx context.Context, subject string) ([]byte, error) {
	e, err := k.kv.Get(ctx, subject)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		// A replica may not have a key made a moment ago: ask the leader.
		v, found, lerr := kvLeaderGet(ctx, k.js, KeysBucket, subject)
		if lerr != nil {
			return nil, lerr
		}
		if !found {
			return nil, pii.ErrNoKey
		}
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	return e.Value(), nil
}

// Create implements pii.KeyStore.
func (k *KeyStore) Create(ctx context.Context, subject string, wrapped []byte) ([]byte, error) {
	_, err := k.kv.Create(ctx, subject, wrapped)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return k.Get(ctx, subject)
	}
	if err != nil {
		return nil, err
	}
	return wrapped, nil
}

// Delete implements pii.KeyStore: a purge, which removes every revision.
func (k *KeyStore) Delete(ctx context.Context, subject string) error {
	err := k.kv.Purge(ctx, subject)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	return err
}

// SessionStore keeps logins in a KV bucket whose entries expire by
// themselves, under "<user id>.<token hash>": a lookup by token is one Get
// and a user's sessions are the keys matching "<user id>.*", which the
// server filters by subject, never a scan of everyone's sessions.
type SessionStore struct {
	kv jetstream.KeyValue
	js jetstream.JetStream
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
	return &SessionStore{kv: kv, js: js}, nil
}

func sessionKey(userID, tokenHash string) string { return userID + "." + tokenHash }

// Put implements accounts.SessionStore.
func (s *SessionStore) Put(ctx context.Context, userID, tokenHash string, sess accounts.Session) error {
	b, _ := json.Marshal(sess)
	_, err := s.kv.Put(ctx, sessionKey(userID, tokenHash), b)
	return err
}

// Get implements accounts.SessionStore.
func (s *SessionStore) Get(ctx context.Context, userID, tokenHash string) (accounts.Session, error) {
	key := sessionKey(userID, tokenHash)
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

// Delete implements accounts.SessionStore.
func (s *SessionStore) Delete(ctx context.Context, userID, tokenHash string) error {
	err := s.kv.Purge(ctx, sessionKey(userID, tokenHash))
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
