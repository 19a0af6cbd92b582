package natsstore_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// Erasure is crypto-shredding: what the store keeps of a person stays
// sealed under their key, and erasing them destroys the key. These tests
// read the server's files after it has stopped, as someone holding the disk
// (or a copy of it) would.

// randomKey is a wrapped key no file holds by chance.
func randomKey(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, 60)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// filesHolding names the files under dir whose bytes hold b.
func filesHolding(t *testing.T, dir string, b []byte) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, b) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// jetStreamOf is the JetStream of server s's connection (made again after
// a restart).
func jetStreamOf(t *testing.T, s *natstest.Server) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(s.Conn)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func openKeys(t *testing.T, js jetstream.JetStream) *natsstore.KeyStore {
	t.Helper()
	keys, err := natsstore.OpenKeyStore(context.Background(), js, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// wantErased checks that subject reads as erased and refuses a new key.
func wantErased(t *testing.T, keys *natsstore.KeyStore, subject string) {
	t.Helper()
	ctx := context.Background()
	if got, err := keys.Get(ctx, subject); !errors.Is(err, pii.ErrErased) {
		t.Errorf("get %s: %x, %v; want ErrErased", subject, got, err)
	}
	if got, err := keys.Create(ctx, subject, []byte("a new key")); !errors.Is(err, pii.ErrErased) {
		t.Errorf("create %s again: %x, %v; want ErrErased", subject, got, err)
	}
}

// wantOnDisk checks, with the server stopped, that the kept keys are in
// its files (so that the search can find a key) and the erased ones are not.
func wantOnDisk(t *testing.T, s *natstest.Server, kept, erased [][]byte) {
	t.Helper()
	s.Stop()
	for _, k := range kept {
		if len(filesHolding(t, s.Dir, k)) == 0 {
			t.Fatalf("a key not erased is in none of the server's files: the search cannot tell")
		}
	}
	for _, k := range erased {
		if files := filesHolding(t, s.Dir, k); len(files) > 0 {
			t.Errorf("an erased key's bytes are still in %v", files)
		}
	}
}

func TestAnErasedKeyLeavesNoBytesInTheServersFiles(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	js := jetStreamOf(t, s)
	keys := openKeys(t, js)
	kept, erased := randomKey(t), randomKey(t)
	if _, err := keys.Create(ctx, "user.kept", kept); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Create(ctx, "user.erased", erased); err != nil {
		t.Fatal(err)
	}
	if err := keys.Delete(ctx, "user.erased"); err != nil {
		t.Fatal(err)
	}
	wantErased(t, keys, "user.erased")
	if got, err := keys.Get(ctx, "user.kept"); err != nil || !bytes.Equal(got, kept) {
		t.Fatalf("the other key: %x, %v", got, err)
	}
	wantOnDisk(t, s, [][]byte{kept}, [][]byte{erased})
}

// An erasure that stopped after its marker (the process died) leaves the
// key's bytes; erasing again overwrites them. Two erasures at once both
// succeed.
func TestAnErasureStoppedHalfWayIsFinishedByTheNext(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	js := jetStreamOf(t, s)
	keys := openKeys(t, js)
	kept, halfErased, raced := randomKey(t), randomKey(t), randomKey(t)
	for subject, k := range map[string][]byte{"user.kept": kept, "user.half": halfErased, "user.raced": raced} {
		if _, err := keys.Create(ctx, subject, k); err != nil {
			t.Fatal(err)
		}
	}
	marker := nats.NewMsg("$KV." + natsstore.KeysBucket + ".user.half")
	marker.Header.Set("KV-Operation", "DEL")
	if _, err := js.PublishMsg(ctx, marker); err != nil {
		t.Fatal(err)
	}
	wantErased(t, keys, "user.half")
	if err := keys.Delete(ctx, "user.half"); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = keys.Delete(ctx, "user.raced") })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("erasures at once: %v", err)
		}
	}
	wantErased(t, keys, "user.half")
	wantErased(t, keys, "user.raced")
	wantOnDisk(t, s, [][]byte{kept}, [][]byte{halfErased, raced})
}

