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
func (as *Assignments) of(r AssessorRole) *Assignment { return fieldOf(r, &as.Assessor, &as.Verifier) }

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
func (as *Assignments) Len() int { return countRoles(as.Holds) }

// All yields the roles held and their assignments, in AssessorRoles' order.
func (as Assignments) All() iter.Seq2[AssessorRole, Assignment] { return eachRole(as.Get) }

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

// The by-role sets (Assignments, Assessments) share these: a field per
// role, counted and walked in AssessorRoles' order.

// fieldOf is the one of assessor and verifier that is role r's, nil for a
// role that is none.
func fieldOf[T any](r AssessorRole, assessor, verifier *T) *T {
	switch r {
	case RoleAssessor:
		return assessor
	case RoleVerifier:
		return verifier
	}
	return nil
}

// countRoles is how many roles has reports.
func countRoles(has func(AssessorRole) bool) int {
	n := 0
	for _, r := range AssessorRoles {
		if has(r) {
			n++
		}
	}
	return n
}

// eachRole yields what get finds for each role, in AssessorRoles' order.
func eachRole[T any](get func(AssessorRole) (T, bool)) iter.Seq2[AssessorRole, T] {
	return func(yield func(AssessorRole, T) bool) {
		for _, r := range AssessorRoles {
			if v, ok := get(r); ok && !yield(r, v) {
				return
			}
		}
	}
}
