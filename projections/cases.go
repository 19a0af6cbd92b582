package projections

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
)

// Cases is the read model of every case's current state. It folds each
// case with the aggregate's own Apply, so the read side can never disagree
// with the write side about where a case stands; the queue, "my cases" and
// the statistics are queries over it.
type Cases struct {
	ByID   map[string]*accreditation.Case `json:"cases"`
	Errors int                            `json:"errors"`
}

// NewCases returns an empty cases model.
func NewCases() *Cases { return &Cases{ByID: map[string]*accreditation.Case{}} }

// Name implements ReadModel.
func (m *Cases) Name() string { return "cases" }

// Apply implements ReadModel.
func (m *Cases) Apply(e eventstore.Event) {
	id, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	c := m.ByID[id]
	if c == nil {
		c = accreditation.New(id)
		m.ByID[id] = c
	}
	if err := c.Apply(e); err != nil {
		m.Errors++
	}
}

// Snapshot implements ReadModel.
func (m *Cases) Snapshot() ([]byte, error) { return json.Marshal(m) }

// Restore implements ReadModel.
func (m *Cases) Restore(b []byte) error { return json.Unmarshal(b, m) }

// inProgress are the states the office follows in its queue.
var inProgress = []accreditation.State{accreditation.StateSubmitted, accreditation.StateAwaitingAssessment,
	accreditation.StateInAssessment, accreditation.StateInformationRequested, accreditation.StateModeration,
	accreditation.StateAwaitingDecision, accreditation.StateAppealed}

// QueueItem is one case in a queue.
type QueueItem struct {
	CaseID      string               `json:"case_id"`
	Scheme      accreditation.Scheme `json:"scheme"`
	Level       framework.Level      `json:"level"`
	Language    string               `json:"language"`
	State       accreditation.State  `json:"state"`
	SubmittedAt time.Time            `json:"submitted_at"`
	WaitingDays int                  `json:"waiting_days"`
	DueAt       time.Time            `json:"due_at"`
	Overdue     bool                 `json:"overdue"`
	AssessorID  string               `json:"assessor_id,omitempty"`
	VerifierID  string               `json:"verifier_id,omitempty"`
	// For an assessor: the role they hold, or the roles they may claim.
	MyRole    accreditation.AssessorRole   `json:"my_role,omitempty"`
	Claimable []accreditation.AssessorRole `json:"claimable,omitempty"`
}

func item(c *accreditation.Case, now time.Time, sla time.Duration) QueueItem {
	it := QueueItem{CaseID: c.ID, Scheme: c.Scheme, Level: c.Level, Language: c.Language, State: c.State,
		SubmittedAt: c.SubmittedAt}
	if !c.SubmittedAt.IsZero() {
		it.WaitingDays = int(math.Floor(now.Sub(c.SubmittedAt).Hours() / 24))
		it.DueAt = c.SubmittedAt.Add(sla)
		it.Overdue = !now.Before(it.DueAt) && c.Decision == nil
	}
	if a, ok := c.Assignments[accreditation.RoleAssessor]; ok {
		it.AssessorID = a.UserID
	}
	if a, ok := c.Assignments[accreditation.RoleVerifier]; ok {
		it.VerifierID = a.UserID
	}
	return it
}

// QueueFilter narrows the office's queue.
type QueueFilter struct {
	Scheme, Level, State, Language, AssessorID string
	Overdue                                    *bool
}

func sortOldestFirst(items []QueueItem) {
	slices.SortFunc(items, func(a, b QueueItem) int {
		if c := a.SubmittedAt.Compare(b.SubmittedAt); c != 0 {
			return c
		}
		return strings.Compare(a.CaseID, b.CaseID)
	})
}

// OfficeQueue lists every case in progress, oldest first, filtered.
func (m *Cases) OfficeQueue(f QueueFilter, now time.Time, sla time.Duration) []QueueItem {
	out := []QueueItem{}
	for _, c := range m.ByID {
		if !slices.Contains(inProgress, c.State) {
			continue
		}
		it := item(c, now, sla)
		if (f.Scheme != "" && string(c.Scheme) != f.Scheme) || (f.Level != "" && string(c.Level) != f.Level) ||
			(f.State != "" && string(c.State) != f.State) || (f.Language != "" && c.Language != f.Language) ||
			(f.AssessorID != "" && it.AssessorID != f.AssessorID && it.VerifierID != f.AssessorID) ||
			(f.Overdue != nil && it.Overdue != *f.Overdue) {
			continue
		}
		out = append(out, it)
	}
	sortOldestFirst(out)
	return out
}