// legacyBucket makes the keys bucket as stores made before December 2026
// have it: a KV bucket as nats makes one, its stream denying deletes.
func legacyBucket(t *testing.T, js jetstream.JetStream) jetstream.KeyValue {
	t.Helper()
	kv, err := js.CreateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: natsstore.LegacyKeysBucket, History: 1, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// A store made before the keys moved: its bucket denied deletes, so an
// erased key was only purged and stayed in its files. Opening the key
// store moves the keys and erasures across and deletes the old bucket.
func TestTheOldKeysBucketIsMovedAndItsFilesGo(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	js := jetStreamOf(t, s)
	old := legacyBucket(t, js)
	kept, erased := randomKey(t), randomKey(t)
	if _, err := old.Create(ctx, "user.kept", kept); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Create(ctx, "user.erased", erased); err != nil {
		t.Fatal(err)
	}
	if err := old.Purge(ctx, "user.erased"); err != nil {
		t.Fatal(err)
	}
	// What the old bucket did: the purged key stays on disk.
	s.Restart(t)
	if len(filesHolding(t, s.Dir, erased)) == 0 {
		t.Fatal("the old bucket's purge left no bytes: this test shows nothing")
	}
	js = jetStreamOf(t, s)

	keys := openKeys(t, js)
	if got, err := keys.Get(ctx, "user.kept"); err != nil || !bytes.Equal(got, kept) {
		t.Fatalf("the moved key: %x, %v", got, err)
	}
	wantErased(t, keys, "user.erased")
	if _, err := js.Stream(ctx, "KV_"+natsstore.LegacyKeysBucket); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("the old bucket's stream: %v; want it deleted", err)
	}
	// Opening again (another process, a restart) changes nothing.
	keys = openKeys(t, js)
	if got, err := keys.Get(ctx, "user.kept"); err != nil || !bytes.Equal(got, kept) {
		t.Fatalf("the moved key after a second open: %x, %v", got, err)
	}
	var each int
	if err := keys.Each(ctx, func(string, []byte) error { each++; return nil }); err != nil || each != 1 {
		t.Fatalf("Each: %d keys, %v; want the one not erased", each, err)
	}
	wantOnDisk(t, s, [][]byte{kept}, [][]byte{erased})
}

// A copy stopped half-way (the old bucket sealed, some keys across) goes
// on where it stopped, and leaves a key erased in the new bucket since
// erased.
func TestAnInterruptedMoveOfTheKeysGoesOn(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	js := jetStreamOf(t, s)
	old := legacyBucket(t, js)
	a, b := randomKey(t), randomKey(t)
	if _, err := old.Create(ctx, "user.a", a); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Create(ctx, "user.b", b); err != nil {
		t.Fatal(err)
	}
	// The first move copied user.a, then stopped; since then user.a was
	// erased in the new bucket.
	if _, err := js.CreateStream(ctx, natsstore.KeysStreamConfig(1)); err != nil {
		t.Fatal(err)
	}
	copied := nats.NewMsg("$KV." + natsstore.KeysBucket + ".user.a")
	copied.Data = a
	if _, err := js.PublishMsg(ctx, copied); err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, "KV_"+natsstore.LegacyKeysBucket)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	cfg.Sealed = true
	if _, err := js.UpdateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	newKV, err := js.KeyValue(ctx, natsstore.KeysBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := newKV.Delete(ctx, "user.a"); err != nil {
		t.Fatal(err)
	}

	keys := openKeys(t, js)
	wantErased(t, keys, "user.a")
	if got, err := keys.Get(ctx, "user.b"); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("the key not yet copied: %x, %v", got, err)
	}
}

// A backup copies the keys bucket whole, across the gap an erased key
// leaves, and stops at its end when the last key was the one erased: the
// erasure's marker is in it, the erased key is not.
func TestABackupOfTheKeysHoldsNoErasedKey(t *testing.T) {
	ctx := context.Background()
	conn, err := natsstore.OpenEmbedded(natsstore.EmbeddedConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(time.Second)
	es, err := conn.OpenEventStore(ctx, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	keys := openKeys(t, es.JetStream())
	kept, erased := randomKey(t), randomKey(t)
	if _, err := keys.Create(ctx, "user.kept", kept); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Create(ctx, "user.erased", erased); err != nil {
		t.Fatal(err)
	}
	if err := keys.Delete(ctx, "user.erased"); err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	counts, err := natsstore.Backup(ctx, conn, &file, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if n := counts["KV_"+natsstore.KeysBucket]; n != 2 {
		t.Fatalf("keys backed up: %d messages, want 2 (the kept key and the erasure's marker)", n)
	}
	gz, err := gzip.NewReader(&file)
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(all, []byte(base64.StdEncoding.EncodeToString(kept))) {
		t.Fatal("the kept key is not in the backup")
	}
	if bytes.Contains(all, []byte(base64.StdEncoding.EncodeToString(erased))) {
		t.Fatal("the erased key is in the backup")
	}
}
