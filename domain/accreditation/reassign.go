package accreditation

import (
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// The office takes an assessor or a verifier off a case (Unassign), or puts
// another qualified person in their place in one step (Reassign: one commit
// of assessor_unassigned then assessor_assigned, so no one ever sees the
// role empty in between), always with a reason.
//
// The rule, the safer of the two one could pick: a role can change only
// while its holder has not yet submitted an assessment nor recorded the
// interview (both are that holder's own judgement, which nobody else can
// take over); otherwise the office is refused with a Conflict naming why.
// So it is open while the case awaits assessment or is in assessment, and a
// submitted assessment is never dropped or handed to someone else.
//
// A role emptied while the case is in assessment sends it back to awaiting
// assessment (the queue), where it is assigned or claimed again. The person
// taken off stays among the case's participants (they were involved), loses
// sight of the case, and may not claim it back from the queue: only the
// office can give it to them again.

// UnassignInput is the office's taking Role's holder off the case.
type UnassignInput struct {
	Role   AssessorRole
	Reason pii.Sealed // required
}

// ReassignInput is the office's giving Role to Profile's user in place of
// its holder.
type ReassignInput struct {
	Role    AssessorRole
	Profile AssessorProfile
	Reason  pii.Sealed // required
}

// AssessorUnassigned: the office took the holder of a role off the case,
// with a reason (sealed, as every office reason). In a reassignment it is
// followed, in the same commit, by assessor_assigned.
type AssessorUnassigned struct {
	Role   AssessorRole `json:"role"`
	UserID string       `json:"user_id"`
	Reason pii.Sealed   `json:"reason"`
}

// changeable are the states in which the office may change who holds a
// role (see the rule above).
var changeable = []State{StateAwaitingAssessment, StateInAssessment}

// Unassign takes the holder of in.Role off the case. When the case was in
// assessment it goes back to awaiting assessment. Errors: NotFound,
// Forbidden (not the office), Conflict (state, the role is empty, its
// holder has assessed or recorded the interview), Invalid (role, reason).
func (c *Case) Unassign(actor domain.Actor, now time.Time, in UnassignInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionUnassign, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("reason", in.Reason)
	held, err := c.heldRole(ActionUnassign, &f, in.Role)
	if err != nil {
		return nil, err
	}
	return one(AssessorUnassigned{Role: in.Role, UserID: held.UserID, Reason: in.Reason}), nil
}

// Reassign gives in.Role to in.Profile's user in place of its holder, in
// one commit. The new holder must qualify exactly as in Assign. Errors:
// NotFound, Forbidden, Conflict (as Unassign), Invalid (role, reason, the
// same person), Unprocessable (not qualified, Extra["reasons"]).
func (c *Case) Reassign(actor domain.Actor, now time.Time, in ReassignInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionReassign, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("reason", in.Reason)
	if in.Profile.UserID == "" {
		f.add("assessor_id", "required")
	}
	if a, ok := c.Assignments.Get(in.Role); ok && a.UserID == in.Profile.UserID && in.Profile.UserID != "" {
		f.add("assessor_id", "%s already holds the %s role; choose someone else", a.UserID, in.Role)
	}
	held, err := c.heldRole(ActionReassign, &f, in.Role)
	if err != nil {
		return nil, err
	}
	if err := c.qualify(ActionReassign, in.Profile, in.Role); err != nil {
		return nil, err
	}
	return []aggregate.Change{
		emit(AssessorUnassigned{Role: in.Role, UserID: held.UserID, Reason: in.Reason}),
		emit(AssessorAssigned{Role: in.Role, UserID: in.Profile.UserID, How: HowAssigned}),
	}, nil
}

// heldRole checks the input's role and reason (f) and that role's holder
// may still be changed, and returns the assignment.
func (c *Case) heldRole(action Action, f *fields, role AssessorRole) (Assignment, error) {
	if !role.Valid() {
		f.add("role", "must be assessor or verifier")
	}
	if err := f.err(action); err != nil {
		return Assignment{}, err
	}
	a, ok := c.Assignments.Get(role)
	if !ok {
		return Assignment{}, blockedRole(BlockedByRoleUnheld, role, "cannot %s: no one holds the %s role; assign it instead", verb(action), role)
	}
	return a, c.roleChangeable(action, role)
}

// roleChangeable refuses to change a role whose holder has already given
// their own judgement: an assessment or the interview record.
func (c *Case) roleChangeable(action Action, role AssessorRole) error {
	if c.Assessments.Done(role) {
		return blockedRole(BlockedByHolderAssessed, role, "cannot %s: the %s has already submitted an assessment, which stands as theirs", verb(action), role)
	}
	if _, done := c.Interview.record(role); done {
		return blockedRole(BlockedByHolderInterviewed, role, "cannot %s: the %s has recorded the interview, part of their assessment", verb(action), role)
	}
	return nil
}

// anyRoleChangeable is the guard's check that the command has something to
// act on: a held role whose holder may still be changed.
func (c *Case) anyRoleChangeable(action Action) error {
	var last error = blocked(domain.Conflict, BlockedByRoleUnheld, "cannot %s: no one holds a role on this case; assign one instead", verb(action))
	for _, r := range AssessorRoles {
		if !c.Assignments.Holds(r) {
			continue
		}
		if last = c.roleChangeable(action, r); last == nil {
			return nil
		}
	}
	return last
}

// RoleChangeable reports whether the office may unassign or reassign the
// holder of role now (nil when it may): for the office's case page.
func (c *Case) RoleChangeable(role AssessorRole) error {
	if !c.Assignments.Holds(role) {
		return blockedRole(BlockedByRoleUnheld, role, "no one holds the %s role", role)
	}
	if err := c.inState(ActionUnassign); err != nil {
		return err
	}
	return c.roleChangeable(ActionUnassign, role)
}

// CanReassign reports why the office may not give role to the assessor
// with profile p in place of its holder (nil when it may): the check of
// Reassign but for the reason, for the office's picker.
func (c *Case) CanReassign(p AssessorProfile, role AssessorRole) error {
	if err := c.RoleChangeable(role); err != nil {
		return err
	}
	if c.Assignments.Holder(role) == p.UserID {
		return domain.Errorf(domain.Invalid, "%s already holds the %s role", p.UserID, role)
	}
	return c.qualify(ActionReassign, p, role)
}

// TakenOff reports whether the office took userID off a role of this case
// and they hold none now: such a person may not claim it back.
func (c *Case) TakenOff(userID string) bool {
	if userID == "" || c.assessorRoleOf(userID) != "" {
		return false
	}
	// The part first: the queues ask this of every case they show, and a
	// part is compared by its length or as the constant; the id only
	// where the part is one of the two.
	for _, p := range c.Participants {
		if (p.Part == PartAssessor || p.Part == PartVerifier) && p.UserID == userID {
			return true
		}
	}
	return false
}

func (c *Case) onAssessorUnassigned(_ eventstore.Event, d AssessorUnassigned) {
	c.Assignments.remove(d.Role)
	if c.State == StateInAssessment {
		c.State = StateAwaitingAssessment
	}
}
