package projections_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// Two EQA programmes, as accreditation ids (ULIDs).
const (
	programmeA = "01JAAAAAAAAAAAAAAAAAAAAAAA"
	programmeB = "01JBBBBBBBBBBBBBBBBBBBBBBB"
)

var (
	ev      = accreditation.RatingEvidenced
	partial = accreditation.RatingPartiallyEvidenced
	none    = accreditation.RatingNotEvidenced
)

// effectivenessOf runs the read models over store and returns programme's figures.
func effectivenessOf(t *testing.T, store eventstore.Store, programme string) projections.ProgrammeEffectiveness {
	t.Helper()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	waitAt(t, r, lastSeq(t, store))
	var v projections.ProgrammeEffectiveness
	r.Read(func(s *projections.Set) { v = s.Typed().Effectiveness.Of(programme) })
	return v
}

func parts(d projections.Distribution) string {
	out := ""
	for _, p := range d.Parts {
		out += fmt.Sprintf("%v=%d(%d%%) ", p.Values, p.Count, p.Percent)
	}
	return out
}

// TestAFigureRestsOnFiveGraduatesOrIsHidden: with 4 graduates of a
// programme decided, no figure of it is shown (not even how many they
// are); the fifth shows every figure, counted from both assessors' ratings.
// Another programme's graduate, and a case not decided, count for nothing.
func TestAFigureRestsOnFiveGraduatesOrIsHidden(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 1)
	for i := range 4 {
		g.Graduate(t, fmt.Sprintf("grad-%d", i), programmeA, framework.Practitioner, [2]accreditation.Rating{ev, ev}, framework.Practitioner, 30+i)
	}
	g.Graduate(t, "other", programmeB, framework.Practitioner, [2]accreditation.Rating{ev, ev}, framework.Practitioner, 30)
	g.OpenCases(t, 3) // nobody's graduates
	g.Steps(t, 40)

	v := effectivenessOf(t, store, programmeA)
	if v.GraduatesShown || v.Graduates != 0 || len(v.Outcomes) != 0 || v.TimeToAward.Shown || v.TimeToAward.MedianWeeks != 0 || v.MinGraduates != 5 {
		t.Fatalf("4 graduates: got %+v, want nothing shown", v)
	}
	for _, c := range v.Categories {
		if c.Shown || c.Count != 0 || len(c.Parts) != 0 {
			t.Fatalf("4 graduates: category %d shows %+v, want hidden", c.Category, c.Distribution)
		}
	}

	g.Graduate(t, "grad-4", programmeA, framework.Practitioner, [2]accreditation.Rating{ev, ev}, framework.Practitioner, 34)
	v = effectivenessOf(t, store, programmeA)
	if !v.GraduatesShown || v.Graduates != 5 {
		t.Fatalf("5 graduates: graduates %d shown %v, want 5 shown", v.Graduates, v.GraduatesShown)
	}
	if len(v.Categories) != 8 {
		t.Fatalf("categories: got %d, want 8", len(v.Categories))
	}
	for _, c := range v.Categories {
		if got := parts(c.Distribution); !c.Shown || c.Count != 10 || got != "[not_evidenced]=0(0%) [partially_evidenced]=0(0%) [evidenced]=10(100%) " {
			t.Fatalf("5 graduates: category %d: shown %v count %d parts %s, want 10 ratings all evidenced", c.Category, c.Shown, c.Count, got)
		}
	}
	if len(v.Outcomes) != 1 || !reflect.DeepEqual(v.Outcomes[0].Levels, []framework.Level{framework.Practitioner}) ||
		parts(v.Outcomes[0].Distribution) != "[not_awarded]=0(0%) [awarded_lower]=0(0%) [awarded]=5(100%) " {
		t.Fatalf("outcomes: got %+v", v.Outcomes)
	}
	if tt := v.TimeToAward; !tt.Shown || tt.MedianWeeks != 5 || parts(tt.Distribution) != "[up_to_8_weeks]=5(100%) [up_to_13_weeks]=0(0%) [up_to_26_weeks]=0(0%) [over_26_weeks]=0(0%) " {
		t.Fatalf("time to award: got %+v (%s), want 5 awards in 8 weeks, median 32 days = 5 weeks", tt, parts(tt.Distribution))
	}
	if b := effectivenessOf(t, store, programmeB); b.GraduatesShown || b.Categories[0].Shown {
		t.Fatalf("programme B, one graduate: got %+v, want nothing shown", b)
	}
}

