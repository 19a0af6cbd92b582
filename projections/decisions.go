package projections

import (
	"errors"
	"slices"
	"strconv"
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
	// byTime is the positions in Records ordered by decisionKey, oldest
	// first: a page walks it from the newest and stops at its size.
	byTime []int
	// ScanBound is how many decisions one page looks at most when its
	// filter matches few (0: DefaultDecisionScanBound).
	ScanBound int
}

// DefaultDecisionScanBound bounds the decisions a page looks at, so that a
// filter matching few of many answers in a bounded time; the page then
// ends early with a cursor to go on from.
const DefaultDecisionScanBound = 10_000

// NewDecisions returns an empty decisions model over cases (applied first).
func NewDecisions(cases *Cases) *Decisions {
	return &Decisions{cases: cases, index: map[string][]int{}}
}

// DecisionCursor is where a page of decisions ended: the decision last
// looked at, by when it was taken, then its case and number.
type DecisionCursor struct {
	At     time.Time
	CaseID string
	Number int
}

func keyOf(r *DecisionRecord) DecisionCursor {
	return DecisionCursor{At: r.DecidedAt, CaseID: r.CaseID, Number: r.Number}
}

func (a DecisionCursor) compare(b DecisionCursor) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := strings.Compare(a.CaseID, b.CaseID); c != 0 {
		return c
	}
	return a.Number - b.Number
}

// String is the cursor as the API and the pages write it.
func (a DecisionCursor) String() string {
	return strconv.FormatInt(a.At.UnixNano(), 10) + "." + strconv.Itoa(a.Number) + "." + a.CaseID
}

// ParseDecisionCursor reads what String wrote.
func ParseDecisionCursor(v string) (DecisionCursor, error) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) == 3 && parts[2] != "" {
		at, err1 := strconv.ParseInt(parts[0], 10, 64)
		n, err2 := strconv.Atoi(parts[1])
		if err1 == nil && err2 == nil {
			return DecisionCursor{At: time.Unix(0, at).UTC(), CaseID: parts[2], Number: n}, nil
		}
	}
	return DecisionCursor{}, errors.New("not a decisions cursor")
}

// place puts the record at position i into byTime; decisions arrive nearly
// in time order, so its place is at or near the end.
func (m *Decisions) place(i int) {
	k := keyOf(m.Records[i])
	j := len(m.byTime)
	for j > 0 && keyOf(m.Records[m.byTime[j-1]]).compare(k) > 0 {
		j--
	}
	m.byTime = slices.Insert(m.byTime, j, i)
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
		m.place(len(m.Records) - 1)
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
	m.Records, m.index, m.byTime = records, map[string][]int{}, make([]int, len(records))
	for i, r := range m.Records {
		m.index[r.CaseID] = append(m.index[r.CaseID], i)
		m.byTime[i] = i
	}
	slices.SortFunc(m.byTime, func(a, b int) int { return keyOf(m.Records[a]).compare(keyOf(m.Records[b])) })
	return nil
}

// DecisionFilter narrows the decisions.
type DecisionFilter struct {
	Scheme, Level, Outcome, AssessorID string
	From, To                           time.Time
}

func (f DecisionFilter) match(r *DecisionRecord) bool {
	if (f.Scheme != "" && string(r.Scheme) != f.Scheme) || (f.Outcome != "" && string(r.Outcome) != f.Outcome) ||
		(f.Level != "" && string(r.LevelAppliedFor) != f.Level && string(r.LevelAwarded) != f.Level) ||
		(!f.From.IsZero() && r.DecidedAt.Before(f.From)) || (!f.To.IsZero() && !r.DecidedAt.Before(f.To)) {
		return false
	}
	return f.AssessorID == "" || slices.ContainsFunc(r.Assessments, func(a accreditation.Assessment) bool { return a.UserID == f.AssessorID })
}

// Page returns up to limit decisions matching f, newest first, from after
// the cursor (nil: the newest), and the cursor of the next page (nil at the
// end). It looks at most ScanBound decisions: a page's cost is its size and
// that bound, never every decision taken (a page may so end short of limit,
// with a cursor to go on from).
func (m *Decisions) Page(f DecisionFilter, after *DecisionCursor, limit int) ([]DecisionRecord, *DecisionCursor) {
	out := []DecisionRecord{}
	i := len(m.byTime) - 1
	if after != nil {
		j, _ := slices.BinarySearchFunc(m.byTime, *after, func(p int, k DecisionCursor) int { return keyOf(m.Records[p]).compare(k) })
		i = j - 1 // the newest strictly before the cursor
	}
	bound := m.ScanBound
	if bound <= 0 {
		bound = DefaultDecisionScanBound
	}
	for scanned := 0; i >= 0; i-- {
		r := m.Records[m.byTime[i]]
		if f.match(r) {
			if len(out) == limit {
				k := keyOf(&out[limit-1])
				return out, &k
			}
			out = append(out, *r)
		}
		if scanned++; scanned >= bound && i > 0 {
			k := keyOf(r) // everything newer has been looked at
			return out, &k
		}
	}
	return out, nil
}
