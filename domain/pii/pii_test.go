package pii_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/emcc/accredit/domain/pii"
)

func newVault(t *testing.T) *pii.Vault {
	t.Helper()
	v, err := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSealOpenErase(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	s, err := v.Seal(ctx, "user-1", "Ada Lovelace")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(s.Data, []byte("Ada")) {
		t.Fatal("sealed data holds the clear text")
	}
	if got, err := v.Open(ctx, s); err != nil || got != "Ada Lovelace" {
		t.Fatalf("open: got %q, %v, want Ada Lovelace", got, err)
	}
	if err := v.Erase(ctx, "user-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Open(ctx, s); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("open after erase: got %v, want ErrErased", err)
	}
	if got := v.Reveal(ctx, s); got != pii.Erased {
		t.Fatalf("reveal after erase: got %q, want %q", got, pii.Erased)
	}
}

// TestSealExistingNeverMakesAKey: sealing again with the key a person has
// works as Seal does; for a person erased, or never seen, it fails with
// ErrErased and leaves no key behind (Seal would make one).
func TestSealExistingNeverMakesAKey(t *testing.T) {
	ctx := context.Background()
	keys := pii.NewMemoryKeys()
	v, err := pii.NewVault(keys, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Seal(ctx, "user-1", "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	again, err := v.Pass().SealExisting(ctx, "user-1", "Ada King")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.Open(ctx, again); err != nil || got != "Ada King" {
		t.Fatalf("open: got %q, %v", got, err)
	}
	if err := v.Erase(ctx, "user-1"); err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{"user-1", "never-seen"} {
		if _, err := v.Pass().SealExisting(ctx, subject, "x"); !errors.Is(err, pii.ErrErased) {
			t.Fatalf("%s: got %v, want ErrErased", subject, err)
		}
		if _, err := keys.Get(ctx, subject); !errors.Is(err, pii.ErrNoKey) && !errors.Is(err, pii.ErrErased) {
			t.Fatalf("%s: the key store holds a key after SealExisting (%v)", subject, err)
		}
	}
	if s, err := v.Pass().SealExisting(ctx, "never-seen", ""); err != nil || !s.IsZero() {
		t.Fatalf("an empty value: got %+v, %v, want the zero Sealed", s, err)
	}
}

func TestSealedValueBoundToSubject(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	s, _ := v.Seal(ctx, "user-1", "secret")
	if _, err := v.Seal(ctx, "user-2", "x"); err != nil {
		t.Fatal(err)
	}
	s.Subject = "user-2" // moved to another person's key
	if _, err := v.Open(ctx, s); err == nil {
		t.Fatal("a value sealed for user-1 opened as user-2's")
	}
}

func TestEmptyValueSealsToZero(t *testing.T) {
	v := newVault(t)
	s, err := v.Seal(context.Background(), "user-1", "")
	if err != nil || !s.IsZero() {
		t.Fatalf("got %+v, %v, want zero", s, err)
	}
}

func TestKeyFileCreatedPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	k1, err := pii.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	k2, _ := pii.LoadOrCreateKeyFile(path)
	if !bytes.Equal(k1, k2) {
		t.Fatal("key changed on second load")
	}
}

// TestRevealTreeWithholdsSecrets: a view of a payload reveals its personal
// fields and withholds its secret ones (a password's hash), sealed or not,
// at any depth.
func TestRevealTreeWithholdsSecrets(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	name, err := v.Seal(ctx, "user-1", "Ada Lovelace")
	if err != nil {
		t.Fatal(err)
	}
	hash, err := v.Seal(ctx, "user-1", "$argon2id$v=19$m=19456,t=2,p=1$salt$hash")
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"name": name, "password_hash": hash,
		"old": []any{map[string]any{"password_hash": "$argon2id$plain"}}})
	var tree any
	if err := json.Unmarshal(payload, &tree); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(pii.RevealTree(ctx, v, tree))
	want := `{"name":"Ada Lovelace","old":[{"password_hash":"[withheld]"}],"password_hash":"[withheld]"}`
	if string(out) != want {
		t.Fatalf("got %s, want %s", out, want)
	}
}