// TestSmallPartsAreMergedWithANeighbour: a part of a distribution resting
// on fewer than 5 graduates is never shown alone. Of 7 graduates, 5 rated
// evidenced and 2 partially: the 2 are merged with their neighbour holding
// anyone (evidenced), and the empty part stays 0. Levels are merged the
// same way: 2 foundation cases join the practitioner ones, and the outcomes
// of the group follow the rule again (1 refusal and 1 award at a lower
// level merge into one part of 2, still too few, then with the awards).
// One graduate with two cases is one graduate.
func TestSmallPartsAreMergedWithANeighbour(t *testing.T) {
	store := eventstore.NewMemory()
	g := historygen.New(t, store, 2)
	for i := range 5 {
		g.Graduate(t, fmt.Sprintf("grad-%d", i), programmeA, framework.Practitioner, [2]accreditation.Rating{ev, ev}, framework.Practitioner, 7*(i+1))
	}
	g.Graduate(t, "grad-5", programmeA, framework.Foundation, [2]accreditation.Rating{partial, partial}, "", 100)
	g.Graduate(t, "grad-6", programmeA, framework.Practitioner, [2]accreditation.Rating{partial, none}, framework.Foundation, 200)
	v := effectivenessOf(t, store, programmeA)
	if v.Graduates != 7 {
		t.Fatalf("graduates: got %d, want 7", v.Graduates)
	}
	// grad-6: one not_evidenced and one partially; grad-5 two partially:
	// not_evidenced (1 graduate) joins partially (2 graduates, fewer than
	// evidenced's 5), then the two (2 graduates) join evidenced.
	if got := parts(v.Categories[0].Distribution); got != "[not_evidenced partially_evidenced evidenced]=14(100%) " {
		t.Fatalf("category 1: got %s, want everything in one part", got)
	}

	// A second case of grad-0, and grad-7 rated partially: partially
	// rests on 4 graduates, with not_evidenced too: still merged with
	// evidenced. grad-8 makes it 5: the part stands beside evidenced.
	g.Graduate(t, "grad-0", programmeA, framework.Practitioner, [2]accreditation.Rating{partial, partial}, framework.Practitioner, 7)
	g.Graduate(t, "grad-7", programmeA, framework.Practitioner, [2]accreditation.Rating{partial, partial}, framework.Practitioner, 7)
	v = effectivenessOf(t, store, programmeA)
	if v.Graduates != 8 {
		t.Fatalf("graduates after grad-0's second case: got %d, want 8", v.Graduates)
	}
	// not_evidenced: grad-6 (1); partially: grad-0, 5, 6, 7 (4); evidenced: grad-0..4 (5).
	if got := parts(v.Categories[0].Distribution); got != "[not_evidenced partially_evidenced evidenced]=18(100%) " {
		t.Fatalf("category 1: got %s, want one part (not and partially rest on 4 graduates)", got)
	}
	g.Graduate(t, "grad-8", programmeA, framework.Practitioner, [2]accreditation.Rating{partial, partial}, framework.Practitioner, 7)
	v = effectivenessOf(t, store, programmeA)
	// not_evidenced (grad-6) joins partially (grad-0, 5, 6, 7, 8): 5 graduates.
	if got := parts(v.Categories[0].Distribution); got != "[not_evidenced partially_evidenced]=10(50%) [evidenced]=10(50%) " {
		t.Fatalf("category 1 with 5 graduates rated partially: got %s", got)
	}
	// Levels: foundation (grad-5) is merged into practitioner.
	if len(v.Outcomes) != 1 || !reflect.DeepEqual(v.Outcomes[0].Levels, []framework.Level{framework.Foundation, framework.Practitioner}) {
		t.Fatalf("outcomes: got %+v, want foundation merged with practitioner", v.Outcomes)
	}
	if got := parts(v.Outcomes[0].Distribution); got != "[not_awarded awarded_lower awarded]=10(100%) " {
		t.Fatalf("outcomes of foundation and practitioner: got %s", got)
	}
	// Awards: 7..35 days for grad-0..4 and three of 7 days, 200 days for
	// grad-6: all but one within 8 weeks; the one merges with them. The
	// median of the 9 is 14 days.
	if tt := v.TimeToAward; !tt.Shown || parts(tt.Distribution) != "[up_to_8_weeks up_to_13_weeks up_to_26_weeks over_26_weeks]=9(100%) " || tt.MedianWeeks != 2 {
		t.Fatalf("time to award: got median %d, %s", tt.MedianWeeks, parts(tt.Distribution))
	}
}

