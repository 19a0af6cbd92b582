package projections

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections/historygen"
)

// TestStatsKeptAsCasesChangeAreTheScansFigures: the office's figures, kept
// as each case changes, equal those of a scan of every case (the code they
// replaced, below) at every point of a long history, at several times and
// service levels, and after a restore from the snapshot.
func TestStatsKeptAsCasesChangeAreTheScansFigures(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		store := eventstore.NewMemory()
		g := historygen.New(t, store, seed)
		r := NewRunner(store, NewSet, Options{})
		r.Start()
		compare := func(what string, m *Cases) {
			t.Helper()
			for _, at := range []time.Duration{0, 30 * 24 * time.Hour, 400 * 24 * time.Hour} {
				for _, sla := range []time.Duration{14 * 24 * time.Hour, 91 * 24 * time.Hour} {
					now := g.Now().Add(at)
					got, want := m.Stats(now, sla), statsByScan(m, now, sla)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("seed %d, %s, now+%v, sla %v:\n got %+v\nwant %+v", seed, what, at, sla, got, want)
					}
				}
			}
		}
		g.OpenCases(t, 40)
		for step := range 12 {
			g.Steps(t, 250)
			if step == 8 {
				g.Advance(3 * 365 * 24 * time.Hour)
				g.ExpireDue(t)
			}
			waitUntil(t, r, lastOf(t, store))
			r.Read(func(s *Set) { compare("live", s.typed.Cases) })
		}
		var snap []byte
		var decided int
		r.Read(func(s *Set) {
			decided = s.typed.Cases.tally.decided
			var err error
			if snap, err = s.typed.Cases.Snapshot(); err != nil {
				t.Fatal(err)
			}
		})
		r.Stop()
		g.Close()
		if decided < 5 {
			t.Fatalf("seed %d: %d cases decided; the test needs several", seed, decided)
		}
		restored := NewCases()
		if err := restored.Restore(snap); err != nil {
			t.Fatal(err)
		}
		compare("restored", restored)
	}
}

// statsByScan is how Stats was computed before: every case's summary read.
func statsByScan(m *Cases, now time.Time, sla time.Duration) Stats {
	s := Stats{ByState: map[string]int{}, ByScheme: map[string]int{}, ByLevel: map[string]int{},
		OutcomesByLevel: map[string]map[string]int{}, ServiceLevelDays: int(sla.Hours() / 24)}
	var days []float64
	load := map[string]*Workload{}
	for _, c := range m.sums {
		if !c.exists() {
			continue
		}
		s.Total++
		s.ByState[string(c.State)]++
		s.ByScheme[string(c.Scheme)]++
		s.ByLevel[string(c.Level)]++
		if c.Decision != nil && !c.SubmittedAt.IsZero() {
			days = append(days, c.Decision.At.Sub(c.SubmittedAt).Hours()/24)
			o := s.OutcomesByLevel[string(c.Level)]
			if o == nil {
				o = map[string]int{}
				s.OutcomesByLevel[string(c.Level)] = o
			}
			o[string(c.Decision.Outcome)]++
		}
		// As item's Overdue.
		if c.State.Queued() && !c.SubmittedAt.IsZero() && !now.Before(c.SubmittedAt.Add(sla)) && c.Decision == nil {
			s.Overdue++
		}
		for _, a := range c.Roles {
			if !a.Assessed && !c.State.Queued() {
				continue // a role nobody waits for: the case is withdrawn
			}
			w := load[a.UserID]
			if w == nil {
				w = &Workload{UserID: a.UserID}
				load[a.UserID] = w
			}
			if a.Assessed {
				w.Completed++
			} else {
				w.Open++
			}
		}
	}
	// The renewals in assessment, as the dashboard once counted them: from
	// the renewal lists, which read the cases themselves.
	for _, r := range m.Renewals(accreditation.StateRenewalInAssessment, "") {
		w := load[r.AssessorID]
		if w == nil {
			w = &Workload{UserID: r.AssessorID}
			load[r.AssessorID] = w
		}
		w.Renewals++
	}
	s.Decided = len(days)
	slices.Sort(days)
	s.DaysToDecisionMedian = percentile(days, 0.5)
	s.DaysToDecisionP90 = percentile(days, 0.9)
	for _, limit := range []int{14, 28, 42, 56, 84, 112} {
		s.DaysToDecisionBuckets = append(s.DaysToDecisionBuckets, Bucket{UpToDays: limit})
	}
	s.DaysToDecisionBuckets = append(s.DaysToDecisionBuckets, Bucket{UpToDays: -1}) // more
	for _, d := range days {
		i := slices.IndexFunc(s.DaysToDecisionBuckets, func(b Bucket) bool { return b.UpToDays < 0 || d <= float64(b.UpToDays) })
		s.DaysToDecisionBuckets[i].Cases++
	}
	s.AssessorWorkload = []Workload{}
	for _, w := range load {
		s.AssessorWorkload = append(s.AssessorWorkload, *w)
	}
	slices.SortFunc(s.AssessorWorkload, func(a, b Workload) int { return strings.Compare(a.UserID, b.UserID) })
	return s
}

