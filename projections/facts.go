package projections

import (
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// Facts is what a list of cases shows of one, read from its summary: a
// case kept compressed is not decoded for it.
type Facts struct {
	Scheme      accreditation.Scheme `json:"scheme"`
	Level       framework.Level      `json:"level"`
	State       accreditation.State  `json:"state"`
	OpenedAt    time.Time            `json:"opened_at"`
	SubmittedAt time.Time            `json:"submitted_at,omitzero"`
	// Assessors holds everyone assigned to it, in any role.
	Assessors []string `json:"assessor_ids,omitempty"`
}

// Facts returns the facts of case id; false for a case it does not hold.
func (m *Cases) Facts(id string) (Facts, bool) {
	s, ok := m.sums[id]
	if !ok || !s.exists() {
		return Facts{}, false
	}
	f := Facts{Scheme: s.Scheme, Level: s.Level, State: s.State, OpenedAt: s.OpenedAt, SubmittedAt: s.SubmittedAt}
	for _, r := range s.Roles {
		f.Assessors = append(f.Assessors, r.UserID)
	}
	return f, true
}