// TestEffectivenessRebuildsAndResumesTheSame: random histories whose EIA
// portfolios name programmes at random, plus graduates decided on purpose:
// the model fed while they are written, rebuilt from zero, and resumed from
// a snapshot hold the same state and show the same figures.
func TestEffectivenessRebuildsAndResumesTheSame(t *testing.T) {
	store := eventstore.NewMemory()
	dir := t.TempDir()
	opt := projections.Options{SnapshotDir: dir, Schema: projections.Schema}
	live := projections.NewRunner(store, projections.NewSet, opt)
	live.Start()
	defer live.Stop()
	g := historygen.New(t, store, 11)
	g.Programmes = []string{programmeA, programmeB}
	g.OpenCases(t, 40)
	g.Steps(t, 1500)
	for i := range 6 {
		g.Graduate(t, fmt.Sprintf("grad-%d", i), programmeA, framework.Foundation, [2]accreditation.Rating{ev, partial}, framework.Foundation, 20*i)
	}
	g.Steps(t, 200)
	waitAt(t, live, lastSeq(t, store))
	figures := func(r *projections.Runner) (b []byte, of []projections.ProgrammeEffectiveness) {
		r.Read(func(s *projections.Set) {
			m := s.Typed().Effectiveness
			var err error
			if b, err = m.Snapshot(); err != nil {
				t.Fatal(err)
			}
			of = []projections.ProgrammeEffectiveness{m.Of(programmeA), m.Of(programmeB)}
		})
		return b, of
	}
	snap, want := figures(live)
	if !want[0].GraduatesShown || want[0].Graduates < 6 {
		t.Fatalf("programme A: got %+v, want at least the 6 graduates decided on purpose", want[0])
	}
	var decided int
	live.Read(func(s *projections.Set) { decided = len(s.Typed().Effectiveness.Graduates) })
	t.Logf("%d commits; %d graduates' decided cases; A: %d graduates, B shown %v", lastSeq(t, store), decided, want[0].Graduates, want[1].GraduatesShown)

	rebuilt := projections.NewRunner(store, projections.NewSet, projections.Options{})
	if _, err := rebuilt.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if b, of := figures(rebuilt); !bytes.Equal(b, snap) || !reflect.DeepEqual(of, want) {
		t.Fatalf("rebuilt: %d bytes vs %d, figures equal %v", len(b), len(snap), reflect.DeepEqual(of, want))
	}
	live.Stop()
	resumed := projections.NewRunner(store, projections.NewSet, opt)
	resumed.Start()
	defer resumed.Stop()
	if resumed.Position() != lastSeq(t, store) {
		t.Fatalf("resumed at %d, want %d from the snapshot", resumed.Position(), lastSeq(t, store))
	}
	if b, of := figures(resumed); !bytes.Equal(b, snap) || !reflect.DeepEqual(of, want) {
		t.Fatalf("resumed: %d bytes vs %d, figures equal %v", len(b), len(snap), reflect.DeepEqual(of, want))
	}
}
