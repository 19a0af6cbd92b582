package cases

import (
	"context"
	"slices"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
)

// A conflict of interest declared after an assessor took a role on a case
// (the office records it on their profile when they report it) bars them
// from the case: claiming and assignment already refuse a conflicted
// assessor, and from the declaration on they take no further step on a
// case of that applicant (assess, interview, ask for information, assess
// its renewal) until the office gives the role to someone else. The case
// view names the roles so held (ConflictedRoles), so the office sees what
// to reassign and, for an assessment already in, what to weigh.

// RenewalAssessorRole names the assessor of a case's current renewal in
// ConflictedRoles, beside the case's own roles.
const RenewalAssessorRole = "renewal_assessor"

// heldRoles are the roles userID holds on c while it is in progress: the
// case's assessor or verifier, and its open renewal's assessor.
func heldRoles(c *accreditation.Case, userID string) []string {
	var out []string
	if r := c.Assignments.RoleOf(userID); r != "" && c.State.InProgress() {
		out = append(out, string(r))
	}
	if userID != "" && c.RenewalAssessor() == userID {
		out = append(out, RenewalAssessorRole)
	}
	return out
}

// conflictsOf is what assessor userID declares a conflict of interest with
// (nil for anyone else). A profile the store cannot give is an error, so
// that a command is refused rather than let through unchecked.
func (s *Service) conflictsOf(ctx context.Context, userID string) ([]string, error) {
	p, role, ok, err := s.accounts.Profile(ctx, userID)
	if err != nil || !ok || role != domain.RoleAssessor || p == nil {
		return nil, err
	}
	return p.Conflicts, nil
}

// refuseInConflict is the error of a command by an assessor who holds a
// role on c and declares a conflict of interest with its applicant (nil
// when they do not).
func refuseInConflict(c *accreditation.Case, actor domain.Actor, conflicts []string) error {
	if actor.Role != domain.RoleAssessor || !slices.Contains(conflicts, c.ApplicantID) || len(heldRoles(c, actor.ID)) == 0 {
		return nil
	}
	return domain.Errorf(domain.Conflict, "you have declared a conflict of interest with this case's applicant: you take no further step on it, and the EMCC office gives your role to someone else")
}

// conflictedRoles are the roles of c whose holders declare a conflict of
// interest with its applicant, as actor may know them: the office all, an
// assessor their own, an applicant none. A profile that cannot be read
// leaves its holder out (a view is not refused for it; a command is).
func (s *Service) conflictedRoles(ctx context.Context, c *accreditation.Case, actor domain.Actor) []string {
	var holders []string
	switch actor.Role {
	case domain.RoleOffice:
		for _, as := range c.Assignments.All() {
			holders = append(holders, as.UserID)
		}
		if h := c.RenewalAssessor(); h != "" && !slices.Contains(holders, h) {
			holders = append(holders, h)
		}
	case domain.RoleAssessor:
		holders = []string{actor.ID}
	}
	var out []string
	for _, h := range holders {
		if conflicts, err := s.conflictsOf(ctx, h); err == nil && slices.Contains(conflicts, c.ApplicantID) {
			out = append(out, heldRoles(c, h)...)
		}
	}
	return out
}
