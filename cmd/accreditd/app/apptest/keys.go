package apptest

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/emcc/accredit/domain/pii"
)

// KeysDown is the real key store whose reads fail while it is down, as
// when JetStream does not answer for a moment. Pass its Wrap as
// app.Options.Keys.
type KeysDown struct {
	pii.KeyStore
	down atomic.Bool
}

// Wrap makes k wrap s, the store the vault would read.
func (k *KeysDown) Wrap(s pii.KeyStore) pii.KeyStore {
	k.KeyStore = s
	return k
}

// SetDown makes reads fail (true) or go through (false).
func (k *KeysDown) SetDown(down bool) { k.down.Store(down) }

// Get fails while k is down.
func (k *KeysDown) Get(ctx context.Context, subject string) ([]byte, error) {
	if k.down.Load() {
		return nil, errors.New("nats: timeout")
	}
	return k.KeyStore.Get(ctx, subject)
}
