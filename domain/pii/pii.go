package pii

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	streamingsubtle "github.com/tink-crypto/tink-go/v2/streamingaead/subtle"
)

// Erased is what a view shows in place of an erased personal field.
const Erased = "[erased]"

// Unavailable is what a view shows in place of a personal field that
// cannot be opened for now (the key store does not answer): not Erased,
// which would tell a false thing about the person's data.
const Unavailable = "[unavailable]"

// Withheld is what a view shows in place of a secret field's value.
const Withheld = "[withheld]"

// secretFields are the payload fields no view reveals, to anyone: a
// password's hash in the audit history would let whoever reads it try
// passwords against it offline. Named by field, so that events stored
// before this list existed are withheld too.
var secretFields = map[string]bool{"password_hash": true}

// Sealed is a personal value as stored in an event: whose it is and the
// ciphertext (nonce then sealed bytes). The zero Sealed stands for no value.
type Sealed struct {
	Subject string `json:"s,omitempty"`
	Data    []byte `json:"c,omitempty"`
}

// IsZero reports whether s holds no value.
func (s Sealed) IsZero() bool { return s.Subject == "" && len(s.Data) == 0 }

// MarshalJSON writes no value as "", so that a view revealing the tree
// shows an empty text, not an empty object.
func (s Sealed) MarshalJSON() ([]byte, error) {
	if s.IsZero() {
		return []byte(`""`), nil
	}
	if !writtenAsIs(s.Subject) {
		type plain Sealed
		return json.Marshal(plain(s))
	}
	// As json.Marshal writes it, without its reflection (a case holds
	// dozens, each written whenever the read side deflates the case).
	b := make([]byte, 0, len(`{"s":"","c":""}`)+len(s.Subject)+base64.StdEncoding.EncodedLen(len(s.Data)))
	b = append(b, '{')
	if s.Subject != "" {
		b = append(append(append(b, `"s":"`...), s.Subject...), '"')
	}
	if len(s.Data) > 0 {
		if s.Subject != "" {
			b = append(b, ',')
		}
		b = append(base64.StdEncoding.AppendEncode(append(b, `"c":"`...), s.Data), '"')
	}
	return append(b, '}'), nil
}

