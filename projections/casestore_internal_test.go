package projections

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections/historygen"
)

// newSetKeeping is NewSet with at most n idle cases kept folded.
func newSetKeeping(n int) func() *Set {
	return func() *Set {
		s := NewSet()
		s.typed.Cases.hotMax = n
		return s
	}
}

// TestColdCasesAnswerAsFoldedOnes: with two idle cases kept folded (every
// other deflated, and decoded again for each of its events), the read
// models answer as with every case folded, after a replay and after a
// restart from the snapshot: the same snapshot bytes, queues, statistics,
// applicants' cases, renewals and decisions.
func TestColdCasesAnswerAsFoldedOnes(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			store := eventstore.NewMemory()
			g := historygen.New(t, store, seed)
			defer g.Close()
			g.Lifetimes(t, 40, 800, 6, 100)

			folded := NewRunner(store, newSetKeeping(1<<30), Options{})
			dir := t.TempDir()
			cold := NewRunner(store, newSetKeeping(2), Options{SnapshotDir: dir, Schema: Schema})
			for _, r := range []*Runner{folded, cold} {
				if _, err := r.Rebuild(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
			}
			var deflated int
			cold.Read(func(s *Set) { deflated = len(s.typed.Cases.cold) })
			if deflated < 5 {
				t.Fatalf("%d cases deflated; the test needs several (the others are queued)", deflated)
			}
			t.Logf("%d of 40 cases deflated", deflated)
			allSpilled(t, "replayed", cold)
			same := sameAsFolded(t, folded, g)
			same("replayed", cold)
			if err := cold.SaveSnapshot(); err != nil {
				t.Fatal(err)
			}
			restored := NewRunner(store, newSetKeeping(2), Options{SnapshotDir: dir, Schema: Schema})
			restored.Start()
			defer restored.Stop()
			if restored.Resumed() != cold.Position() {
				t.Fatalf("restored at %d, want %d", restored.Resumed(), cold.Position())
			}
			same("restored", restored)
			allSpilled(t, "restored", restored)
		})
	}
}

// allSpilled fails unless every cold case and every decision of r is in
// a spill, none on the heap.
func allSpilled(t *testing.T, what string, r *Runner) {
	t.Helper()
	r.Read(func(s *Set) {
		for id, c := range s.typed.Cases.cold {
			if c.s == nil || c.b != nil {
				t.Fatalf("%s: cold case %s is on the heap, not in the spill", what, id)
			}
		}
		for _, h := range s.typed.Decisions.records {
			if h.json.s == nil || h.json.b != nil {
				t.Fatalf("%s: decision %d of case %s is on the heap, not in the spill", what, h.Number, h.CaseID)
			}
		}
	})
}

