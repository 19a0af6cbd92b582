package accreditation

import "iter"

// Assessments are the assessments submitted on a case: at most one by its
// assessor and one by its verifier, each in its own field rather than in a
// map (a map of one or two of them took about 1.6 KB). Each is set whole
// and never changed after, so a copy of the case may share them; Clone
// still copies them, as it copies the rest. Their JSON is the object by
// role the map's was, the same bytes (a role not yet assessed is left
// out; the fields come in AssessorRoles' order, as encoding/json wrote the
// map's keys). A key that is neither role is not read.
type Assessments struct {
	Assessor *Assessment `json:"assessor,omitempty"`
	Verifier *Assessment `json:"verifier,omitempty"`
}

// of is the field of role r, nil for a role that is none.
func (as *Assessments) of(r AssessorRole) **Assessment { return fieldOf(r, &as.Assessor, &as.Verifier) }

// Get is the assessment submitted in role r, and whether there is one. It
// shares its ratings and areas with the case: read only. Its Role is r.
func (as *Assessments) Get(r AssessorRole) (Assessment, bool) {
	if p := as.of(r); p != nil && *p != nil {
		a := **p
		a.Role = r
		return a, true
	}
	return Assessment{}, false
}

// Done reports whether role r's assessment is in.
func (as *Assessments) Done(r AssessorRole) bool {
	p := as.of(r)
	return p != nil && *p != nil
}

// Len is how many assessments are in.
func (as *Assessments) Len() int { return countRoles(as.Done) }

// All yields the assessments in, by role, in AssessorRoles' order (shared
// with the case, as Get's are).
func (as Assessments) All() iter.Seq2[AssessorRole, Assessment] { return eachRole(as.Get) }

// set records a in its role, replacing what was there. A role that is
// none has no field: events are validated before they are stored, and the
// case ignores such an assessment as it ignores an event it does not know.
func (as *Assessments) set(a Assessment) {
	if p := as.of(a.Role); p != nil {
		*p = &a
	}
}

// clone copies each assessment in, and what it holds.
func (as Assessments) clone() Assessments {
	var out Assessments
	for _, r := range AssessorRoles {
		if a, ok := as.Get(r); ok {
			out.set(a.clone())
		}
	}
	return out
}
