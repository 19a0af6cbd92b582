package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/accounts"
)

// LoginFailuresBucket holds the login throttle's counters, shared by every
// process, and the clients' counts of password reset requests
// (recovery.ClientWindow: they expire after the same time). Short-lived,
// like the sessions: it needs no backup.
const LoginFailuresBucket = "ACCREDIT_LOGIN_FAILURES"

// throttleUpdateTries bounds the writes of one update that lose to
// another's: each lost write means another process's failure was counted.
const throttleUpdateTries = 50

// ThrottleStore keeps the login throttle's counters (accounts.ThrottleStore)
// in a KV bucket whose entries expire by themselves, so that the failures
// made through every process count together. A counter is updated with
// the revision it was read at: of two updates at once, one is written and
// the other reads it again and adds to it.
type ThrottleStore struct {
	kv jetstream.KeyValue
}

// OpenThrottleStore creates or updates the login failures bucket, whose
// entries expire ttl after they were last written (accounts.FailWindow:
// by then no counter holds anything back).
func OpenThrottleStore(ctx context.Context, js jetstream.JetStream, cfg Config, ttl time.Duration) (*ThrottleStore, error) {
	kv, err := ensure(ctx, cfg.Log, "create bucket "+LoginFailuresBucket, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: LoginFailuresBucket, Description: "Failed logins by account and by client, and password reset requests by client (blinded), counted across processes",
			History: 1, TTL: ttl, Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
		})
	})
	if err != nil {
		return nil, err
	}
	return &ThrottleStore{kv: kv}, nil
}

// read returns key's failures and the revision to update them at (0 when
// the key holds none: never written, expired or deleted).
func (s *ThrottleStore) read(ctx context.Context, key string) (accounts.Failures, uint64, error) {
	e, err := s.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound): // never written, expired or deleted
		return accounts.Failures{}, 0, nil
	case err != nil:
		return accounts.Failures{}, 0, fmt.Errorf("login failures: read %s: %w", key, err)
	}
	var f accounts.Failures
	if err := json.Unmarshal(e.Value(), &f); err != nil {
		return accounts.Failures{}, e.Revision(), nil // unreadable counts as none; the update writes over it
	}
	return f, e.Revision(), nil
}

// Get implements accounts.ThrottleStore.
func (s *ThrottleStore) Get(ctx context.Context, key string) (accounts.Failures, error) {
	f, _, err := s.read(ctx, key)
	return f, err
}

// Update implements accounts.ThrottleStore.
func (s *ThrottleStore) Update(ctx context.Context, key string, fn func(accounts.Failures) accounts.Failures) error {
	for try := range throttleUpdateTries {
		f, rev, err := s.read(ctx, key)
		if err != nil {
			return err
		}
		b, err := json.Marshal(fn(f))
		if err != nil {
			return err
		}
		if rev == 0 {
			_, err = s.kv.Create(ctx, key, b) // which writes after a deletion's marker too
		} else {
			_, err = s.kv.Update(ctx, key, b, rev)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) && !isWrongLastSequence(err) {
			return fmt.Errorf("login failures: write %s: %w", key, err)
		}
		// Written meanwhile (or read from a replica a little behind): read
		// again, after a pause that spreads out the writers.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(rand.IntN(try+1)) * time.Millisecond):
		}
	}
	return fmt.Errorf("login failures: write %s: lost to other writes %d times", key, throttleUpdateTries)
}

// Delete implements accounts.ThrottleStore. A key without failures is
// left alone: a login's success would otherwise write a marker each time.
func (s *ThrottleStore) Delete(ctx context.Context, key string) error {
	f, _, err := s.read(ctx, key)
	if err != nil || f.Count == 0 {
		return err
	}
	if err := s.kv.Delete(ctx, key); err != nil {
		return fmt.Errorf("login failures: delete %s: %w", key, err)
	}
	return nil
}
