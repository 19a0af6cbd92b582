// Package checkpointstest is the conformance suite of the checkpoint-store
// port (audit.CheckpointStore): every implementation runs it (the in-memory
// one and JetStream), so a test on one means the same on the other.
package checkpointstest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/internal/porttest"
)

// Harness gives the suite a fresh, empty store per test.
type Harness struct {
	New func(t *testing.T) audit.CheckpointStore
}

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	porttest.Run(t, h.New, []porttest.Test[audit.CheckpointStore]{
		{Name: "an empty store lists no checkpoint", Fn: empty},
		{Name: "a checkpoint is listed with every field intact and its signature valid", Fn: roundTrip},
		{Name: "100 checkpoints are listed oldest first", Fn: order},
		{Name: "8 writers x 10 checkpoints: none lost or listed twice", Fn: concurrentAdds},
		{Name: "a listed checkpoint is the caller's copy", Fn: listedCopy},
		{Name: "a checkpoint of 20000 streams is kept whole", Fn: large},
	})
}

func ctx(t *testing.T) context.Context { return porttest.Context(t) }

func signer(t *testing.T) *audit.Signer {
	t.Helper()
	s, err := audit.LoadOrCreateSigner(filepath.Join(t.TempDir(), "signing.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkpoint is a signed checkpoint at seq over n streams.
func checkpoint(s *audit.Signer, seq uint64, n int) audit.Checkpoint {
	streams := map[string]audit.StreamHead{}
	for i := range n {
		streams[fmt.Sprintf("accreditation.case.%026d", i)] = audit.StreamHead{Version: seq + uint64(i), Hash: fmt.Sprintf("%064x", seq*1_000_003+uint64(i))}
	}
	return s.Sign(audit.Checkpoint{CreatedAt: time.Unix(1_700_000_000+int64(seq), 123456789).UTC(), Seq: seq, Streams: streams})
}

func mustAdd(t *testing.T, s audit.CheckpointStore, c audit.Checkpoint) {
	t.Helper()
	if err := s.Add(ctx(t), c); err != nil {
		t.Fatalf("add checkpoint %d: %v", c.Seq, err)
	}
}

func mustList(t *testing.T, s audit.CheckpointStore) []audit.Checkpoint {
	t.Helper()
	cps, err := s.List(ctx(t))
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	return cps
}

// clone is a copy of c that shares nothing with it.
func clone(c audit.Checkpoint) audit.Checkpoint {
	c.Streams, c.Signature = maps.Clone(c.Streams), slices.Clone(c.Signature)
	return c
}

func same(a, b audit.Checkpoint) bool {
	return a.CreatedAt.Equal(b.CreatedAt) && a.Seq == b.Seq && a.KeyID == b.KeyID &&
		slices.Equal(a.Signature, b.Signature) && maps.Equal(a.Streams, b.Streams)
}

func empty(t *testing.T, s audit.CheckpointStore) {
	if cps := mustList(t, s); len(cps) != 0 {
		t.Fatalf("got %d checkpoints, want none", len(cps))
	}
}

func roundTrip(t *testing.T, s audit.CheckpointStore) {
	sg := signer(t)
	want := checkpoint(sg, 42, 3)
	mustAdd(t, s, want)
	cps := mustList(t, s)
	if len(cps) != 1 || !same(cps[0], want) {
		t.Fatalf("got %+v, want [%+v]", cps, want)
	}
	if !verifies(cps[0], sg.Public()) {
		t.Fatal("the listed checkpoint's signature does not verify")
	}
}

// verifies checks c's signature as audit.Verify does: over the JSON of
// the checkpoint without its signature.
func verifies(c audit.Checkpoint, pub ed25519.PublicKey) bool {
	unsigned := c
	unsigned.Signature = nil
	b, err := json.Marshal(unsigned)
	return err == nil && c.KeyID == audit.KeyID(pub) && ed25519.Verify(pub, b, c.Signature)
}

func order(t *testing.T, s audit.CheckpointStore) {
	sg := signer(t)
	var want []uint64
	for i := range 100 {
		seq := uint64(10 * (i + 1))
		mustAdd(t, s, checkpoint(sg, seq, 1))
		want = append(want, seq)
	}
	var got []uint64
	for _, c := range mustList(t, s) {
		got = append(got, c.Seq)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("seqs: got %v, want %v", got, want)
	}
}

func concurrentAdds(t *testing.T, s audit.CheckpointStore) {
	sg := signer(t)
	const writers, each = 8, 10
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Add(ctx(t), checkpoint(sg, uint64(w*each+i+1), 2)); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	seen := map[uint64]int{}
	for _, c := range mustList(t, s) {
		seen[c.Seq]++
	}
	for seq := uint64(1); seq <= writers*each; seq++ {
		if seen[seq] != 1 {
			t.Fatalf("checkpoint %d listed %d times, want once", seq, seen[seq])
		}
	}
	if len(seen) != writers*each {
		t.Fatalf("got %d distinct checkpoints, want %d", len(seen), writers*each)
	}
}

// audit.Verify may read the list while the checkpoint taker adds: what one
// caller does with its list must not reach the store or another caller.
func listedCopy(t *testing.T, s audit.CheckpointStore) {
	want := checkpoint(signer(t), 7, 2)
	mustAdd(t, s, clone(want))
	first := mustList(t, s)
	clear(first[0].Streams)
	first[0].Signature[0] ^= 0xff
	first[0].Seq = 99
	if again := mustList(t, s); len(again) != 1 || !same(again[0], want) {
		t.Fatalf("after changing a listed copy: got %+v, want %+v", again, want)
	}
}

// A checkpoint holds every stream's head: one case and one user each
// have a stream, so a large office has tens of thousands.
func large(t *testing.T, s audit.CheckpointStore) {
	want := checkpoint(signer(t), 20000, 20000)
	mustAdd(t, s, want)
	cps := mustList(t, s)
	if len(cps) != 1 || !same(cps[0], want) {
		t.Fatalf("got %d checkpoints (first with %d streams), want 1 with %d", len(cps), streamsOf(cps), len(want.Streams))
	}
}

func streamsOf(cps []audit.Checkpoint) int {
	if len(cps) == 0 {
		return 0
	}
	return len(cps[0].Streams)
}
