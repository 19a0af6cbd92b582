package accreditation

import (
	"time"

	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// InterviewLevels are the EIA levels whose applicants their assessors
// interview as shipped: Senior and Master Practitioner, as holders report
// it (DESIGN section 3: personal accounts; confirm with the office). The
// rule set decides (RuleInterview, recorded at submission); these are its
// shipped values and what a case submitted before it held them keeps.
var InterviewLevels = []framework.Level{framework.SeniorPractitioner, framework.MasterPractitioner}

// Interview is the interview of an applicant by their assessors, at a level
// that has one.
type Interview struct {
	At          time.Time `json:"at"`
	Place       string    `json:"place"` // an address, or a link to a video call
	ScheduledBy string    `json:"scheduled_by"`
	ScheduledAt time.Time `json:"scheduled_at"`
	// Records are the assessor's and the verifier's records of it, each
	// part of their assessment.
	Records map[AssessorRole]InterviewRecord `json:"records,omitempty"`
}

// Recorded reports whether anyone has recorded the interview.
func (i *Interview) Recorded() bool { return i != nil && len(i.Records) > 0 }

// InterviewRecord is one assessor's record of the interview: notes and
// what they observed per competence category.
type InterviewRecord struct {
	Notes        pii.Sealed     `json:"notes"`
	Observations []CategoryNote `json:"observations,omitempty"`
	RecordedAt   time.Time      `json:"recorded_at"`
}

// CategoryNote is a note on one competence category.
type CategoryNote struct {
	Category int        `json:"category"`
	Notes    pii.Sealed `json:"notes"`
}

func (i *Interview) clone() *Interview {
	if i == nil {
		return nil
	}
	n := *i
	if i.Records != nil {
		n.Records = make(map[AssessorRole]InterviewRecord, len(i.Records))
		for k, r := range i.Records {
			r.Notes = cloneSealed(r.Notes)
			r.Observations = cloneEach(r.Observations, func(o CategoryNote) CategoryNote {
				o.Notes = cloneSealed(o.Notes)
				return o
			})
			n.Records[k] = r
		}
	}
	return &n
}
