package accreditation

import (
	"bytes"
	"encoding/json"
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
	Place       Place     `json:"place"`
	ScheduledBy string    `json:"scheduled_by"`
	ScheduledAt time.Time `json:"scheduled_at"`
	// Records are the assessor's and the verifier's records of it, each
	// part of their assessment.
	Records InterviewRecords `json:"records,omitzero"`
}

// Place is where an interview is held: an address (perhaps the
// applicant's home) or a link to a video call. That is personal data, so
// it is sealed under the applicant's key and erased with them; its JSON is
// the sealed value. An interview scheduled before the place was sealed
// (December 2026) has it in clear in its event, "place":"<text>", and
// events are not rewritten: Place reads that shape too, into Clear, and
// writes it back as it was read.
type Place struct {
	Sealed pii.Sealed
	Clear  string
}

// IsZero reports whether p holds no place.
func (p Place) IsZero() bool { return p.Clear == "" && p.Sealed.IsZero() }

// Open is the place's text: an old event's clear text as it stands, a
// sealed place opened by open (a view's shows pii.Erased once the
// applicant is erased).
func (p Place) Open(open func(pii.Sealed) string) string {
	if p.Clear != "" {
		return p.Clear
	}
	return open(p.Sealed)
}

// MarshalJSON writes the sealed place, or an old event's clear text as
// the string it was.
func (p Place) MarshalJSON() ([]byte, error) {
	if p.Clear != "" {
		return json.Marshal(p.Clear)
	}
	return p.Sealed.MarshalJSON()
}

// UnmarshalJSON reads a JSON string as an old event's clear place, and
// anything else as a sealed one.
func (p *Place) UnmarshalJSON(b []byte) error {
	*p = Place{}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '"' {
		return json.Unmarshal(t, &p.Clear)
	}
	return p.Sealed.UnmarshalJSON(b)
}

// Recorded reports whether anyone has recorded the interview.
func (i *Interview) Recorded() bool { return i != nil && i.Records.Len() > 0 }

// InterviewRecords are the assessor's and the verifier's records of an
// interview, each in its role's field as a case's assignments and
// assessments are, rather than in a map. Their JSON is the object by role
// the map's was, the same bytes; a key that is neither role is not read.
type InterviewRecords struct {
	Assessor *InterviewRecord `json:"assessor,omitempty"`
	Verifier *InterviewRecord `json:"verifier,omitempty"`
}

// of is the field of role r, nil for a role that is none.
func (rs *InterviewRecords) of(r AssessorRole) **InterviewRecord {
	return fieldOf(r, &rs.Assessor, &rs.Verifier)
}

// Get is role r's record, and whether there is one. It shares its notes
// and observations with the case: read only.
func (rs *InterviewRecords) Get(r AssessorRole) (InterviewRecord, bool) {
	if p := rs.of(r); p != nil && *p != nil {
		return **p, true
	}
	return InterviewRecord{}, false
}

// Len is how many roles have recorded the interview.
func (rs *InterviewRecords) Len() int {
	return countRoles(func(r AssessorRole) bool { _, ok := rs.Get(r); return ok })
}

// set records rec as role r's, replacing what was there; a role that is
// none has no field, and the record is ignored as an Assessments' is.
func (rs *InterviewRecords) set(r AssessorRole, rec InterviewRecord) {
	if p := rs.of(r); p != nil {
		*p = &rec
	}
}

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
	n.Place.Sealed = cloneSealed(i.Place.Sealed)
	n.Records = InterviewRecords{}
	for _, role := range AssessorRoles {
		if r, ok := i.Records.Get(role); ok {
			r.Notes = cloneSealed(r.Notes)
			r.Observations = cloneEach(r.Observations, func(o CategoryNote) CategoryNote {
				o.Notes = cloneSealed(o.Notes)
				return o
			})
			n.Records.set(role, r)
		}
	}
	return &n
}
