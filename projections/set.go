package projections

// Schema names the read models' code version, for snapshots: change it when
// a read model's Apply or state changes, so an old snapshot is not used.
const Schema = "2026-12-07.2"

// Models are the read models of one generation, typed for queries.
type Models struct {
	Cases         *Cases
	Decisions     *Decisions
	Register      *Register
	Effectiveness *Effectiveness
	// Calibration: how assessors agree (issue 17 item 2).
	Calibration *Calibration
}

// NewSet returns a fresh generation of every read model.
func NewSet() *Set {
	cases := NewCases()
	m := &Models{Cases: cases, Decisions: NewDecisions(cases), Register: NewRegister(), Effectiveness: NewEffectiveness(cases),
		Calibration: NewCalibration()}
	// Cases first: Decisions and Effectiveness read the state Cases has
	// just applied. The audit history is no read model: Audit pages it
	// from the store.
	return &Set{Models: []ReadModel{m.Cases, m.Decisions, m.Register, m.Effectiveness, m.Calibration}, typed: m}
}

// spillTo has the cases model keep its cold cases, and the decisions model
// its records, in scratch files in dir rather than on the heap ("": on
// the heap); see coldstore.go.
func (s *Set) spillTo(dir string) {
	if s.typed != nil {
		s.typed.Cases.spills.dir = dir
		s.typed.Decisions.spills.dir = dir
	}
}

// Typed returns the set's read models by kind.
func (s *Set) Typed() *Models { return s.typed }

// catchingUp tells the models that the commits now applied are (on) or are
// no longer a catch-up from far behind the store's end: a model may hold
// more meanwhile to apply them faster (see Cases.catchingUp).
func (s *Set) catchingUp(on bool) {
	if s.typed != nil {
		s.typed.Cases.catchingUp(on)
	}
}
