package natsstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/natsstore"
)

// TestABucketWrittenDuringItsBackupIsWholeInIt: a backup is taken of a
// running accreditd, whose notifier and outbox write the mail bucket while
// it is copied. A key written again after the copy took the bucket's state
// has lost the revision the copy would have read, and its new one lies past
// the end the copy began with. The backup must neither fail on the count
// (as it did at random in cmd/accredit's backup test) nor leave the key
// out: every key comes back from it, at its newest value.
func TestABucketWrittenDuringItsBackupIsWholeInIt(t *testing.T) {
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
	if _, err := natsstore.OpenMailStore(ctx, es.JetStream(), natsstore.Config{}); err != nil {
		t.Fatal(err)
	}
	kv, err := es.JetStream().KeyValue(ctx, natsstore.MailBucket)
	if err != nil {
		t.Fatal(err)
	}
	put := func(key, value string) {
		t.Helper()
		if _, err := kv.PutString(ctx, key, value); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"a", "b", "c", "d"} {
		put(k, "first")
	}
	// Written again once the copy has taken the bucket's state: b in the
	// middle, d at its end.
	natsstore.OnBackupBegun(t, func(stream string) {
		if stream == "KV_"+natsstore.MailBucket {
			put("b", "second")
			put("d", "second")
		}
	})
	path := filepath.Join(t.TempDir(), "backup.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := natsstore.Backup(ctx, conn, f, os.Stderr); err != nil {
		t.Fatalf("a backup while the mail bucket is written: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	b, err := natsstore.CheckBackup(path)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := natsstore.OpenEmbedded(natsstore.EmbeddedConfig{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close(time.Second)
	if _, err := natsstore.Restore(ctx, fresh, b, 0); err != nil {
		t.Fatalf("restore: %v", err)
	}
	restored, err := fresh.OpenEventStore(ctx, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	back, err := restored.JetStream().KeyValue(ctx, natsstore.MailBucket)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"a": "first", "b": "second", "c": "first", "d": "second"} {
		e, err := back.Get(ctx, key)
		if err != nil {
			t.Errorf("key %s after the restore: %v", key, err)
			continue
		}
		if got := string(e.Value()); got != want {
			t.Errorf("key %s after the restore: %q, want %q", key, got, want)
		}
	}
}