// writtenAsIs is a text json.Marshal writes as it stands between quotes:
// printable ASCII, none of what it escapes (quote, backslash, <, > and &).
func writtenAsIs(t string) bool {
	for i := 0; i < len(t); i++ {
		if c := t[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// UnmarshalJSON reads "", null, {} (older events) or a sealed value.
func (s *Sealed) UnmarshalJSON(b []byte) error {
	// Compared as bytes: a string made of them was a copy on the heap for
	// every sealed value read (a sealed value is longer than the stack's
	// buffer for such conversions).
	if t := bytes.TrimSpace(b); string(t) == `""` || string(t) == "null" {
		*s = Sealed{}
		return nil
	}
	if v, ok := readPlain(b); ok {
		*s = v
		return nil
	}
	type plain Sealed
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = Sealed(p)
	return nil
}

// readPlain reads a sealed value as MarshalJSON writes it,
// {"s":"<subject>","c":"<base64>"}, the subject left out when empty, as
// json.Unmarshal would but without its reflection and second scan (a
// tenth of the read side's replay went there): false for any other shape
// (spaces, escapes, other members), which json.Unmarshal then reads.
func readPlain(b []byte) (Sealed, bool) {
	var s Sealed
	rest, ok := bytes.CutPrefix(b, []byte("{"))
	if !ok {
		return s, false
	}
	if r, ok := bytes.CutPrefix(rest, []byte(`"s":"`)); ok {
		i := bytes.IndexByte(r, '"')
		if i <= 0 || !plainText(r[:i]) {
			return s, false
		}
		s.Subject, rest = string(r[:i]), r[i+1:]
		if r, ok := bytes.CutPrefix(rest, []byte(",")); ok {
			rest = r
		} else {
			return s, string(rest) == "}"
		}
	}
	r, ok := bytes.CutPrefix(rest, []byte(`"c":"`))
	if !ok {
		return s, false
	}
	i := bytes.IndexByte(r, '"')
	if i <= 0 || string(r[i+1:]) != "}" {
		return s, false
	}
	// As encoding/json decodes a []byte.
	data := make([]byte, base64.StdEncoding.DecodedLen(i))
	n, err := base64.StdEncoding.Decode(data, r[:i])
	if err != nil {
		return s, false
	}
	s.Data = data[:n]
	return s, true
}

// plainText is a JSON string's content that reads as it stands: ASCII,
// with no escape and no control character.
func plainText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x80 || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

// ErrErased is returned when a sealed value's key has been erased.
var ErrErased = errors.New("personal data erased")

// ErrNoKey is returned by a KeyStore for a subject without a key.
var ErrNoKey = errors.New("no key for subject")

// KeyStore keeps wrapped data keys by subject.
type KeyStore interface {
	// Get returns the wrapped key of subject, ErrNoKey when it never had
	// one, or ErrErased when it was deleted.
	Get(ctx context.Context, subject string) ([]byte, error)
	// Create stores a wrapped key for subject unless it has one; it
	// returns the key now stored (the existing one when it raced), or
	// ErrErased when subject's key was deleted: an erased person never
	// gets a key again, so nothing written about them after their erasure
	// can be read.
	Create(ctx context.Context, subject string, wrapped []byte) ([]byte, error)
	// Delete removes subject's key for good (it stays erased, even when it
	// had none).
	Delete(ctx context.Context, subject string) error
	// Each calls fn with every subject's wrapped key (fn's to keep), in
	// no set order, until fn returns an error, which Each returns. A key
	// created or deleted while it runs may be seen or not. A pass over
	// everyone (Vault.Pass) reads the keys this way: one read of the
	// whole store, not a round trip per person.
	Each(ctx context.Context, fn func(subject string, wrapped []byte) error) error
}

// Vault seals and opens personal values.
type Vault struct {
	keys KeyStore
	kek  cipher.AEAD // wraps the data keys
	// blind keys Blind: derived from the master key, so every process of a
	// cluster blinds a value alike.
	blind []byte

	// raw holds the keys used last, unwrapped (32 bytes each), and ciphers
	// the fewer used last of them ready for use (a cipher is about 1 KB:
	// its round keys and GHASH table). It held every key ever used, then
	// 100k ciphers: 39 MiB of a heap of 565 MiB at 50k users, 80 MB at
	// 100k once a start had shaped the register and indexed the names.
	raw     keyCache[[]byte]
	ciphers keyCache[*dataKey]
	// mu orders putting a fetched key in the caches after a Forget:
	// forgets counts them, and a key fetched before one is not cached.
	mu      sync.Mutex
	forgets uint64

	log      atomic.Pointer[slog.Logger]
	warned   atomic.Int64 // when Reveal last warned (unix ns)
	unlogged atomic.Int64 // failures not logged since
}

// DefaultKeyCache is how many unwrapped data keys a vault keeps by
// default, those used last: about 250 bytes each with the cache's entry
// (TestAKeyNotReadyIsSmall), so 25 MB at most. It
// holds every holder of the register at 100k cases (about 60k, whose
// names a start opens twice: ahead of the shaping, outside the read
// models' lock, then in it), so that the second finds them kept.
const DefaultKeyCache = 100_000

// DefaultCipherCache is how many of them are also kept ready for use, the
// ones used last: a key kept but not ready costs its cipher's making on
// its next use (about 1 µs and 1.3 KB of garbage) rather than a read of
// the key store.
const DefaultCipherCache = 4096

// NewVault returns a vault over keys, wrapping data keys with masterKey (32 bytes).
func NewVault(keys KeyStore, masterKey []byte) (*Vault, error) {
	kek, err := newAEAD(masterKey)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	v := &Vault{keys: keys, kek: kek, blind: blindKey(masterKey)}
	v.resize(DefaultKeyCache)
	return v, nil
}

// keyCache is an LRU of keys in shards: one LRU, whose every read moves
// its entry under one lock, took twice as long per open as a map under a
// read lock with 16 openers on 2 cores (BenchmarkOpenManyAtOnce).
type keyCache[V any] struct {
	seed   maphash.Seed
	shards []*lru.Cache[string, V]
}

// keyShards is how many shards a cache of n keys has: one for a small
// cache, whose order a shard would change, up to 16.
func keyShards(n int) int { return max(1, min(16, n/1024)) }

func (c *keyCache[V]) resize(n int) {
	c.seed = maphash.MakeSeed()
	c.shards = make([]*lru.Cache[string, V], keyShards(n))
	for i := range c.shards {
		c.shards[i], _ = lru.New[string, V]((n + len(c.shards) - 1) / len(c.shards))
	}
}

func (c *keyCache[V]) shard(subject string) *lru.Cache[string, V] {
	return c.shards[maphash.String(c.seed, subject)%uint64(len(c.shards))]
}

func (c *keyCache[V]) Get(subject string) (V, bool) { return c.shard(subject).Get(subject) }
func (c *keyCache[V]) Add(subject string, k V)      { c.shard(subject).Add(subject, k) }
func (c *keyCache[V]) Remove(subject string)        { c.shard(subject).Remove(subject) }

// Peek is Get without making subject the one used last.
func (c *keyCache[V]) Peek(subject string) (V, bool) { return c.shard(subject).Peek(subject) }

// resize keeps up to n keys unwrapped, and the last DefaultCipherCache
// of them (at most n) ready.
func (v *Vault) resize(n int) {
	v.raw.resize(n)
	v.ciphers.resize(min(n, DefaultCipherCache))
}

// CacheKeys sets how many unwrapped data keys are kept, those used last
// (n <= 0: DefaultKeyCache), and forgets those kept: call it before the
// vault is used. A key not kept is read from the key store and unwrapped
// again when next needed.
func (v *Vault) CacheKeys(n int) {
	if n <= 0 {
		n = DefaultKeyCache
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.forgets++ // a fetch under way is not cached into the new shards
	v.resize(n)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func seal(a cipher.AEAD, plain, ad []byte) []byte {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	_, _ = rand.Read(nonce)
	return a.Seal(nonce, nonce, plain, ad)
}

func open(a cipher.AEAD, data, ad []byte) ([]byte, error) {
	if len(data) < a.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	return a.Open(nil, data[:a.NonceSize()], data[a.NonceSize():], ad)
}

// dataKey is one person's data key, ready for use: whole values are sealed
// with aead, files in segments with a stream cipher of a key derived from
// the same data key (so erasing the data key shreds both), made on the
// key's first file: files are few, values many.
type dataKey struct {
	aead cipher.AEAD
	raw  []byte

	streamOnce sync.Once
	stream     *streamingsubtle.AESGCMHKDF
	streamErr  error
}

func newDataKey(dk []byte) (*dataKey, error) {
	a, err := newAEAD(dk)
	if err != nil {
		return nil, err
	}
	return &dataKey{aead: a, raw: dk}, nil
}

// files returns the key's stream cipher for files.
func (k *dataKey) files() (*streamingsubtle.AESGCMHKDF, error) {
	k.streamOnce.Do(func() { k.stream, k.streamErr = newFileStream(k.raw) })
	return k.stream, k.streamErr
}

// keyUse is how key treats a key it returns.
type keyUse int

const (
	// useKey keeps the key ready, as the one used last.
	useKey keyUse = iota
	// createKey is useKey, creating the key when subject has none.
	createKey
	// passKey keeps nothing and moves nothing in the caches: a pass over
	// everyone's values (the search index's snapshot seals some 250k at
	// 100k users) would otherwise push out the keys the requests use.
	passKey
)

// key returns subject's data key.
func (v *Vault) key(ctx context.Context, subject string, use keyUse) (*dataKey, error) {
	return v.keyFrom(ctx, subject, use, v.keys.Get)
}

// keyFrom is key, with read reading the wrapped key of a subject whose
// key is not kept.
func (v *Vault) keyFrom(ctx context.Context, subject string, use keyUse, read func(context.Context, string) ([]byte, error)) (*dataKey, error) {
	get := v.ciphers.Get
	getRaw := v.raw.Get
	if use == passKey {
		get, getRaw = v.ciphers.Peek, v.raw.Peek
	}
	if k, ok := get(subject); ok {
		return k, nil
	}
	v.mu.Lock()
	forgets := v.forgets
	v.mu.Unlock()
	if dk, ok := getRaw(subject); ok {
		k, err := newDataKey(dk)
		if err != nil {
			return nil, err
		}
		if use != passKey {
			v.keep(subject, k, forgets)
		}
		return k, nil
	}
	wrapped, err := read(ctx, subject)
	if errors.Is(err, ErrNoKey) && use == createKey {
		dk := make([]byte, 32)
		_, _ = rand.Read(dk)
		wrapped, err = v.keys.Create(ctx, subject, seal(v.kek, dk, []byte(subject)))
	}
	if errors.Is(err, ErrNoKey) || errors.Is(err, ErrErased) {
		return nil, ErrErased
	}
	if err != nil {
		return nil, fmt.Errorf("data key of %s: %w", subject, err)
	}
	dk, err := open(v.kek, wrapped, []byte(subject))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key of %s: %w", subject, err)
	}
	k, err := newDataKey(dk)
	if err != nil {
		return nil, err
	}
	if use != passKey {
		v.keep(subject, k, forgets)
	}
	return k, nil
}

// keep caches subject's key, unwrapped and ready, unless a Forget came
// since forgets was read: a key erased (and forgotten) while it was
// fetched serves the call that fetched it, which came first, but is not
// kept: it would open the person's data here until the process ends.
func (v *Vault) keep(subject string, k *dataKey, forgets uint64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.forgets == forgets {
		v.raw.Add(subject, k.raw)
		v.ciphers.Add(subject, k)
	}
}

// Seal encrypts plain with subject's key (created on first use). An empty
// plain seals to the zero Sealed.
func (v *Vault) Seal(ctx context.Context, subject, plain string) (Sealed, error) {
	return v.sealFrom(ctx, subject, plain, createKey, v.keys.Get)
}

func (v *Vault) sealFrom(ctx context.Context, subject, plain string, use keyUse, read func(context.Context, string) ([]byte, error)) (Sealed, error) {
	if plain == "" {
		return Sealed{}, nil
	}
	if subject == "" {
		return Sealed{}, errors.New("seal: no subject")
	}
	k, err := v.keyFrom(ctx, subject, use, read)
	if err != nil {
		return Sealed{}, fmt.Errorf("seal: %w", err)
	}
	return Sealed{Subject: subject, Data: seal(k.aead, []byte(plain), []byte(subject))}, nil
}

// ErasedValue stands for a text about subject written after their erasure:
// nothing is kept of it, it reads as erased (Reveal), and it is not a zero
// value (a required text given is still given).
func ErasedValue(subject string) Sealed { return Sealed{Subject: subject} }

// Open decrypts s; ErrErased when its subject was erased.
func (v *Vault) Open(ctx context.Context, s Sealed) (string, error) {
	return v.openFrom(ctx, s, v.keys.Get)
}

func (v *Vault) openFrom(ctx context.Context, s Sealed, read func(context.Context, string) ([]byte, error)) (string, error) {
	if s.IsZero() {
		return "", nil
	}
	k, err := v.keyFrom(ctx, s.Subject, useKey, read)
	if err != nil {
		return "", err
	}
	p, err := open(k.aead, s.Data, []byte(s.Subject))
	if err != nil {
		return "", fmt.Errorf("open sealed value of %s: %w", s.Subject, err)
	}
	return string(p), nil
}

// Erase deletes subject's key for good and forgets it here.
func (v *Vault) Erase(ctx context.Context, subject string) error {
	if err := v.keys.Delete(ctx, subject); err != nil {
		return fmt.Errorf("erase %s: %w", subject, err)
	}
	v.Forget(subject)
	return nil
}

// Forget drops subject's cached key (another process erased it).
func (v *Vault) Forget(subject string) {
	v.mu.Lock()
	v.forgets++
	v.raw.Remove(subject)
	v.ciphers.Remove(subject)
	v.mu.Unlock()
}

// MemoryKeys is an in-memory KeyStore for unit tests.
type MemoryKeys struct {
	mu     sync.Mutex
	keys   map[string][]byte
	erased map[string]bool
}

// NewMemoryKeys returns an empty in-memory key store.
func NewMemoryKeys() *MemoryKeys {
	return &MemoryKeys{keys: map[string][]byte{}, erased: map[string]bool{}}
}

// Get implements KeyStore.
func (m *MemoryKeys) Get(_ context.Context, subject string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.erased[subject] {
		return nil, ErrErased
	}
	k, ok := m.keys[subject]
	if !ok {
		return nil, ErrNoKey
	}
	return bytes.Clone(k), nil // the caller may reuse what it gets
}

// Create implements KeyStore.
func (m *MemoryKeys) Create(_ context.Context, subject string, wrapped []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.erased[subject] {
		return nil, ErrErased
	}
	if k, ok := m.keys[subject]; ok {
		return bytes.Clone(k), nil
	}
	m.keys[subject] = bytes.Clone(wrapped)
	return wrapped, nil
}

// Each implements KeyStore, over a copy taken at once: fn may use the
// store.
func (m *MemoryKeys) Each(ctx context.Context, fn func(subject string, wrapped []byte) error) error {
	m.mu.Lock()
	all := make(map[string][]byte, len(m.keys))
	for subject, k := range m.keys {
		all[subject] = bytes.Clone(k)
	}
	m.mu.Unlock()
	for subject, k := range all {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(subject, k); err != nil {
			return err
		}
	}
	return nil
}

// Delete implements KeyStore.
func (m *MemoryKeys) Delete(_ context.Context, subject string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, subject)
	m.erased[subject] = true
	return nil
}

// LoadOrCreateKeyFile reads a 32-byte key from path, creating it (0600, in a
// 0700 directory) with random bytes when it does not exist.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) != 32 {
			return nil, fmt.Errorf("key file %s: %d bytes, want 32", path, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	b = make([]byte, 32)
	_, _ = rand.Read(b)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	return b, f.Sync()
}