// BenchmarkStats is the office's figures with n cases in the store, a
// tenth of them in progress: kept as the cases change ("kept") against
// the scan of every case each request did before ("scan").
func BenchmarkStats(b *testing.B) {
	states := []accreditation.State{accreditation.StateAwarded, accreditation.StateNotAwarded, accreditation.StateAwarded,
		accreditation.StateAwarded, accreditation.StateNotAwarded, accreditation.StateAwarded, accreditation.StateAwarded,
		accreditation.StateAwarded, accreditation.StateAwarded, accreditation.StateAwaitingAssessment}
	for _, n := range []int{10_000, 100_000} {
		m := NewCases()
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			id := fmt.Sprintf("case-%07d", i)
			sub := base.Add(time.Duration(i) * 30 * time.Minute)
			s := &summary{ApplicantID: fmt.Sprintf("u%d", i), OpenedAt: sub, State: states[i%10], Scheme: accreditation.SchemeEIA,
				Level: "practitioner", SubmittedAt: sub, Roles: []roleLoad{{UserID: fmt.Sprintf("a%d", i%50), Assessed: i%10 != 9}}}
			if s.State != accreditation.StateAwaitingAssessment {
				s.Decision = &decided{At: sub.Add(time.Duration(i%90) * 24 * time.Hour), Outcome: accreditation.OutcomeAwarded}
			} else {
				m.queue.append(id, sub)
				m.undecided.append(id, sub)
			}
			m.sums[id] = s
			m.tally.count(s, 1)
		}
		m.queue.sort()
		m.undecided.sort()
		now := base.Add(time.Duration(n) * 30 * time.Minute)
		b.Run(fmt.Sprintf("cases=%d/kept", n), func(b *testing.B) {
			for b.Loop() {
				m.Stats(now, 91*24*time.Hour)
			}
		})
		b.Run(fmt.Sprintf("cases=%d/scan", n), func(b *testing.B) {
			for b.Loop() {
				statsByScan(m, now, 91*24*time.Hour)
			}
		})
	}
}

