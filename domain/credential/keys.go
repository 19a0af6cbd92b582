package credential

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// pemType is the PEM block type of a credential key file: the 32-byte
// Ed25519 seed, as the audit signing key is kept.
const pemType = "ACCREDIT ED25519 PRIVATE KEY"

// Key is one of the office's credential keys.
type Key struct {
	// ID names the key in the DID document ("key-20261202T142700.000Z"): the
	// time it was made, so that the newest sorts last.
	ID      string
	Private ed25519.PrivateKey
}

// Public is the key's verification key.
func (k Key) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }

// KeyRing is the directory of the office's credential keys, one PEM file
// per key ("<id>.pem", 0600). The newest signs; every key stays published
// so that what an older one signed still verifies. The directory is read
// on every use, so a key added to it (a rotation, see Rotate) is used by
// every process that shares the directory from then on, without a restart.
type KeyRing struct {
	Dir string
}

// Keys reads every key of the ring, oldest first.
func (r KeyRing) Keys() ([]Key, error) {
	names, err := filepath.Glob(filepath.Join(r.Dir, "key-*.pem"))
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	keys := make([]Key, 0, len(names))
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("credential key: %w", err)
		}
		blk, _ := pem.Decode(b)
		if blk == nil || blk.Type != pemType || len(blk.Bytes) != ed25519.SeedSize {
			return nil, fmt.Errorf("credential key %s: not an Accredit Ed25519 key", name)
		}
		keys = append(keys, Key{ID: strings.TrimSuffix(filepath.Base(name), ".pem"), Private: ed25519.NewKeyFromSeed(blk.Bytes)})
	}
	return keys, nil
}

// Current is the key that signs now: the newest.
func (r KeyRing) Current() (Key, error) {
	keys, err := r.Keys()
	if err != nil {
		return Key{}, err
	}
	if len(keys) == 0 {
		return Key{}, fmt.Errorf("no credential key in %s", r.Dir)
	}
	return keys[len(keys)-1], nil
}

// Ensure makes the ring's first key when the directory holds none.
func (r KeyRing) Ensure(now time.Time) error {
	keys, err := r.Keys()
	if err != nil || len(keys) > 0 {
		return err
	}
	if _, err = r.Rotate(now); err != nil {
		// Processes sharing the directory start together: one made it.
		if keys, kerr := r.Keys(); kerr == nil && len(keys) > 0 {
			return nil
		}
	}
	return err
}

// Rotate adds a new key, which signs from now on; the older ones stay.
// Its id is the time, to the millisecond: a second rotation within the
// same millisecond is refused rather than overwriting.
func (r KeyRing) Rotate(now time.Time) (Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, err
	}
	k := Key{ID: "key-" + now.UTC().Format("20060102T150405.000Z"), Private: priv}
	if cur, err := r.Current(); err == nil && cur.ID >= k.ID {
		return Key{}, fmt.Errorf("credential key %s is not older than now; rotate again in a moment", cur.ID)
	}
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return Key{}, fmt.Errorf("credential keys: %w", err)
	}
	path := filepath.Join(r.Dir, k.ID+".pem")
	// Written under a temporary name, then linked to its own: a process
	// reading the directory never sees half a key, and a key of the same
	// name made at the same moment by another process is never replaced.
	f, err := os.CreateTemp(r.Dir, ".key-*.tmp") // 0600
	if err != nil {
		return Key{}, fmt.Errorf("credential key: %w", err)
	}
	defer os.Remove(f.Name())
	werr := pem.Encode(f, &pem.Block{Type: pemType, Bytes: priv.Seed()})
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Link(f.Name(), path)
	}
	if werr != nil {
		return Key{}, fmt.Errorf("credential key %s: %w", path, werr)
	}
	return k, nil
}
