package projections

import (
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// DecisionRecord is one decision with what it stood on.
type DecisionRecord struct {
	CaseID             string                     `json:"case_id"`
	Number             int                        `json:"number"`
	Scheme             accreditation.Scheme       `json:"scheme"`
	LevelAppliedFor    framework.Level            `json:"level_applied_for"`
	LevelAwarded       framework.Level            `json:"level_awarded,omitempty"`
	Outcome            accreditation.Outcome      `json:"outcome"`
	Rationale          pii.Sealed                 `json:"rationale"`
	DecidedBy          string                     `json:"decided_by"`
	DecidedAt          time.Time                  `json:"decided_at"`
	SubmittedAt        time.Time                  `json:"submitted_at"`
	DaysFromSubmission float64                    `json:"days_from_submission"`
	Assessments        []accreditation.Assessment `json:"assessments"`
	Moderation         *accreditation.Moderation  `json:"moderation,omitempty"`
	RuleSet            string                     `json:"rule_set"`
	Appeals            []accreditation.Appeal     `json:"appeals"`
	Overturned         bool                       `json:"overturned"`
}

// Decisions is the read model of every decision: each recorded with both
// assessments as they stood when it was taken, the appeals beside it.
//
// It reads the context of each decision from the Cases model of its own
// generation, which the runner applies first, so every event is decoded
// once for both.
type Decisions struct {
	Records []*DecisionRecord `json:"records"`
	cases   *Cases
	index   map[string][]int // case id -> positions in Records
}

// NewDecisions returns an empty decisions model over cases (applied first).
func NewDecisions(cases *Cases) *Decisions {
	return &Decisions{cases: cases, index: map[string][]int{}}
}

// Name implements ReadModel.
func (m *Decisions) Name() string { return "decisions" }

// Apply implements ReadModel.
func (m *Decisions) Apply(e eventstore.Event) {
	id, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	c, ok := m.cases.Case(id) // folded: Cases has just applied e
	if !ok {
		return
	}
	switch accreditation.EventType(e.Type) {
	case accreditation.EventDecisionMade:
		d := c.Decision
		if d == nil {
			return
		}
		r := &DecisionRecord{CaseID: id, Number: d.Number, Scheme: c.Scheme, LevelAppliedFor: c.Level, Outcome: d.Outcome,
			Rationale: d.Rationale, DecidedBy: d.By, DecidedAt: d.At, SubmittedAt: c.SubmittedAt, RuleSet: c.RuleSetVersion,
			Assessments: []accreditation.Assessment{}, Appeals: []accreditation.Appeal{}}
		if d.Outcome == accreditation.OutcomeAwarded {
			r.LevelAwarded = d.Level
		}
		if !c.SubmittedAt.IsZero() {
			r.DaysFromSubmission = float64(int(d.At.Sub(c.SubmittedAt).Hours()/24*10)) / 10
		}
		for _, role := range accreditation.AssessorRoles {
			if a, ok := c.Assessments[role]; ok {
				r.Assessments = append(r.Assessments, a)
			}
		}
		if c.Moderation != nil {
			mod := *c.Moderation
			r.Moderation = &mod
		}
		m.index[id] = append(m.index[id], len(m.Records))
		m.Records = append(m.Records, r)
	case accreditation.EventAppealFiled, accreditation.EventAppealDecided:
		for _, i := range m.index[id] {
			// A new record, not the old one changed: a snapshot's
			// capture may be encoding the old one (see capture).
			r := *m.Records[i]
			r.Appeals = []accreditation.Appeal{}
			for _, a := range c.Appeals {
				if a.DecisionNumber == r.Number {
					r.Appeals = append(r.Appeals, a)
				}
			}
			for _, pd := range c.PastDecisions {
				if pd.Number == r.Number && pd.Overturned {
					r.Overturned = true
				}
			}
			m.Records[i] = &r
		}
	}
}

// Snapshot implements ReadModel: the records in chunks, decoded on every
// core at a start (one document took a core 2 to 3 s at 10k cases).
func (m *Decisions) Snapshot() ([]byte, error) {
	p, err := encodeChunked(m.Records)
	return p.join(), err
}

// capture implements capturer: records are added, or replaced when an
// appeal changes one, never changed in place, so a copy of the list holds
// them as they stand.
func (m *Decisions) capture() func() (parts, error) {
	records := slices.Clone(m.Records)
	return func() (parts, error) { return encodeChunked(records) }
}

// Restore implements ReadModel.
func (m *Decisions) Restore(b []byte) error {
	records, err := decodeChunked[*DecisionRecord](b)
	if err != nil {
		return err
	}
	m.Records, m.index = records, map[string][]int{}
	for i, r := range m.Records {
		m.index[r.CaseID] = append(m.index[r.CaseID], i)
	}
	return nil
}

// DecisionFilter narrows the decisions.
type DecisionFilter struct {
	Scheme, Level, Outcome, AssessorID string
	From, To                           time.Time
}

// List returns the decisions matching f, newest first.
func (m *Decisions) List(f DecisionFilter) []DecisionRecord {
	out := []DecisionRecord{}
	for _, r := range m.Records {
		if (f.Scheme != "" && string(r.Scheme) != f.Scheme) || (f.Outcome != "" && string(r.Outcome) != f.Outcome) ||
			(f.Level != "" && string(r.LevelAppliedFor) != f.Level && string(r.LevelAwarded) != f.Level) ||
			(!f.From.IsZero() && r.DecidedAt.Before(f.From)) || (!f.To.IsZero() && !r.DecidedAt.Before(f.To)) {
			continue
		}
		if f.AssessorID != "" && !slices.ContainsFunc(r.Assessments, func(a accreditation.Assessment) bool { return a.UserID == f.AssessorID }) {
			continue
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b DecisionRecord) int { return b.DecidedAt.Compare(a.DecidedAt) })
	return out
}
