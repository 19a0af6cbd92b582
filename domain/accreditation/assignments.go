package accreditation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
)

// Assignments are the assessing roles held on a case: at most one assessor
// and one verifier. They are kept in the case, by role, rather than in a
// map: the queues read them for every case they show, a command copies
// them with its case, and a map of one or two of them took about 900
// bytes of its own. In JSON they are what a map of them by role was, so
// snapshots and answers read the same.
type Assignments struct {
	// held is by place in AssessorRoles; an assignment whose Role is ""
	// is not held.
	held [2]Assignment
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

// place is r's place in AssessorRoles, -1 for a role that is none.
func place(r AssessorRole) int {
	switch r {
	case RoleAssessor:
		return 0
	case RoleVerifier:
		return 1
	}
	return -1
}

// Get is the assignment of role r, and whether anyone holds it.
func (as *Assignments) Get(r AssessorRole) (Assignment, bool) {
	if i := place(r); i >= 0 && as.held[i].Role != "" {
		return as.held[i], true
	}
	return Assignment{}, false
}

// Holds reports whether anyone holds role r.
func (as *Assignments) Holds(r AssessorRole) bool {
	_, ok := as.Get(r)
	return ok
}

// Holder is the user who holds role r, "" for nobody.
func (as *Assignments) Holder(r AssessorRole) string {
	a, _ := as.Get(r)
	return a.UserID
}

// RoleOf is the role userID holds, "" for none (or for no user).
func (as *Assignments) RoleOf(userID string) AssessorRole {
	for i := range as.held {
		if a := &as.held[i]; a.Role != "" && userID != "" && a.UserID == userID {
			return a.Role
		}
	}
	return ""
}

// Len is how many roles are held.
func (as *Assignments) Len() int {
	n := 0
	for i := range as.held {
		if as.held[i].Role != "" {
			n++
		}
	}
	return n
}

// IsZero reports whether no role is held (JSON's omitzero leaves them out).
func (as Assignments) IsZero() bool { return as.Len() == 0 }

// All yields the roles held and their assignments, in AssessorRoles' order.
func (as Assignments) All() iter.Seq2[AssessorRole, Assignment] {
	return func(yield func(AssessorRole, Assignment) bool) {
		for i := range as.held {
			if a := as.held[i]; a.Role != "" && !yield(a.Role, a) {
				return
			}
		}
	}
}

// set gives a its role, replacing whoever held it. A role that is none
// has no place: events are validated before they are stored, so only a
// stream written by hand holds one, and the case then ignores it as it
// ignores an event it does not know.
func (as *Assignments) set(a Assignment) {
	if i := place(a.Role); i >= 0 {
		as.held[i] = a
	}
}

// remove takes role r from whoever holds it.
func (as *Assignments) remove(r AssessorRole) {
	if i := place(r); i >= 0 {
		as.held[i] = Assignment{}
	}
}

// MarshalJSON writes the roles held as an object by role, in
// AssessorRoles' order (the order encoding/json wrote a map of them in).
func (as Assignments) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for r, a := range as.All() {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(string(r))
		v, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object by role. Its key says the role (as the
// map's did): an assignment written with another role, or none, is held
// under its key. A key that is no role is refused rather than dropped.
func (as *Assignments) UnmarshalJSON(b []byte) error {
	var m map[AssessorRole]Assignment
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*as = Assignments{}
	for r, a := range m {
		if place(r) < 0 {
			return fmt.Errorf("assignments: %q is not an assessing role", r)
		}
		a.Role = r
		as.set(a)
	}
	return nil
}
