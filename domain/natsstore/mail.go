package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/domain/recovery"
)

// MailBucket holds the outbox ("msg.<id>"), the notifier's cursor
// ("cursor") and each user's mail preferences ("pref.<user id>").
const MailBucket = "ACCREDIT_MAIL"

const (
	msgPrefix    = "msg."
	prefPrefix   = "pref."
	cursorKey    = "cursor"
	mailMsgWatch = msgPrefix + ">"
)

// MailStore implements mail.Store on a KV bucket. A message is created
// with Create, a publish expecting its subject's last sequence to be 0, so
// of two processes creating the same id one succeeds; it is changed with
// Update, expecting the revision read: the compare-and-set a sender claims
// it with.
type MailStore struct {
	kv jetstream.KeyValue
	js jetstream.JetStream
}

// OpenMailStore creates or updates the mail bucket.
func OpenMailStore(ctx context.Context, js jetstream.JetStream, cfg Config) (*MailStore, error) {
	kv, err := ensure(ctx, cfg.Log, "create bucket "+MailBucket, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: MailBucket, Description: "Email outbox, notifier cursor and mail preferences",
			History: 1, Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
		})
	})
	if err != nil {
		return nil, err
	}
	return &MailStore{kv: kv, js: js}, nil
}

// Create implements mail.Store.
func (s *MailStore) Create(ctx context.Context, m mail.Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = s.kv.Create(ctx, msgPrefix+m.ID, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return mail.ErrExists
	}
	return err
}

// Get implements mail.Store.
func (s *MailStore) Get(ctx context.Context, id string) (mail.Message, uint64, error) {
	e, err := s.kv.Get(ctx, msgPrefix+id)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) || errors.Is(err, jetstream.ErrInvalidKey) {
		return mail.Message{}, 0, mail.ErrNotFound
	}
	if err != nil {
		return mail.Message{}, 0, err
	}
	var m mail.Message
	if err := json.Unmarshal(e.Value(), &m); err != nil {
		return mail.Message{}, 0, fmt.Errorf("message %s: %w", id, err)
	}
	return m, e.Revision(), nil
}

// Update implements mail.Store.
func (s *MailStore) Update(ctx context.Context, m mail.Message, rev uint64) (uint64, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return 0, err
	}
	n, err := s.kv.Update(ctx, msgPrefix+m.ID, b, rev)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return 0, mail.ErrStale
	}
	return n, err
}

// Watch implements mail.Store.
func (s *MailStore) Watch(ctx context.Context, fn func(mail.Message), gone func(string), ready func()) error {
	w, err := s.kv.Watch(ctx, mailMsgWatch)
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("outbox watch closed")
			}
			if e == nil {
				ready() // the stored ones are all given
				continue
			}
			if e.Operation() != jetstream.KeyValuePut {
				gone(strings.TrimPrefix(e.Key(), msgPrefix))
				continue
			}
			var m mail.Message
			if json.Unmarshal(e.Value(), &m) == nil && strings.HasPrefix(e.Key(), msgPrefix) {
				fn(m)
			}
		}
	}
}

// Delete implements mail.Store: the message's revisions are purged, and
// the marker left goes with the next Sweep.
func (s *MailStore) Delete(ctx context.Context, id string) error {
	return s.kv.Purge(ctx, msgPrefix+id)
}

// Cursor implements mail.Store.
func (s *MailStore) Cursor(ctx context.Context) (uint64, bool, error) {
	e, err := s.kv.Get(ctx, cursorKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	n, err := strconv.ParseUint(string(e.Value()), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("notifier cursor %q: %w", e.Value(), err)
	}
	return n, true, nil
}

// SetCursor implements mail.Store.
func (s *MailStore) SetCursor(ctx context.Context, seq uint64) error {
	_, err := s.kv.Put(ctx, cursorKey, []byte(strconv.FormatUint(seq, 10)))
	return err
}

// Preferences implements mail.Store.
func (s *MailStore) Preferences(ctx context.Context, userID string) (mail.Preferences, error) {
	var p mail.Preferences
	e, err := s.kv.Get(ctx, prefPrefix+userID)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) || errors.Is(err, jetstream.ErrInvalidKey) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(e.Value(), &p)
}

