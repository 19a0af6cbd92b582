package accreditation

import "iter"

// Assignments are the assessing roles held on a case: at most one assessor
// and one verifier, each in its own field rather than in a map (the queues
// read both for every case they show, a command copies them with its case,
// and a map of one or two of them took about 900 bytes). Their JSON is the
// object by role the map's was, the same bytes: a role nobody holds is
// left out (omitzero), and the fields come in AssessorRoles' order, the
// order encoding/json wrote the map's keys in. A key that is neither role
// is not read: no stored case holds one (events are validated).
type Assignments struct {
	Assessor Assignment `json:"assessor,omitzero"`
	Verifier Assignment `json:"verifier,omitzero"`
}

// NewAssignments holds each of as under its role, the later of two with
// one role (a case's own are made by its events).
func NewAssignments(as ...Assignment) Assignments {
	var out Assignments
	for _, a := range as {
		out.set(a)
	}
	return out
}

// of is the field of role r, nil for a role that is none.
func (as *Assignments) of(r AssessorRole) *Assignment {
	switch r {
	case RoleAssessor:
		return &as.Assessor
	case RoleVerifier:
		return &as.Verifier
	}
	return nil
}

// Get is the assignment of role r, and whether anyone holds it. Its Role
// is r: the field says the role, as the map's key did.
func (as *Assignments) Get(r AssessorRole) (Assignment, bool) {
	if p := as.of(r); p != nil && *p != (Assignment{}) {
		a := *p
		a.Role = r
		return a, true
	}
	return Assignment{}, false
}

// Holds reports whether anyone holds role r.
func (as *Assignments) Holds(r AssessorRole) bool {
	p := as.of(r)
	return p != nil && *p != (Assignment{})
}

// Holder is the user who holds role r, "" for nobody.
func (as *Assignments) Holder(r AssessorRole) string {
	if p := as.of(r); p != nil {
		return p.UserID
	}
	return ""
}

// RoleOf is the role userID holds, "" for none (or for no user).
func (as *Assignments) RoleOf(userID string) AssessorRole {
	switch {
	case userID == "":
		return ""
	case as.Assessor.UserID == userID:
		return RoleAssessor
	case as.Verifier.UserID == userID:
		return RoleVerifier
	}
	return ""
}

// Len is how many roles are held.
func (as *Assignments) Len() int {
	n := 0
	for _, r := range AssessorRoles {
		if as.Holds(r) {
			n++
		}
	}
	return n
}

// All yields the roles held and their assignments, in AssessorRoles' order.
func (as Assignments) All() iter.Seq2[AssessorRole, Assignment] {
	return func(yield func(AssessorRole, Assignment) bool) {
		for _, r := range AssessorRoles {
			if a, ok := as.Get(r); ok && !yield(r, a) {
				return
			}
		}
	}
}

// set gives a its role, replacing whoever held it. A role that is none
// has no field: events are validated before they are stored, so only a
// stream written by hand holds one, and the case ignores it as it ignores
// an event it does not know.
func (as *Assignments) set(a Assignment) {
	if p := as.of(a.Role); p != nil {
		*p = a
	}
}

// remove takes role r from whoever holds it.
func (as *Assignments) remove(r AssessorRole) {
	if p := as.of(r); p != nil {
		*p = Assignment{}
	}
}
