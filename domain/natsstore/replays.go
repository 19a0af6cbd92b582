package natsstore

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ReplaysBucket holds the answers of the API's commands that record no
// event (an audit checkpoint, a rebuild, a mailed link, notification
// choices) under their Idempotency-Key, so that a retry on any process is
// answered as the first. Short-lived: it needs no backup.
const ReplaysBucket = "ACCREDIT_REPLAYS"

// ReplayStore keeps those answers (api.ReplayStore) in a KV bucket whose
// entries expire by themselves.
type ReplayStore struct {
	kv jetstream.KeyValue
}

// OpenReplayStore creates or updates the replays bucket; its entries
// expire ttl after they were last written.
func OpenReplayStore(ctx context.Context, js jetstream.JetStream, cfg Config, ttl time.Duration) (*ReplayStore, error) {
	kv, err := ensure(ctx, cfg.Log, "create bucket "+ReplaysBucket, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: ReplaysBucket, Description: "Answers of commands that record no event, by Idempotency-Key (hashed)",
			History: 1, TTL: ttl, Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
		})
	})
	if err != nil {
		return nil, err
	}
	return &ReplayStore{kv: kv}, nil
}

// Claim implements api.ReplayStore.
func (s *ReplayStore) Claim(ctx context.Context, key string, v []byte) ([]byte, uint64, bool, error) {
	for {
		rev, err := s.kv.Create(ctx, key, v)
		if err == nil {
			return nil, rev, true, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, 0, false, err
		}
		e, err := s.kv.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
			continue // released in between: claim it again
		}
		if err != nil {
			return nil, 0, false, err
		}
		return e.Value(), e.Revision(), false, nil
	}
}

// Update implements api.ReplayStore.
func (s *ReplayStore) Update(ctx context.Context, key string, v []byte, rev uint64) (uint64, error) {
	return s.kv.Update(ctx, key, v, rev)
}

// Put implements api.ReplayStore.
func (s *ReplayStore) Put(ctx context.Context, key string, v []byte) error {
	_, err := s.kv.Put(ctx, key, v)
	return err
}

// Delete implements api.ReplayStore.
func (s *ReplayStore) Delete(ctx context.Context, key string) error {
	return s.kv.Delete(ctx, key)
}
