package natsstore

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// LeasesBucket holds the leases that make a timed job run in one process.
const LeasesBucket = "ACCREDIT_LEASES"

// Leases grants a named lease to one holder at a time across every process
// on the cluster; a lease not renewed within its TTL lapses.
type Leases struct {
	kv  jetstream.KeyValue
	ttl time.Duration
}

// OpenLeases creates or updates the leases bucket.
func OpenLeases(ctx context.Context, js jetstream.JetStream, cfg Config, ttl time.Duration) (*Leases, error) {
	kv, err := ensure(ctx, cfg.Log, "create bucket "+LeasesBucket, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: LeasesBucket, Description: "Leases for jobs that run once across processes",
			History: 1, TTL: ttl, Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
		})
	})
	if err != nil {
		return nil, err
	}
	return &Leases{kv: kv, ttl: ttl}, nil
}

// Acquire takes or renews the lease name for holder; false when another
// holder has it.
func (l *Leases) Acquire(ctx context.Context, name, holder string) (bool, error) {
	e, err := l.kv.Get(ctx, name)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted):
		_, err := l.kv.Create(ctx, name, []byte(holder))
		if errors.Is(err, jetstream.ErrKeyExists) {
			return false, nil
		}
		return err == nil, err
	case err != nil:
		return false, err
	case string(e.Value()) != holder:
		return false, nil
	}
	_, err = l.kv.Update(ctx, name, []byte(holder), e.Revision())
	if err != nil {
		return false, nil // someone else renewed or took it in between
	}
	return true, nil
}

// Release gives up the lease name if holder has it, so that another
// process takes its job at once instead of after the TTL: a stop's, once
// its jobs have ended. One another holder has is left alone.
func (l *Leases) Release(ctx context.Context, name, holder string) error {
	e, err := l.kv.Get(ctx, name)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted):
		return nil
	case err != nil:
		return err
	case string(e.Value()) != holder:
		return nil
	}
	if err := l.kv.Delete(ctx, name, jetstream.LastRevision(e.Revision())); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return err // ErrKeyExists: taken or renewed in between, no longer ours to give
	}
	return nil
}
