package natsstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/natsstore"
)

// A writer that stopped part way through a checkpoint in parts leaves
// parts that List does not take for a checkpoint, and that do not spoil
// the checkpoints after them.
func TestCheckpointPartsOfAnUnfinishedWriteAreNotListed(t *testing.T) {
	ctx := context.Background()
	js := jetStream(t)
	cps, err := natsstore.OpenCheckpointStore(ctx, js, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := nats.NewMsg("accredit.checkpoints")
	m.Header.Set("Accredit-Checkpoint-Id", "unfinished")
	m.Header.Set("Accredit-Checkpoint-Part", "1/2")
	m.Data = []byte(`{"seq":1,"streams":{`)
	if _, err := js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	sg, err := audit.LoadOrCreateSigner(filepath.Join(t.TempDir(), "k.pem"))
	if err != nil {
		t.Fatal(err)
	}
	heads := map[string]audit.StreamHead{}
	for i := range 20000 { // well over one message
		heads[fmt.Sprintf("accreditation.case.%026d", i)] = audit.StreamHead{Version: uint64(i + 1), Hash: fmt.Sprintf("%064x", i)}
	}
	for _, c := range []audit.Checkpoint{{Seq: 2, Streams: heads}, {Seq: 3}} {
		if err := cps.Add(ctx, sg.Sign(c)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := cps.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Seq != 2 || len(got[0].Streams) != 20000 || got[1].Seq != 3 {
		t.Fatalf("got %d checkpoints, want seq 2 (20000 streams) and seq 3", len(got))
	}
}

// Last is the checkpoint List lists last, read from the stream's end: one
// message, one in parts, or, after an unfinished write's part, the one
// before it; none in an empty stream.
func TestLastCheckpointIsTheOneListedLast(t *testing.T) {
	ctx := context.Background()
	js := jetStream(t)
	cps, err := natsstore.OpenCheckpointStore(ctx, js, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := cps.Last(ctx); err != nil || ok {
		t.Fatalf("an empty stream's last: ok %v, err %v", ok, err)
	}
	sg, err := audit.LoadOrCreateSigner(filepath.Join(t.TempDir(), "k.pem"))
	if err != nil {
		t.Fatal(err)
	}
	heads := map[string]audit.StreamHead{}
	for i := range 20000 { // well over one message
		heads[fmt.Sprintf("accreditation.case.%026d", i)] = audit.StreamHead{Version: uint64(i + 1), Hash: fmt.Sprintf("%064x", i)}
	}
	want := func(seq uint64, streams int) {
		t.Helper()
		c, ok, err := cps.Last(ctx)
		if err != nil || !ok || c.Seq != seq || len(c.Streams) != streams || c.KeyID != audit.KeyID(sg.Public()) {
			t.Fatalf("last: seq %d, %d streams, key %q, ok %v, err %v; want seq %d, %d streams", c.Seq, len(c.Streams), c.KeyID, ok, err, seq, streams)
		}
	}
	if err := cps.Add(ctx, sg.Sign(audit.Checkpoint{Seq: 2, Streams: heads})); err != nil {
		t.Fatal(err)
	}
	want(2, 20000)
	if err := cps.Add(ctx, sg.Sign(audit.Checkpoint{Seq: 3})); err != nil {
		t.Fatal(err)
	}
	want(3, 0)
	m := nats.NewMsg("accredit.checkpoints")
	m.Header.Set("Accredit-Checkpoint-Id", "unfinished")
	m.Header.Set("Accredit-Checkpoint-Part", "1/2")
	m.Data = []byte(`{"seq":4,"streams":{`)
	if _, err := js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	want(3, 0)
}
