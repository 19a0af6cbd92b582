package natsstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

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

// Get implements pii.KeyStore. An erased subject's key is a purge marker,
// which the bucket keeps (nothing purges the markers of this bucket).
func (k *KeyStore) Get(ctx context.Context, subject string) ([]byte, error) {
	e, err := k.kv.Get(ctx, subject)
	if errors.Is(err, jetstream.ErrKeyDeleted) {
		return nil, pii.ErrErased
	}
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		// A replica may not have a key made a moment ago: ask the leader.
		v, op, lerr := kvLeaderOp(ctx, k.js, KeysBucket, subject)
		switch {
		case lerr != nil:
			return nil, lerr
		case op == kvDeleted:
			return nil, pii.ErrErased
		case op == kvNone:
			return nil, pii.ErrNoKey
		}
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	return e.Value(), nil
}

// Create implements pii.KeyStore: a write expecting no message at all on
// the key's subject, so that a purge marker (an erased subject) refuses it
// as a key does; nats' KeyValue.Create would write over the marker.
func (k *KeyStore) Create(ctx context.Context, subject string, wrapped []byte) ([]byte, error) {
	_, err := k.kv.Update(ctx, subject, wrapped, 0)
	if err == nil {
		return wrapped, nil
	}
	// Another creator won, or the subject is erased, or the store failed.
	if got, gerr := k.Get(ctx, subject); gerr == nil || errors.Is(gerr, pii.ErrErased) {
		return got, gerr
	}
	return nil, err
}

// Each implements pii.KeyStore: a watch of the whole bucket (an ordered
// consumer of each key's last value, erased ones left out), stopped once
// it has delivered what the bucket held when it began.
func (k *KeyStore) Each(ctx context.Context, fn func(subject string, wrapped []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := k.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("keys: watch: %w", err)
	}
	defer w.Stop()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return fmt.Errorf("keys: the watch ended early: %w", context.Cause(ctx))
			}
			if e == nil { // every key the bucket held has come
				return nil
			}
			if err := fn(e.Key(), e.Value()); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Delete implements pii.KeyStore: a purge, which removes every revision.
func (k *KeyStore) Delete(ctx context.Context, subject string) error {
	err := k.kv.Purge(ctx, subject)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	return err
}
