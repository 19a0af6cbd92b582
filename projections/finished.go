package projections

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// FinishedItem is a case an assessor or verifier is done with: their
// assessment is in, the case is decided, or it was withdrawn.
type FinishedItem struct {
	CaseID      string                     `json:"case_id"`
	Scheme      accreditation.Scheme       `json:"scheme"`
	Level       framework.Level            `json:"level"`
	Language    string                     `json:"language"`
	State       accreditation.State        `json:"state"`
	SubmittedAt time.Time                  `json:"submitted_at"`
	MyRole      accreditation.AssessorRole `json:"my_role"`
	// Assessed says their own assessment is in (a case withdrawn or decided
	// before it was is finished too).
	Assessed bool `json:"assessed"`
	// Outcome, the level awarded and when, once a decision stands.
	Outcome      accreditation.Outcome `json:"outcome,omitempty"`
	DecidedLevel framework.Level       `json:"decided_level,omitempty"`
	DecidedAt    *time.Time            `json:"decided_at,omitempty"`
}

// FinishedCursor is where a page of finished cases ends: the submission
// time and id of its last case; the next page starts before it.
type FinishedCursor struct {
	At time.Time
	ID string
}

// String is the cursor as a query parameter: "<unix nanoseconds>.<case id>".
func (c FinishedCursor) String() string {
	return strconv.FormatInt(c.At.UnixNano(), 10) + "." + c.ID
}

// ParseFinishedCursor reads String's form; ok is false for anything else.
// The id must be a case's: another list's cursor ("5.3" of the audit's, a
// decision's "at.n.id") read as a place among the cases gave an empty page.
func ParseFinishedCursor(s string) (c FinishedCursor, ok bool) {
	a, id, found := strings.Cut(s, ".")
	n, err := strconv.ParseInt(a, 10, 64)
	if !found || err != nil || !domain.ValidULID(id) {
		return FinishedCursor{}, false
	}
	return FinishedCursor{At: time.Unix(0, n).UTC(), ID: id}, true
}

// FinishedPage is one page of an assessor's finished cases, newest
// submission first; Next is nil on the last page.
type FinishedPage struct {
	Items []FinishedItem
	Next  *FinishedCursor
}

// Finished pages through the cases userID holds a role on and is done
// with, newest submission first, up to limit, starting after the cursor
// (the zero cursor: from the newest). It reads the assessor's own index and
// the cases' summaries, and decodes only the cases of the page: its cost is
// the assessor's cases, never every case.
func (m *Cases) Finished(userID string, after FinishedCursor, limit int) FinishedPage {
	p := FinishedPage{Items: []FinishedItem{}}
	refs := m.assigned[userID]
	i := len(refs)
	if after.ID != "" {
		i, _ = slices.BinarySearchFunc(refs, queueRef{at: after.At, id: after.ID}, byTime)
	}
	var last queueRef
	for i--; i >= 0; i-- {
		r := refs[i]
		s := m.sums[r.id]
		if s == nil || !s.finishedFor(userID) {
			continue
		}
		if len(p.Items) == limit {
			p.Next = &FinishedCursor{At: last.at, ID: last.id}
			break
		}
		c, ok := m.Case(r.id)
		if !ok {
			continue
		}
		p.Items = append(p.Items, finishedItem(c, userID))
		last = r
	}
	return p
}

// finishedFor reports whether userID holds a role on the case and is done
// with it: their assessment is in, or the case is no longer in progress (decided, withdrawn).
func (s *summary) finishedFor(userID string) bool {
	for _, r := range s.Roles {
		if r.UserID == userID {
			return r.Assessed || !s.State.InProgress()
		}
	}
	return false // no longer on the case
}

func finishedItem(c *accreditation.Case, userID string) FinishedItem {
	it := FinishedItem{CaseID: c.ID, Scheme: c.Scheme, Level: c.Level, Language: c.Language, State: c.State,
		SubmittedAt: c.SubmittedAt, MyRole: c.Assignments.RoleOf(userID)}
	it.Assessed = c.Assessments.Done(it.MyRole)
	if d := c.Decision; d != nil {
		at := d.At
		it.Outcome, it.DecidedLevel, it.DecidedAt = d.Outcome, d.Level, &at
	}
	return it
}
