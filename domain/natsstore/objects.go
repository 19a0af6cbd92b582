package natsstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nats-io/nats.go/jetstream"
)

// Blobs keeps evidence files (already encrypted by the caller) in a
// JetStream object store bucket.
type Blobs struct{ os jetstream.ObjectStore }

// ErrNoBlob is returned for a missing object.
var ErrNoBlob = errors.New("no such object")

// OpenBlobs creates or updates the evidence bucket.
func OpenBlobs(ctx context.Context, js jetstream.JetStream, cfg Config) (*Blobs, error) {
	os, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: EvidenceBucket, Description: "Evidence files, encrypted per person",
		Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
	})
	if err != nil {
		return nil, fmt.Errorf("create object store %s: %w", EvidenceBucket, err)
	}
	return &Blobs{os: os}, nil
}

// Put implements evidence.Blobs.
func (b *Blobs) Put(ctx context.Context, name string, data []byte) error {
	_, err := b.os.Put(ctx, jetstream.ObjectMeta{Name: name}, bytes.NewReader(data))
	return err
}

// Get implements evidence.Blobs.
func (b *Blobs) Get(ctx context.Context, name string) ([]byte, error) {
	r, err := b.os.Get(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, ErrNoBlob
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Delete implements evidence.Blobs; the object's chunks are purged.
func (b *Blobs) Delete(ctx context.Context, name string) error {
	err := b.os.Delete(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	return err
}
