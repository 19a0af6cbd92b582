package projections

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
)

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

// Workload is one assessor's open and finished cases, and the renewals
// they have to assess.
type Workload struct {
	UserID    string `json:"user_id"`
	Open      int    `json:"open"`
	Completed int    `json:"completed"`
	Renewals  int    `json:"renewals"`
}

// Bucket is one bar of the days-to-decision histogram.
type Bucket struct {
	UpToDays int `json:"up_to_days"`
	Cases    int `json:"cases"`
}

// bucketDays are the histogram's upper bounds; a last bar holds the rest.
var bucketDays = [...]int{14, 28, 42, 56, 84, 112}

// tally is the office's figures kept as the cases change: a case's part is
// taken out before it changes and put back after (Cases.apply), so that
// Stats reads counters instead of every case's summary, a cost that grew
// with every case the store ever held.
type tally struct {
	total                      int
	byState, byScheme, byLevel map[string]int
	outcomes                   map[string]map[string]int // level -> outcome -> cases
	decided                    int
	// tenths counts the days to decision rounded to a tenth, as the figures
	// show them: rounding keeps their order, so the median and p90 of the
	// rounded days are the rounded median and p90. Its keys are bounded by
	// the span of days, not by the cases.
	tenths   map[int64]int
	buckets  [len(bucketDays) + 1]int
	workload map[string]*Workload
}

func newTally() tally {
	return tally{byState: map[string]int{}, byScheme: map[string]int{}, byLevel: map[string]int{},
		outcomes: map[string]map[string]int{}, tenths: map[int64]int{}, workload: map[string]*Workload{}}
}

// count adds a case's part (sign 1) or takes it out (sign -1).
func (t *tally) count(s *summary, sign int) {
	if s == nil || !s.exists() {
		return
	}
	t.total += sign
	bump(t.byState, string(s.State), sign)
	bump(t.byScheme, string(s.Scheme), sign)
	bump(t.byLevel, string(s.Level), sign)
	if s.Decision != nil && !s.SubmittedAt.IsZero() {
		t.decided += sign
		days := s.Decision.At.Sub(s.SubmittedAt).Hours() / 24
		bump(t.tenths, int64(math.Round(days*10)), sign)
		i := 0
		for i < len(bucketDays) && days > float64(bucketDays[i]) {
			i++
		}
		t.buckets[i] += sign
		o := t.outcomes[string(s.Level)]
		if o == nil {
			o = map[string]int{}
			t.outcomes[string(s.Level)] = o
		}
		if bump(o, string(s.Decision.Outcome), sign); len(o) == 0 {
			delete(t.outcomes, string(s.Level))
		}
	}
	for _, a := range s.Roles {
		w := t.workloadOf(a.UserID)
		// A role not assessed is open work only while the case is in the
		// queues: withdrawn (or ended by the applicant's erasure), nobody
		// waits for it.
		if a.Assessed {
			w.Completed += sign
		} else if s.State.Queued() {
			w.Open += sign
		}
		t.dropIdle(w)
	}
	if s.RenewalAssessor != "" {
		w := t.workloadOf(s.RenewalAssessor)
		w.Renewals += sign
		t.dropIdle(w)
	}
}

func (t *tally) workloadOf(userID string) *Workload {
	w := t.workload[userID]
	if w == nil {
		w = &Workload{UserID: userID}
		t.workload[userID] = w
	}
	return w
}

// dropIdle forgets an assessor with nothing open, done or to renew.
func (t *tally) dropIdle(w *Workload) {
	if w.Open == 0 && w.Completed == 0 && w.Renewals == 0 {
		delete(t.workload, w.UserID)
	}
}

// bump adds sign to m[k], dropping a key that comes to nothing.
func bump[K comparable](m map[K]int, k K, sign int) {
	if m[k] += sign; m[k] == 0 {
		delete(m, k)
	}
}

// Stats gives the statistics at now: the counters as they stand, and the
// overdue cases (what depends on now) counted in the index of undecided
// cases by submission up to the service level's limit, a block at a time.
func (m *Cases) Stats(now time.Time, sla time.Duration) Stats {
	t := &m.tally
	s := Stats{Total: t.total, ByState: maps.Clone(t.byState), ByScheme: maps.Clone(t.byScheme), ByLevel: maps.Clone(t.byLevel),
		OutcomesByLevel: map[string]map[string]int{}, ServiceLevelDays: int(sla.Hours() / 24), Decided: t.decided,
		AssessorWorkload: make([]Workload, 0, len(t.workload))}
	for level, o := range t.outcomes {
		s.OutcomesByLevel[level] = maps.Clone(o)
	}
	keys := slices.Sorted(maps.Keys(t.tenths))
	s.DaysToDecisionMedian = tenthsPercentile(keys, t.tenths, t.decided, 0.5)
	s.DaysToDecisionP90 = tenthsPercentile(keys, t.tenths, t.decided, 0.9)
	for i, limit := range bucketDays {
		s.DaysToDecisionBuckets = append(s.DaysToDecisionBuckets, Bucket{UpToDays: limit, Cases: t.buckets[i]})
	}
	s.DaysToDecisionBuckets = append(s.DaysToDecisionBuckets, Bucket{UpToDays: -1, Cases: t.buckets[len(bucketDays)]}) // more
	for _, w := range t.workload {
		s.AssessorWorkload = append(s.AssessorWorkload, *w)
	}
	slices.SortFunc(s.AssessorWorkload, func(a, b Workload) int { return strings.Compare(a.UserID, b.UserID) })
	s.Overdue = m.undecided.countUpTo(now.Add(-sla)) // as item's Overdue
	return s
}

// tenthsPercentile is the nearest-rank percentile p of n values counted by
// tenth (keys sorted); 0 for none.
func tenthsPercentile(keys []int64, counts map[int64]int, n int, p float64) float64 {
	if n == 0 {
		return 0
	}
	rank := max(int(math.Ceil(p*float64(n)))-1, 0)
	for _, k := range keys {
		if rank -= counts[k]; rank < 0 {
			return float64(k) / 10
		}
	}
	return 0 // not reached: the counts add up to n
}

// percentile of sorted values (nearest rank), rounded to a tenth; 0 for none.
func percentile(sorted []float64, p float64) float64 {
	return math.Round(nearestRank(sorted, p)*10) / 10
}

// nearestRank is the nearest-rank percentile p of sorted values, not
// rounded (a figure shown in other units is rounded once, in those); 0
// for none.
func nearestRank(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// undecided reports whether a case counts towards the overdue: in the
// office's queue, its service level's clock started (ServiceStart: after
// the submission, and the fee's payment where one was due) and not decided.
func undecided(state accreditation.State, noDecision bool, start time.Time) bool {
	return state.Queued() && noDecision && !start.IsZero()
}
