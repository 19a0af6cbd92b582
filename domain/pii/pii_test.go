package pii_test

import (
	"bytes"
	"context"
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
