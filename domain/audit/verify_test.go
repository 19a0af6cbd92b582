package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
)

// writeDuringVerify: the office keeps working while the audit runs: right
// after Verify takes LastSeq, one more event is appended and the
// checkpoint loop signs a checkpoint covering it.
type writeDuringVerify struct {
	eventstore.Store
	after func()
}

func (w *writeDuringVerify) LastSeq(ctx context.Context) (uint64, error) {
	n, err := w.Store.LastSeq(ctx)
	if w.after != nil {
		w.after()
		w.after = nil
	}
	return n, err
}

// TestACheckpointSignedWhileTheAuditRunsIsNotTampering: the hourly
// checkpoint signed while an audit reads the store names versions past the
// end the audit took; it was reported as events removed, an untouched
// history as NOT intact.
func TestACheckpointSignedWhileTheAuditRunsIsNotTampering(t *testing.T) {
	ctx := context.Background()
	mem := eventstore.NewMemory()
	heads := audit.NewHeads()
	cps := &audit.MemoryCheckpoints{}
	signer, err := audit.LoadOrCreateSigner(t.TempDir() + "/k.pem")
	if err != nil {
		t.Fatal(err)
	}
	var head eventstore.Head
	step := func() {
		r := eventstoretest.MustAppend(t, mem, eventstore.AppendRequest{Stream: "case.a", Expected: head,
			Events: []eventstore.Event{eventstoretest.NewEvent("t.step", map[string]any{"x": 1})}})
		head = r.Head
		c, _ := mem.Get(ctx, r.Head.Seq)
		heads.Follow(c)
	}
	step()
	step()
	if _, err := heads.Checkpoint(ctx, signer, cps, time.Now()); err != nil {
		t.Fatal(err)
	}
	store := &writeDuringVerify{Store: mem, after: func() {
		step()
		if _, err := heads.Checkpoint(ctx, signer, cps, time.Now()); err != nil {
			t.Fatal(err)
		}
	}}
	rep, err := audit.Verify(ctx, store, cps, signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Intact || store.after != nil {
		t.Fatalf("untampered history reported NOT intact (or no checkpoint signed during the audit): streams %+v checkpoints %+v", rep.Streams, rep.Checkpoints)
	}
}
