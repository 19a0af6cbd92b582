package cases

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
)

// A role on a case is held on the conditions of taking it: qualified for
// the scheme, at or above the level, in the case's language, with no
// conflict of interest with the applicant. Claiming and assignment check
// them; a change since to the holder's profile (a conflict the office
// records when they report it, a level or a language taken off) is looked
// at on every step: from then on the holder takes no further step on a
// case in progress (assess, interview, ask for information, assess its
// renewal) until the office gives the role to someone else. The case view
// names the roles so held (BarredRoles, and ConflictedRoles for a
// conflict), so the office sees what to reassign and, for an assessment
// already in, what to weigh.

// RenewalAssessorRole names the assessor of a case's current renewal in
// BarredRoles and ConflictedRoles, beside the case's own roles.
const RenewalAssessorRole = "renewal_assessor"

// ErrConflicted and ErrBarred are what a command refused by refuseBarred
// wraps (a 409), for a conflict of interest or another condition, so that
// a page can say it in the reader's language.
var (
	ErrConflicted = errors.New("conflict of interest with the applicant declared since taking the role")
	ErrBarred     = errors.New("the assessor's profile no longer meets the role's conditions")
)

// ErrFilesClosed is what the Forbidden of an evidence file refused to an
// assessor who sees the case wraps (Case.SeesEvidenceFiles).
var ErrFilesClosed = errors.New("the case's evidence files are closed to this assessor")

// BarredRole is a role held on a case in progress by someone whose
// profile no longer meets its conditions, and why.
type BarredRole struct {
	Role    string      `json:"role"` // assessor, verifier, renewal_assessor
	UserID  string      `json:"user_id"`
	Reasons []BarReason `json:"reasons"`
}

// BarReason is one condition of the role the holder no longer meets.
type BarReason struct {
	Code accreditation.ExclusionCode `json:"code"`
	Text string                      `json:"text"`
}

// Conflicted reports whether one of the reasons is a conflict of interest.
func (b BarredRole) Conflicted() bool {
	return slices.ContainsFunc(b.Reasons, func(r BarReason) bool { return r.Code == accreditation.ExcludedConflict })
}

// heldRoles are the roles userID holds on c while it is in progress: the
// case's assessor or verifier, and its open renewal's assessor, each with
// the role whose conditions it is held on.
func heldRoles(c *accreditation.Case, userID string) []heldRole {
	var out []heldRole
	if r := c.Assignments.RoleOf(userID); r != "" && c.State.InProgress() {
		out = append(out, heldRole{name: string(r), on: r})
	}
	if userID != "" && c.RenewalAssessor() == userID {
		out = append(out, heldRole{name: RenewalAssessorRole, on: c.RenewalRole(userID)})
	}
	return out
}

type heldRole struct {
	name string
	on   accreditation.AssessorRole
}

// barsOf are the roles p's user holds on c that p no longer allows.
func barsOf(c *accreditation.Case, p accreditation.AssessorProfile) []BarredRole {
	var out []BarredRole
	for _, h := range heldRoles(c, p.UserID) {
		ex := c.Exclusions(p, h.on)
		if h.name == RenewalAssessorRole {
			ex = c.RenewalExclusions(p)
		}
		if len(ex) == 0 {
			continue
		}
		b := BarredRole{Role: h.name, UserID: p.UserID, Reasons: make([]BarReason, len(ex))}
		for i, x := range ex {
			b.Reasons[i] = BarReason{Code: x.Code, Text: x.Text}
		}
		out = append(out, b)
	}
	return out
}

// holderProfile is what assessor userID's profile says now, as the
// conditions of a role read it; ok is false for anyone who is not an
// active assessor (a disabled one takes no step at all). A profile the
// store cannot give is an error, so that a command is refused rather than
// let through unchecked.
func (s *Service) holderProfile(ctx context.Context, userID string) (accreditation.AssessorProfile, bool, error) {
	p, role, ok, err := s.accounts.Profile(ctx, userID)
	if err != nil || !ok || role != domain.RoleAssessor {
		return accreditation.AssessorProfile{}, false, err
	}
	return assessorProfile(userID, p), true, nil
}

// refuseBarred is the error of a command by an assessor who holds a role
// on c that their profile p no longer allows (nil when it does, or for
// anyone else).
func refuseBarred(c *accreditation.Case, actor domain.Actor, p *accreditation.AssessorProfile) error {
	if actor.Role != domain.RoleAssessor || p == nil {
		return nil
	}
	bars := barsOf(c, *p)
	if len(bars) == 0 {
		return nil
	}
	if bars[0].Conflicted() {
		return domain.Wrap(domain.Conflict, ErrConflicted, "you have declared a conflict of interest with this case's applicant: you take no further step on it, and the EMCC office gives your role to someone else")
	}
	why := make([]string, len(bars[0].Reasons))
	for i, r := range bars[0].Reasons {
		why[i] = r.Text
	}
	e := domain.Wrap(domain.Conflict, ErrBarred, "you no longer meet the conditions of your role on this case (%s): you take no further step on it, and the EMCC office gives your role to someone else", strings.Join(why, "; "))
	e.Extra = map[string]any{"reasons": why}
	return e
}

// barredRoles are the roles of c whose holders' profiles no longer allow
// them, as actor may know them: the office all, an assessor their own, an
// applicant none. A profile that cannot be read leaves its holder out (a
// view is not refused for it; a command is).
func (s *Service) barredRoles(ctx context.Context, c *accreditation.Case, actor domain.Actor) []BarredRole {
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
	var out []BarredRole
	for _, h := range holders {
		if len(heldRoles(c, h)) == 0 {
			continue // nothing held in progress: no profile to read
		}
		if p, ok, err := s.holderProfile(ctx, h); err == nil && ok {
			out = append(out, barsOf(c, p)...)
		}
	}
	return out
}

// conflictedRoles are the names of the roles barred for a conflict of
// interest.
func conflictedRoles(bars []BarredRole) []string {
	var out []string
	for _, b := range bars {
		if b.Conflicted() {
			out = append(out, b.Role)
		}
	}
	return out
}