// AssessorQueue is what one assessor sees: the cases awaiting assessment
// they may take, and their own cases in progress, each oldest first.
func (m *Cases) AssessorQueue(p accreditation.AssessorProfile, now time.Time, sla time.Duration) (available, mine []QueueItem) {
	available, mine = []QueueItem{}, []QueueItem{}
	for _, c := range m.ByID {
		if role := roleOf(c, p.UserID); role != "" {
			if slices.Contains(inProgress, c.State) {
				it := item(c, now, sla)
				it.MyRole = role
				mine = append(mine, it)
			}
			continue
		}
		if c.State != accreditation.StateAwaitingAssessment {
			continue
		}
		var roles []accreditation.AssessorRole
		for _, r := range accreditation.AssessorRoles {
			if c.CanClaim(p, r) == nil {
				roles = append(roles, r)
			}
		}
		if len(roles) > 0 {
			it := item(c, now, sla)
			it.Claimable = roles
			available = append(available, it)
		}
	}
	sortOldestFirst(available)
	sortOldestFirst(mine)
	return available, mine
}

func roleOf(c *accreditation.Case, userID string) accreditation.AssessorRole {
	for r, a := range c.Assignments {
		if a.UserID == userID {
			return r
		}
	}
	return ""
}

// Case returns a case (read-only) by id.
func (m *Cases) Case(id string) (*accreditation.Case, bool) {
	c, ok := m.ByID[id]
	return c, ok
}

// OfApplicant lists an applicant's cases, newest first.
func (m *Cases) OfApplicant(userID string) []*accreditation.Case {
	var out []*accreditation.Case
	for _, c := range m.ByID {
		if c.ApplicantID == userID && c.Exists() {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *accreditation.Case) int { return b.OpenedAt.Compare(a.OpenedAt) })
	return out
}

// Stats are the office's figures.
type Stats struct {
	Total                 int                       `json:"total"`
	ByState               map[string]int            `json:"by_state"`
	ByScheme              map[string]int            `json:"by_scheme"`
	ByLevel               map[string]int            `json:"by_level"`
	DaysToDecisionMedian  float64                   `json:"days_to_decision_median"`
	DaysToDecisionP90     float64                   `json:"days_to_decision_p90"`
	Decided               int                       `json:"decided"`
	Overdue               int                       `json:"overdue"`
	AssessorWorkload      []Workload                `json:"assessor_workload"`
	OutcomesByLevel       map[string]map[string]int `json:"outcomes_by_level"`
	ServiceLevelDays      int                       `json:"service_level_days"`
	DaysToDecisionBuckets []Bucket                  `json:"days_to_decision_histogram"`
}

// Workload is one assessor's open and finished cases.
type Workload struct {
	UserID    string `json:"user_id"`
	Open      int    `json:"open"`
	Completed int    `json:"completed"`
}

// Bucket is one bar of the days-to-decision histogram.
type Bucket struct {
	UpToDays int `json:"up_to_days"`
	Cases    int `json:"cases"`
}

// Stats computes the statistics at now.
func (m *Cases) Stats(now time.Time, sla time.Duration) Stats {
	s := Stats{ByState: map[string]int{}, ByScheme: map[string]int{}, ByLevel: map[string]int{},
		OutcomesByLevel: map[string]map[string]int{}, ServiceLevelDays: int(sla.Hours() / 24)}
	var days []float64
	load := map[string]*Workload{}
	for _, c := range m.ByID {
		if !c.Exists() {
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
		if slices.Contains(inProgress, c.State) && item(c, now, sla).Overdue {
			s.Overdue++
		}
		for r, a := range c.Assignments {
			w := load[a.UserID]
			if w == nil {
				w = &Workload{UserID: a.UserID}
				load[a.UserID] = w
			}
			if _, done := c.Assessments[r]; done {
				w.Completed++
			} else {
				w.Open++
			}
		}
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

// percentile of sorted values (nearest rank); 0 for none.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return math.Round(sorted[max(i, 0)]*10) / 10
}