// SetPreferences implements mail.Store.
func (s *MailStore) SetPreferences(ctx context.Context, userID string, p mail.Preferences) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.kv.Put(ctx, prefPrefix+userID, b)
	return err
}

// tokenPrefix keeps the one-time links of account recovery by the hash of
// their token ("token.<sha-256 hex>"); never the token itself.
const tokenPrefix = "token."

// CreateToken implements recovery.Store.
func (s *MailStore) CreateToken(ctx context.Context, hash string, t recovery.Token) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = s.kv.Create(ctx, tokenPrefix+hash, b)
	return err
}

// Token implements recovery.Store.
func (s *MailStore) Token(ctx context.Context, hash string) (recovery.Token, uint64, error) {
	var t recovery.Token
	e, err := s.kv.Get(ctx, tokenPrefix+hash)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) || errors.Is(err, jetstream.ErrInvalidKey) {
		// A replica may not have a link made a moment ago: ask the leader.
		v, found, lerr := kvLeaderGet(ctx, s.js, MailBucket, tokenPrefix+hash)
		if lerr != nil {
			return t, 0, lerr
		}
		if !found {
			return t, 0, recovery.ErrNoToken
		}
		// Without a revision the link cannot be used here yet: stale.
		return t, 0, json.Unmarshal(v, &t)
	}
	if err != nil {
		return t, 0, err
	}
	return t, e.Revision(), json.Unmarshal(e.Value(), &t)
}

// UpdateToken implements recovery.Store.
func (s *MailStore) UpdateToken(ctx context.Context, hash string, t recovery.Token, rev uint64) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = s.kv.Update(ctx, tokenPrefix+hash, b, rev)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return mail.ErrStale
	}
	return err
}

// Tokens implements recovery.Store.
func (s *MailStore) Tokens(ctx context.Context, fn func(recovery.Token)) error {
	var bad error
	err := s.scan(ctx, tokenPrefix+">", func(e jetstream.KeyValueEntry) {
		var t recovery.Token
		if err := json.Unmarshal(e.Value(), &t); err != nil {
			bad = fmt.Errorf("token %s: %w", e.Key(), err)
			return
		}
		fn(t)
	})
	if err != nil {
		return err
	}
	return bad
}

// quotaPrefix keeps the slots that bound how many links an account is sent
// in an hour ("quota.<purpose>.<user id>.<yyyymmddhh>.<n>").
const quotaPrefix = "quota."

// Reserve implements recovery.Store: a create, which of two processes
// only one wins.
func (s *MailStore) Reserve(ctx context.Context, key string) (bool, error) {
	_, err := s.kv.Create(ctx, quotaPrefix+key, []byte{'1'})
	if errors.Is(err, jetstream.ErrKeyExists) {
		return false, nil
	}
	return err == nil, err
}

// Sweep implements recovery.Store: it purges the links for which done
// says so and the hour slots of the hours for which past says so, then
// the markers that purges left more than an hour ago (the outbox's too).
func (s *MailStore) Sweep(ctx context.Context, done func(recovery.Token) bool, past func(hour string) bool) (int, error) {
	var keys []string
	err := s.scan(ctx, tokenPrefix+">", func(e jetstream.KeyValueEntry) {
		var t recovery.Token
		if json.Unmarshal(e.Value(), &t) == nil && done(t) {
			keys = append(keys, e.Key())
		}
	})
	if err == nil {
		err = s.scan(ctx, quotaPrefix+">", func(e jetstream.KeyValueEntry) {
			// quota.<purpose>.<user id>.<yyyymmddhh>.<n>
			if parts := strings.Split(e.Key(), "."); len(parts) == 5 && past(parts[3]) {
				keys = append(keys, e.Key())
			}
		})
	}
	if err != nil {
		return 0, err
	}
	for n, k := range keys {
		if err := s.kv.Purge(ctx, k); err != nil {
			return n, fmt.Errorf("purge %s: %w", k, err)
		}
	}
	return len(keys), s.kv.PurgeDeletes(ctx, jetstream.DeleteMarkersOlderThan(time.Hour))
}

// scan calls fn with the current entry of every key matching filter.
func (s *MailStore) scan(ctx context.Context, filter string, fn func(jetstream.KeyValueEntry)) error {
	w, err := s.kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("watch " + filter + " closed")
			}
			if e == nil {
				return nil // every current entry given
			}
			fn(e)
		}
	}
}