// TestACaseKeepsItsSummaryOnlyWhileItDescribesIt: after every event of a
// long history, each case's summary is what summarise makes of the case as
// folded then, whether apply made it again or kept the one before (most
// events change nothing in it, and keep it).
func TestACaseKeepsItsSummaryOnlyWhileItDescribesIt(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 3)
	g.Lifetimes(t, 30, 1500, 3, 300)
	g.Close()
	m := NewCases()
	kept, made := 0, 0
	last := lastOf(t, store)
	err := store.Read(t.Context(), 0, last, func(c eventstore.Commit) error {
		for _, e := range c.Events {
			id, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
			if !ok {
				continue
			}
			before := m.sums[id]
			m.Apply(e)
			folded, _ := m.Case(id)
			if got, want := m.sums[id], summarise(folded); !reflect.DeepEqual(got, want) {
				t.Fatalf("after %s %s (seq %d): summary %+v, the case's %+v", id, e.Type, e.Seq, got, want)
			}
			if m.sums[id] == before {
				kept++
			} else {
				made++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if kept == 0 || made == 0 {
		t.Fatalf("summaries kept %d times, made %d: the history does not try both", kept, made)
	}
	t.Logf("summaries kept after %d events, made again after %d", kept, made)
}

// TestASummaryNoLongerDescribesACaseChangedInAnyOfItsFields: each field a
// summary holds, changed alone in a decided case with both roles held and
// assessed, makes describes false (and summarise then makes another).
func TestASummaryNoLongerDescribesACaseChangedInAnyOfItsFields(t *testing.T) {
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	c := accreditation.New("c1")
	c.ApplicantID, c.OpenedAt, c.State = "app", at, accreditation.StateAwarded
	c.Scheme, c.Level, c.SubmittedAt = accreditation.SchemeEIA, "practitioner", at.Add(time.Hour)
	c.Decision = &accreditation.Decision{Outcome: accreditation.OutcomeAwarded, At: at.Add(48 * time.Hour)}
	assessor := accreditation.Assignment{Role: accreditation.RoleAssessor, UserID: "a1"}
	verifier := accreditation.Assignment{Role: accreditation.RoleVerifier, UserID: "v1"}
	c.Assignments = accreditation.NewAssignments(assessor, verifier)
	c.Assessments = accreditation.Assessments{Assessor: &accreditation.Assessment{}, Verifier: &accreditation.Assessment{}}
	s := summarise(c)
	if !s.describes(c) || (*summary)(nil).describes(c) {
		t.Fatal("a summary does not describe the case it was made of, or no summary does")
	}
	for name, change := range map[string]func(c *accreditation.Case){
		"applicant":   func(c *accreditation.Case) { c.ApplicantID = "other" },
		"opened":      func(c *accreditation.Case) { c.OpenedAt = c.OpenedAt.Add(time.Second) },
		"state":       func(c *accreditation.Case) { c.State = accreditation.StateInAssessment },
		"scheme":      func(c *accreditation.Case) { c.Scheme = accreditation.SchemeEQA },
		"level":       func(c *accreditation.Case) { c.Level = "senior_practitioner" },
		"submitted":   func(c *accreditation.Case) { c.SubmittedAt = c.SubmittedAt.Add(time.Second) },
		"no decision": func(c *accreditation.Case) { c.Decision = nil },
		"decided at":  func(c *accreditation.Case) { d := *c.Decision; d.At = d.At.Add(time.Second); c.Decision = &d },
		"outcome": func(c *accreditation.Case) {
			d := *c.Decision
			d.Outcome = accreditation.OutcomeNotAwarded
			c.Decision = &d
		},
		"one role": func(c *accreditation.Case) { c.Assignments = accreditation.NewAssignments(assessor) },
		"other holder": func(c *accreditation.Case) {
			c.Assignments = accreditation.NewAssignments(assessor, accreditation.Assignment{Role: accreditation.RoleVerifier, UserID: "v2"})
		},
		"not assessed": func(c *accreditation.Case) { c.Assessments.Verifier = nil },
		"renewing": func(c *accreditation.Case) {
			c.Accreditation = &accreditation.Accreditation{Status: accreditation.StatusActive, Current: &accreditation.PendingRenewal{State: accreditation.StateRenewalSubmitted}}
		},
	} {
		changed := c.Clone()
		change(changed)
		if s.describes(changed) || reflect.DeepEqual(s, summarise(changed)) {
			t.Errorf("%s changed: the summary still describes the case (or summarise missed it)", name)
		}
	}
}
