package seed_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/seed"
)

// With Files, every evidence item's file is stored, sealed with its
// applicant's key, as the PDF its metadata describes; the rest of the data
// set is the one made without files.
func TestSeedStoresEachEvidenceFile(t *testing.T) {
	until := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	cfg := seed.Config{Cases: 40, Users: seed.MinUsers() + 20, Seed: 11, Until: until}
	without, _ := run(t, cfg)

	vault, err := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	files := evidence.NewMemoryBlobs()
	cfg.Vault, cfg.PasswordHash, cfg.Files = vault, hash, files
	store := eventstore.NewMemory()
	with, err := seed.Run(context.Background(), cfg, &seed.StoreWriter{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if with.Commits != without.Commits || with.Events != without.Events || with.Cases != without.Cases {
		t.Fatalf("with files: %d commits, %d events, %d cases; without: %d, %d, %d", with.Commits, with.Events, with.Cases, without.Commits, without.Events, without.Cases)
	}
	checked := 0
	for _, c := range replay(t, store) {
		for _, ev := range c.Evidence {
			sealed, err := files.Get(context.Background(), ev.Object)
			if err != nil {
				t.Fatalf("case %s, evidence %s: %v", c.ID, ev.ID, err)
			}
			plainR, err := vault.OpenFile(context.Background(), c.ApplicantID, sealed)
			if err != nil {
				t.Fatalf("open the file of %s with its applicant's key: %v", ev.ID, err)
			}
			plain, err := io.ReadAll(plainR)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(plain)
			if !bytes.HasPrefix(plain, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(plain, []byte("%%EOF\n")) ||
				int64(len(plain)) != ev.Size || hex.EncodeToString(sum[:]) != ev.SHA256 {
				t.Fatalf("evidence %s: %d bytes, sha %x; recorded %d bytes, sha %s; starts %q", ev.ID, len(plain), sum, ev.Size, ev.SHA256, plain[:min(len(plain), 12)])
			}
			// As an upload of it would be judged.
			if typ, err := evidence.Check(bytes.NewReader(plain), int64(len(plain)), "file.pdf"); err != nil || typ.MediaType != ev.ContentType {
				t.Fatalf("evidence %s: judged %+v, %v; recorded as %s", ev.ID, typ, err, ev.ContentType)
			}
			checked++
		}
	}
	if checked < 40 {
		t.Fatalf("only %d evidence files in 40 cases", checked)
	}
}
