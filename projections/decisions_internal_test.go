package projections

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/pii"
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
		if err := m.put(m.Len(), &DecisionRecord{CaseID: string(rune('a' + rng.IntN(3))), Number: rng.IntN(3), DecidedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	sorted := make([]int, m.Len())
	for i := range sorted {
		sorted[i] = i
	}
	slices.SortStableFunc(sorted, func(a, b int) int { return m.records[a].key().compare(m.records[b].key()) })
	for i := range sorted {
		if got, want := m.records[m.byTime[i]].key(), m.records[sorted[i]].key(); got.compare(want) != 0 {
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
			if err := m.put(m.Len(), &DecisionRecord{CaseID: fmt.Sprintf("case-%07d", i), Number: 1, Outcome: accreditation.Outcome(outcome),
				DecidedAt: base.Add(time.Duration(i) * time.Hour)}); err != nil {
				b.Fatal(err)
			}
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
					for i, h := range m.records {
						if f.match(h) {
							r, _ := m.record(i)
							out = append(out, *r)
						}
					}
					slices.SortFunc(out, func(a, b DecisionRecord) int { return b.DecidedAt.Compare(a.DecidedAt) })
				}
			})
		}
	}
}

// chunkedAsBefore is how the records were encoded before they were held as
// JSON: {"sizes":[...],"chunks":[...]}, each chunk json.Marshal of
// chunkCases of them.
func chunkedAsBefore[T any](t *testing.T, items []T) []byte {
	var chunks [][]byte
	var sizes []int
	for from := 0; from < len(items); from += chunkCases {
		c := must(json.Marshal(items[from:min(from+chunkCases, len(items))]))
		chunks, sizes = append(chunks, c), append(sizes, len(c))
	}
	head := must(json.Marshal(map[string][]int{"sizes": sizes}))
	out := append(head[:len(head)-1:len(head)-1], `,"chunks":[`...)
	return append(append(out, bytes.Join(chunks, []byte(","))...), "]}"...)
}

// TestDecisionsSnapshotIsTheRecordsAsBefore: the decisions held as JSON in
// a spill are written to the snapshot as the records themselves were (a
// snapshot of the version before restores, and the same records give the
// same bytes), a restore puts every record in the spill, and the pages
// answer as before it.
func TestDecisionsSnapshotIsTheRecordsAsBefore(t *testing.T) {
	m := NewDecisions(nil)
	m.spills.dir = t.TempDir()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var records []*DecisionRecord
	for i := range 2*chunkCases + 17 {
		r := &DecisionRecord{CaseID: fmt.Sprintf("case-%05d", i), Number: 1 + i%2, Scheme: accreditation.SchemeEIA,
			Outcome: accreditation.OutcomeAwarded, DecidedAt: base.Add(time.Duration(i) * time.Hour), RuleSet: "2026-1",
			Rationale:   pii.Sealed{Subject: "user", Data: []byte{byte(i), 2, 3}},
			Assessments: []accreditation.Assessment{{Role: "assessor", UserID: fmt.Sprintf("assessor-%d", i%7)}},
			Appeals:     []accreditation.Appeal{}}
		records = append(records, r)
		if err := m.put(m.Len(), r); err != nil {
			t.Fatal(err)
		}
	}
	// An appeal replaces a record: its new JSON is what is written.
	appealed := *records[5]
	appealed.Overturned, appealed.Appeals = true, []accreditation.Appeal{{DecisionNumber: appealed.Number, FiledAt: base}}
	records[5] = &appealed
	if err := m.put(5, &appealed); err != nil {
		t.Fatal(err)
	}
	before := chunkedAsBefore(t, records)
	now, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(now, before) {
		t.Fatal("the decisions' snapshot differs from the records' encoding")
	}
	restored := NewDecisions(nil)
	restored.spills.dir = t.TempDir()
	if err := restored.Restore(before); err != nil {
		t.Fatal(err)
	}
	for i, h := range restored.records {
		if h.json.s == nil || h.json.b != nil {
			t.Fatalf("record %d restored onto the heap, not into the spill", i)
		}
	}
	for _, f := range []DecisionFilter{{}, {AssessorID: "assessor-3"}, {Outcome: "not_awarded"}} {
		var cursor *DecisionCursor
		for {
			want, wantNext := m.Page(f, cursor, 100)
			got, gotNext := restored.Page(f, cursor, 100)
			wb, _ := json.Marshal(want)
			gb, _ := json.Marshal(got)
			if !bytes.Equal(wb, gb) || (wantNext == nil) != (gotNext == nil) {
				t.Fatalf("filter %+v: the restored page differs", f)
			}
			if f.AssessorID != "" && len(got) == 0 && wantNext == nil {
				t.Fatalf("filter %+v: no record", f)
			}
			if wantNext == nil {
				break
			}
			cursor = wantNext
		}
	}
	if got, _ := restored.Page(DecisionFilter{}, nil, 1<<20); len(got) != len(records) || !got[len(got)-1-5].Overturned {
		t.Fatalf("%d records restored, want %d with the appealed one overturned", len(got), len(records))
	}
}
