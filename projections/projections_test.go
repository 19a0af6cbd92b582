package projections_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

func snapshots(t *testing.T, r *projections.Runner) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	r.Read(func(s *projections.Set) {
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

// drivenRunner returns a runner that has applied a memory store in which
// historygen (seeded) opened n cases and drove case i by steps(i) steps.
func drivenRunner(t *testing.T, seed uint64, n int, steps func(i int) int) (*projections.Runner, *historygen.Generator) {
	t.Helper()
	store := eventstore.NewMemory()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	t.Cleanup(r.Stop)
	g := historygen.New(t, store, seed)
	g.OpenCases(t, n)
	for i, id := range g.Cases() {
		g.Drive(t, id, steps(i))
	}
	waitAt(t, r, lastSeq(t, store))
	return r, g
}

func waitAt(t *testing.T, r *projections.Runner, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for r.Position() < seq {
		if time.Now().After(deadline) {
			t.Fatalf("runner at %d, want %d", r.Position(), seq)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func lastSeq(t *testing.T, s eventstore.Store) uint64 {
	t.Helper()
	n, err := s.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRebuildEqualsIncrementalOnRandomHistories generates random valid case
// histories with the real aggregate, feeds one runner while they are written
// and rebuilds another from zero afterwards, and compares every read model;
// a third resumes from the first's snapshot.
func TestRebuildEqualsIncrementalOnRandomHistories(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			store := eventstore.NewMemory()
			dir := t.TempDir()
			live := projections.NewRunner(store, projections.NewSet, projections.Options{SnapshotDir: dir, Schema: projections.Schema})
			live.Start()
			defer live.Stop()
			g := historygen.New(t, store, seed)
			g.OpenCases(t, 12)
			g.Steps(t, 400)
			g.Advance(6 * 365 * 24 * time.Hour)
			g.ExpireDue(t)
			waitAt(t, live, lastSeq(t, store))
			incremental := snapshots(t, live)

			rebuilt := projections.NewRunner(store, projections.NewSet, projections.Options{})
			if _, err := rebuilt.Rebuild(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			fromZero := snapshots(t, rebuilt)
			for name, b := range incremental {
				if !bytes.Equal(b, fromZero[name]) {
					t.Fatalf("read model %s: rebuild differs from incremental (%d vs %d bytes)", name, len(fromZero[name]), len(b))
				}
			}
			// Restart: the snapshot resumes at the same state, nothing applied twice.
			live.Stop()
			resumed := projections.NewRunner(store, projections.NewSet, projections.Options{SnapshotDir: dir, Schema: projections.Schema})
			resumed.Start()
			defer resumed.Stop()
			if resumed.Position() != lastSeq(t, store) {
				t.Fatalf("resumed at %d, want %d without replay", resumed.Position(), lastSeq(t, store))
			}
			for name, b := range snapshots(t, resumed) {
				if !bytes.Equal(b, incremental[name]) {
					t.Fatalf("read model %s: resumed state differs", name)
				}
			}
			var states = map[accreditation.State]int{}
			resumed.Read(func(s *projections.Set) {
				for _, c := range allCases(s.Typed().Cases) {
					states[c.State]++
				}
			})
			t.Logf("%d commits; states %v", lastSeq(t, store), states)
		})
	}
}

func TestSnapshotOfAnotherSchemaIsNotUsed(t *testing.T) {
	store := eventstore.NewMemory()
	dir := t.TempDir()
	g := historygen.New(t, store, 9)
	g.OpenCases(t, 3)
	r := projections.NewRunner(store, projections.NewSet, projections.Options{SnapshotDir: dir, Schema: "old"})
	r.Start()
	waitAt(t, r, lastSeq(t, store))
	r.Stop()
	n := projections.NewRunner(store, projections.NewSet, projections.Options{SnapshotDir: dir, Schema: "new"})
	n.Start()
	defer n.Stop()
	waitAt(t, n, lastSeq(t, store))
	var cases int
	n.Read(func(s *projections.Set) { cases = s.Typed().Cases.Len() })
	if cases != 3 {
		t.Fatalf("after a schema change: %d cases, want 3 rebuilt from zero", cases)
	}
}

func TestReadsWaitForTheirWriteBoundedly(t *testing.T) {
	store := eventstore.NewMemory()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{WaitBound: 50 * time.Millisecond})
	r.Start()
	defer r.Stop()
	g := historygen.New(t, store, 3)
	g.OpenCases(t, 1)
	if err := r.WaitFor(context.Background(), lastSeq(t, store)); err != nil {
		t.Fatalf("wait for a written seq: %v", err)
	}
	err := r.WaitFor(context.Background(), lastSeq(t, store)+100)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.Unavailable || de.RetryAfter == 0 {
		t.Fatalf("wait past the store: got %v, want Unavailable with Retry-After", err)
	}
}

func TestRunnerOnJetStreamSkipsUndecodableCommits(t *testing.T) {
	srv := natstest.Start(t)
	es := srv.EventStore(t)
	g := historygen.New(t, es, 4)
	g.OpenCases(t, 2)
	// A foreign, undecodable message on an event subject.
	if _, err := srv.Conn.Request(natsstore.Subject("accreditation.BROKEN"), []byte("not json"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	g.OpenCases(t, 1)
	r := projections.NewRunner(es, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	waitAt(t, r, lastSeq(t, es))
	if r.DecodeErrors() != 1 {
		t.Fatalf("decode errors: got %d, want 1", r.DecodeErrors())
	}
	var cases int
	r.Read(func(s *projections.Set) { cases = s.Typed().Cases.Len() })
	if cases != 3 {
		t.Fatalf("cases: got %d, want 3 (the one after the bad commit included)", cases)
	}
}

func TestRebuildWhileServingSwapsAtTheEnd(t *testing.T) {
	srv := natstest.Start(t)
	es := srv.EventStore(t)
	g := historygen.New(t, es, 5)
	g.OpenCases(t, 5)
	g.Steps(t, 100)
	r := projections.NewRunner(es, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	waitAt(t, r, lastSeq(t, es))
	before := snapshots(t, r)
	var progress []uint64
	n, err := r.Rebuild(context.Background(), func(pos, target uint64) { progress = append(progress, pos) })
	if err != nil || n != lastSeq(t, es) {
		t.Fatalf("rebuild: %d commits, %v; want %d", n, err, lastSeq(t, es))
	}
	if len(progress) == 0 || progress[len(progress)-1] != lastSeq(t, es) {
		t.Fatalf("progress: got %v", progress)
	}
	for name, b := range snapshots(t, r) {
		if !bytes.Equal(b, before[name]) {
			t.Fatalf("%s differs after rebuild", name)
		}
	}
}

func TestReadModelsFollowAJourney(t *testing.T) {
	store := eventstore.NewMemory()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	g := historygen.New(t, store, 11)
	g.OpenCases(t, 30)
	for _, id := range g.Cases() {
		g.Drive(t, id, 40)
	}
	waitAt(t, r, lastSeq(t, store))
	now := g.Now()
	r.Read(func(s *projections.Set) {
		m := s.Typed()
		// Queue: the office sees exactly the in-progress cases, oldest first.
		page := m.Cases.OfficeQueue(projections.QueueFilter{}, now, 56*24*time.Hour, 0, 1_000_000)
		q := page.Items
		if page.HasMore {
			t.Fatalf("page of everything: has more")
		}
		if small := m.Cases.OfficeQueue(projections.QueueFilter{}, now, 56*24*time.Hour, 1, 2); len(q) > 3 && (len(small.Items) != 2 || small.Items[0].CaseID != q[1].CaseID || !small.HasMore) {
			t.Fatalf("offset 1 limit 2: %+v", small)
		}
		for i := 1; i < len(q); i++ {
			if q[i].SubmittedAt.Before(q[i-1].SubmittedAt) {
				t.Fatalf("queue not oldest first at %d", i)
			}
		}
		inProgress := 0
		decided := 0
		for _, c := range allCases(m.Cases) {
			if c.State.Queued() {
				inProgress++
			}
			if c.Decision != nil {
				decided++
			}
		}
		if len(q) != inProgress {
			t.Fatalf("office queue: %d, want %d in progress", len(q), inProgress)
		}
		// Decisions: one record per decision taken (standing or overturned).
		total := 0
		for _, c := range allCases(m.Cases) {
			total += len(c.PastDecisions)
			if c.Decision != nil {
				total++
			}
		}
		if got, _ := m.Decisions.Page(projections.DecisionFilter{}, nil, 1<<30); len(got) != total {
			t.Fatalf("decisions: %d records, want %d", len(got), total)
		}
		// Register: exactly the active accreditations.
		active := 0
		for _, c := range allCases(m.Cases) {
			if c.Accreditation != nil && c.Accreditation.Status == accreditation.StatusActive {
				active++
			}
		}
		if got := len(m.Register.Current()); got != active {
			t.Fatalf("register: %d, want %d active", got, active)
		}
		st := m.Cases.Stats(now, 56*24*time.Hour)
		if st.Total != 30 || st.Decided != decided {
			t.Fatalf("stats: total %d decided %d, want 30 and %d", st.Total, st.Decided, decided)
		}
		t.Logf("in progress %d, decided %d, active %d, stats median %.1f p90 %.1f", inProgress, decided, active, st.DaysToDecisionMedian, st.DaysToDecisionP90)
	})
}

func TestAssessorQueueHonoursProfile(t *testing.T) {
	store := eventstore.NewMemory()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	g := historygen.New(t, store, 21)
	g.OpenCases(t, 60)
	for _, id := range g.Cases() {
		g.Drive(t, id, 7)
	}
	waitAt(t, r, lastSeq(t, store))
	r.Read(func(s *projections.Set) {
		m := s.Typed()
		narrow := accreditation.AssessorProfile{UserID: "newcomer", Schemes: []string{"EIA"}, MaxLevel: framework.Foundation, Languages: []string{"nl"}, Active: true}
		availPage, mine := m.Cases.AssessorQueue(narrow, g.Now(), 56*24*time.Hour, 1000)
		avail := availPage.Items
		if len(mine.Items) != 0 {
			t.Fatalf("newcomer has %d cases of their own", len(mine.Items))
		}
		for _, it := range avail {
			if it.Scheme != "EIA" || it.Level != framework.Foundation || it.Language != "nl" || it.State != accreditation.StateAwaitingAssessment {
				t.Fatalf("queue offers a case the profile excludes: %+v", it)
			}
		}
		broad := narrow
		broad.Schemes, broad.MaxLevel, broad.Languages = []string{"EIA", "EQA"}, framework.MasterPractitioner, []string{"en", "nl"}
		allPage, _ := m.Cases.AssessorQueue(broad, g.Now(), 56*24*time.Hour, 1000)
		all := allPage.Items
		if few, _ := m.Cases.AssessorQueue(broad, g.Now(), 56*24*time.Hour, 2); len(all) > 2 && (len(few.Items) != 2 || !few.HasMore || few.Items[0].CaseID != all[0].CaseID) {
			t.Fatalf("limit 2: %+v", few)
		}
		if len(all) < len(avail) || len(all) == 0 {
			t.Fatalf("broad profile sees %d cases, narrow %d: want some, and no fewer", len(all), len(avail))
		}
		conflicted := broad
		for _, it := range all {
			if c, ok := m.Cases.Case(it.CaseID); ok {
				conflicted.Conflicts = append(conflicted.Conflicts, c.ApplicantID)
			}
		}
		if none, _ := m.Cases.AssessorQueue(conflicted, g.Now(), 56*24*time.Hour, 1000); len(none.Items) != 0 {
			t.Fatalf("conflicted assessor still offered %d cases", len(none.Items))
		}
		t.Logf("narrow %d, broad %d", len(avail), len(all))
	})
}
