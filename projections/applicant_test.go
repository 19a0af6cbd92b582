package projections_test

import (
	"slices"
	"testing"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/historygen"
)

// TestAnApplicantsCasesAreExactlyTheirs: an applicant's list, read from
// their own index, holds exactly the cases whose applicant they are (every
// case looked at, here in the test), live and after a snapshot's restore.
func TestAnApplicantsCasesAreExactlyTheirs(t *testing.T) {
	store := eventstore.NewMemory()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	g := historygen.New(t, store, 7)
	g.OpenCases(t, 40)
	for _, id := range g.Cases() {
		g.Drive(t, id, 30)
	}
	waitAt(t, r, lastSeq(t, store))
	check := func(what string, m *projections.Cases) {
		want := map[string][]string{}
		m.Each(func(c *accreditation.Case) { want[c.ApplicantID] = append(want[c.ApplicantID], c.ID) })
		if len(want) < 2 {
			t.Fatalf("%s: %d applicants; the test needs several", what, len(want))
		}
		for a, ids := range want {
			var got []string
			for _, c := range m.OfApplicant(a) {
				got = append(got, c.ID)
			}
			slices.Sort(got)
			slices.Sort(ids)
			if !slices.Equal(got, ids) {
				t.Fatalf("%s: cases of %s: %v, want %v", what, a, got, ids)
			}
		}
		if got := m.OfApplicant("nobody"); len(got) != 0 {
			t.Fatalf("%s: a stranger has cases: %v", what, got)
		}
	}
	var snap []byte
	r.Read(func(s *projections.Set) {
		m := s.Typed().Cases
		check("live", m)
		var err error
		if snap, err = m.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
	restored := projections.NewCases()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	check("restored", restored)
}

// TestTheProgrammesAreTheRegistersEQAEntries: the programmes a provider's
// list reads from their own index are exactly the register's EQA entries
// (every entry looked at, here in the test), live and after a restore.
func TestTheProgrammesAreTheRegistersEQAEntries(t *testing.T) {
	store := eventstore.NewMemory()
	r := projections.NewRunner(store, projections.NewSet, projections.Options{})
	r.Start()
	defer r.Stop()
	g := historygen.New(t, store, 3)
	g.OpenCases(t, 60)
	for _, id := range g.Cases() {
		g.Drive(t, id, 60)
	}
	waitAt(t, r, lastSeq(t, store))
	check := func(what string, reg *projections.Register) {
		var want, got []string
		for id, e := range reg.Entries {
			if e.Scheme == accreditation.SchemeEQA {
				want = append(want, id)
			}
		}
		for _, e := range projections.NewEffectiveness(nil).Programmes(reg) {
			got = append(got, e.AccreditationID)
		}
		slices.Sort(want)
		if len(want) < 2 || len(want) == len(reg.Entries) {
			t.Fatalf("%s: %d EQA entries of %d; the test needs some of each scheme", what, len(want), len(reg.Entries))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: programmes %v, want %v", what, got, want)
		}
	}
	var snap []byte
	r.Read(func(s *projections.Set) {
		check("live", s.Typed().Register)
		var err error
		if snap, err = s.Typed().Register.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
	restored := projections.NewRegister()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	check("restored", restored)
}