// TestASpillMostlyGarbageIsReplacedAndEmptied: with no idle case kept
// folded, every event of a finished case decodes it and deflates it
// again, leaving its old bytes in the spill as garbage. The spill is
// replaced once its garbage outweighs what is still read there, the cases
// left in it move a few at a time, and the models answer (and snapshot)
// as with every case folded, whether spilled, moved or never spilled (a
// directory that cannot be made keeps them on the heap).
func TestASpillMostlyGarbageIsReplacedAndEmptied(t *testing.T) {
	slack, batch := spillSlack, migrateBatch
	spillSlack, migrateBatch = 0, 3
	t.Cleanup(func() { spillSlack, migrateBatch = slack, batch })

	store := eventstore.NewMemory()
	g := historygen.New(t, store, 4)
	defer g.Close()
	g.Lifetimes(t, 40, 800, 6, 100)

	folded := NewRunner(store, newSetKeeping(1<<30), Options{})
	spilled := NewRunner(store, newSetKeeping(0), Options{SnapshotDir: t.TempDir(), Schema: Schema})
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	onHeap := NewRunner(store, newSetKeeping(0), Options{SnapshotDir: notADir, Schema: Schema})
	for _, r := range []*Runner{folded, spilled, onHeap} {
		if _, err := r.Rebuild(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	spilled.Read(func(s *Set) {
		m := s.typed.Cases
		if m.spillsReplaced < 2 {
			t.Fatalf("the spill was replaced %d times; the test needs it replaced again and again", m.spillsReplaced)
		}
		var moved, left int
		for _, c := range m.cold {
			switch {
			case c.s == nil:
				t.Fatal("a cold case is on the heap")
			case c.s == m.spills.cur:
				moved++
			case c.s == m.oldSpill && m.oldSpill != nil:
				left++
			default:
				t.Fatal("a cold case is in a spill the model no longer follows")
			}
		}
		if left > len(m.moving) {
			t.Fatalf("%d cases left in the replaced spill, %d to move", left, len(m.moving))
		}
		// The garbage of the file written now is bounded by what it holds
		// live: at most its live bytes again, and the last batch.
		if end := m.spills.cur.size(); end > 2*m.spills.cur.live+int64(20<<10)*int64(max(migrateBatch, 40)) {
			t.Fatalf("the spill holds %d bytes for %d live", end, m.spills.cur.live)
		}
		t.Logf("spill replaced %d times; %d cold cases in the current spill, %d to move", m.spillsReplaced, moved, left)
	})
	onHeap.Read(func(s *Set) {
		for id, c := range s.typed.Cases.cold {
			if c.s != nil || c.b == nil {
				t.Fatalf("case %s is not on the heap, though no spill could be made", id)
			}
		}
	})
	same := sameAsFolded(t, folded, g)
	same("spilled", spilled)
	same("on the heap", onHeap)
	entries, err := os.ReadDir(spilled.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("the snapshot directory holds %s: a spill is unlinked as it is made", e.Name())
	}
}

// sameAsFolded returns a check that a runner's models have the snapshot
// bytes and the answers of folded's, whose every case is folded.
func sameAsFolded(t *testing.T, folded *Runner, g *historygen.Generator) func(what string, r *Runner) {
	want, wantAnswers := modelBytes(t, folded), answers(t, folded, g)
	return func(what string, r *Runner) {
		t.Helper()
		for name, b := range modelBytes(t, r) {
			if !bytes.Equal(b, want[name]) {
				t.Errorf("%s: read model %s's snapshot differs from every case folded", what, name)
			}
		}
		got := answers(t, r, g)
		for k, w := range wantAnswers {
			if got[k] != w {
				t.Errorf("%s: %s differs:\n got %s\nwant %s", what, k, got[k], w)
			}
		}
	}
}

func modelBytes(t *testing.T, r *Runner) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	r.Read(func(s *Set) {
		for _, m := range s.Models {
			b, err := m.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			out[m.Name()] = b
		}
	})
	return out
}

// answers are the cases model's and the decisions' answers, as JSON.
func answers(t *testing.T, r *Runner, g *historygen.Generator) map[string]string {
	t.Helper()
	out := map[string]string{}
	put := func(k string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = string(b)
	}
	now, sla := g.Now(), 56*24*time.Hour
	r.Read(func(s *Set) {
		m := s.typed
		put("office queue", m.Cases.OfficeQueue(QueueFilter{}, now, sla, 0, 1<<20))
		put("statistics", m.Cases.Stats(now, sla))
		put("renewals", m.Cases.Renewals("", ""))
		put("decisions", func() []DecisionRecord { d, _ := m.Decisions.Page(DecisionFilter{}, nil, 1<<30); return d }())
		for i := range 6 {
			avail, mine := m.Cases.AssessorQueue(g.Profile(i), now, sla, 1<<20)
			put(fmt.Sprintf("assessor %d", i), []Page{avail, mine})
		}
		var applicants []string
		m.Cases.Each(func(c *accreditation.Case) { applicants = append(applicants, c.ApplicantID) })
		slices.Sort(applicants)
		for _, a := range slices.Compact(applicants) {
			cs := m.Cases.OfApplicant(a)
			slices.SortStableFunc(cs, func(x, y *accreditation.Case) int { return strings.Compare(x.ID, y.ID) })
			put("cases of "+a, cs)
		}
		for _, id := range g.Cases() {
			c, _ := m.Cases.Case(id)
			put("case "+id, c)
		}
	})
	return out
}

// BenchmarkInflateCase decodes compressed cases as the follower, a
// snapshot's load and the queries do for every cold case they touch.
func BenchmarkInflateCase(b *testing.B) {
	store := eventstore.NewMemory()
	g := historygen.New(b, store, 7)
	defer g.Close()
	g.OpenCases(b, 40)
	g.Steps(b, 800)
	r := NewRunner(store, newSetKeeping(0), Options{})
	if _, err := r.Rebuild(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	var cold [][]byte
	r.Read(func(s *Set) {
		for _, z := range s.typed.Cases.cold {
			z, err := z.read(nil)
			if err != nil {
				b.Fatal(err)
			}
			cold = append(cold, z)
		}
	})
	if len(cold) < 5 {
		b.Fatalf("%d cold cases; the benchmark needs several", len(cold))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := decompressCase(cold[i%len(cold)]); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCatchUpKeepsMoreFoldedThenCoolsOff: a rebuild (a catch-up from
// zero) decodes fewer cold cases again than following the same commits one
// at a time does, answers the same, and leaves no more cases folded once
// it has caught up than following does.
func TestCatchUpKeepsMoreFoldedThenCoolsOff(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 5)
	defer g.Close()
	g.OpenCases(t, 40)
	g.Steps(t, 800)

	last, err := store.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var commits []eventstore.Commit
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_ = store.Subscribe(ctx, 0, func(c eventstore.Commit) error {
		commits = append(commits, c)
		if c.Seq >= last {
			cancel()
		}
		return nil
	})
	followed := NewRunner(store, newSetKeeping(2), Options{})
	followed.Read(func(s *Set) {
		for _, c := range commits {
			followed.applyTo(s, c, nil)
		}
	})
	rebuilt := NewRunner(store, newSetKeeping(2), Options{})
	if _, err := rebuilt.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var followedInflated, rebuiltInflated, followedIdle, rebuiltIdle int
	followed.Read(func(s *Set) { followedInflated, followedIdle = s.typed.Cases.inflated, len(s.typed.Cases.idle) })
	rebuilt.Read(func(s *Set) { rebuiltInflated, rebuiltIdle = s.typed.Cases.inflated, len(s.typed.Cases.idle) })
	t.Logf("cold cases decoded again: followed %d, rebuilt %d; idle folded after: %d, %d", followedInflated, rebuiltInflated, followedIdle, rebuiltIdle)
	if followedInflated == 0 {
		t.Fatal("following decoded no cold case again: the test needs a history that does")
	}
	if rebuiltInflated >= followedInflated {
		t.Errorf("the rebuild decoded %d cold cases again, following %d: the catch-up kept no more folded", rebuiltInflated, followedInflated)
	}
	if rebuiltIdle > 2 /* keep+keep/4, as deflate allows, with keep 2 */ || rebuiltIdle > max(followedIdle, 2) {
		t.Errorf("%d idle cases folded after the rebuild, following left %d: the catch-up's surplus was not deflated", rebuiltIdle, followedIdle)
	}
	want := modelBytes(t, followed)
	for name, b := range modelBytes(t, rebuilt) {
		if !bytes.Equal(b, want[name]) {
			t.Errorf("read model %s differs between the rebuild and following", name)
		}
	}
}
