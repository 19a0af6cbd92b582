package projections

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
)

// TestDecisionsArrivingOutOfTimeOrderArePlacedInIt: a decision recorded
// after a later one (an import, a clock behind) still takes its place by
// time, case and number, as a restore would sort it.
func TestDecisionsArrivingOutOfTimeOrderArePlacedInIt(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := NewDecisions(nil)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 500 {
		at := base.Add(time.Duration(i) * time.Hour)
		if rng.IntN(5) == 0 {
			at = base.Add(time.Duration(rng.IntN(500)) * time.Hour) // out of order, ties too
		}
		m.Records = append(m.Records, &DecisionRecord{CaseID: string(rune('a' + rng.IntN(3))), Number: rng.IntN(3), DecidedAt: at})
		m.place(len(m.Records) - 1)
	}
	sorted := make([]int, len(m.Records))
	for i := range sorted {
		sorted[i] = i
	}
	slices.SortStableFunc(sorted, func(a, b int) int { return keyOf(m.Records[a]).compare(keyOf(m.Records[b])) })
	for i := range sorted {
		if got, want := keyOf(m.Records[m.byTime[i]]), keyOf(m.Records[sorted[i]]); got.compare(want) != 0 {
			t.Fatalf("position %d: %+v, want %+v", i, got, want)
		}
	}
}

// BenchmarkDecisionsPage is what the office's decisions request costs the
// read model with n decisions taken: a page of 100, newest first, with no
// filter and with a filter matching one in ten; "every" is what each
// request did before pages (every match copied, then sorted).
func BenchmarkDecisionsPage(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		m := NewDecisions(nil)
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			outcome := "awarded"
			if i%10 == 0 {
				outcome = "not_awarded"
			}
			m.Records = append(m.Records, &DecisionRecord{CaseID: fmt.Sprintf("case-%07d", i), Number: 1, Outcome: accreditation.Outcome(outcome),
				DecidedAt: base.Add(time.Duration(i) * time.Hour)})
			m.place(len(m.Records) - 1)
		}
		for _, f := range []DecisionFilter{{}, {Outcome: "not_awarded"}} {
			name := fmt.Sprintf("decisions=%d/filter=%s", n, cmp.Or(f.Outcome, "none"))
			b.Run(name+"/page", func(b *testing.B) {
				for b.Loop() {
					if p, _ := m.Page(f, nil, 100); len(p) != 100 {
						b.Fatal(len(p))
					}
				}
			})
			b.Run(name+"/every", func(b *testing.B) {
				for b.Loop() {
					out := []DecisionRecord{}
					for _, r := range m.Records {
						if f.match(r) {
							out = append(out, *r)
						}
					}
					slices.SortFunc(out, func(a, b DecisionRecord) int { return b.DecidedAt.Compare(a.DecidedAt) })
				}
			})
		}
	}
}
