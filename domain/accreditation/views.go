package accreditation

import (
	"slices"
	"sync"
	"time"

	"github.com/emcc/accredit/domain"
)

// AllowedActions returns the actions actor may take on the case at now, in a
// fixed order. It runs the same checks as the commands (who, state, time
// windows; ruleSets for the renewal window) but not their input: "claim" is
// offered to any assessor who is neither the applicant nor already on the
// case; whether they are qualified depends on their profile (see CanClaim).
func (c *Case) AllowedActions(actor domain.Actor, now time.Time, ruleSets RuleSets) []Action {
	out := []Action{}
	if !c.Exists() {
		return out
	}
	for _, a := range actions {
		// The table first: the guard checks it too, but builds a message
		// to refuse, and most actions are not open in any one state.
		if !slices.Contains(a.states, c.State) {
			continue
		}
		if c.guard(a.name, actor, now, ruleSets) == nil {
			out = append(out, a.name)
		}
	}
	return out
}

// CanClaim reports why the assessor with profile p may not claim role on
// the case (nil when they may): the precise check for the assessor queue.
// An empty role means either open one.
func (c *Case) CanClaim(p AssessorProfile, role AssessorRole) error {
	actor := domain.Actor{ID: p.UserID, Role: domain.RoleAssessor}
	if err := c.guard(ActionClaim, actor, time.Time{}, nil); err != nil {
		return err
	}
	roles := []AssessorRole{role}
	if role == "" {
		roles = AssessorRoles
	}
	var last error
	for _, r := range roles {
		if c.Assignments.Holds(r) {
			last = roleTaken(r, "cannot claim: the %s role is already held", r)
			continue
		}
		if last = c.qualify(ActionClaim, p, r); last == nil {
			return nil
		}
	}
	return last
}

// ClaimableRoles is the roles p could claim on the case now, in
// AssessorRoles' order: those CanClaim allows. The queue asks it of every
// case it shows; it decides the claim once, not once per role, and makes
// no error for a role already held. The slice is shared: read only.
func (c *Case) ClaimableRoles(p AssessorProfile) []AssessorRole {
	if c.guard(ActionClaim, domain.Actor{ID: p.UserID, Role: domain.RoleAssessor}, time.Time{}, nil) != nil {
		return nil
	}
	set := 0
	for i, r := range AssessorRoles {
		if !c.Assignments.Holds(r) && c.qualify(ActionClaim, p, r) == nil {
			set |= 1 << i
		}
	}
	return roleSets[set]
}

// roleSets holds each subset of AssessorRoles, in its order, by the bits
// of its members' places: ClaimableRoles answers one of them rather than
// make a slice for every case a queue shows. Each is capped at its length,
// so that an append copies rather than write into another.
var roleSets = func() [][]AssessorRole {
	sets := make([][]AssessorRole, 1<<len(AssessorRoles))
	for set := range sets {
		var roles []AssessorRole
		for i, r := range AssessorRoles {
			if set&(1<<i) != 0 {
				roles = append(roles, r)
			}
		}
		sets[set] = slices.Clip(roles)
	}
	return sets
}()

// CanSee reports whether actor may see the case: the office and the system
// all cases; an applicant their own; an assessor the cases they hold a role
// on, and the cases they could claim now, decided by CanClaim with p, their
// own profile (nil when they have none), and the cases whose renewal they
// hold or renewed (assessesRenewal). An assessor the claim would refuse
// (not qualified, a declared conflict, the applicant) must not learn what
// the case holds, so the claim rule and the sight rule are one rule.
func (c *Case) CanSee(actor domain.Actor, p *AssessorProfile) bool {
	if !c.Exists() || actor.ID == "" {
		return false
	}
	switch actor.Role {
	case domain.RoleOffice, domain.RoleSystem:
		return true
	case domain.RoleApplicant:
		return actor.ID == c.ApplicantID
	case domain.RoleAssessor:
		if c.assessorRoleOf(actor.ID) != "" || c.assessesRenewal(actor.ID) {
			return true
		}
		return p != nil && p.UserID == actor.ID && c.CanClaim(*p, "") == nil
	}
	return false
}

// assessesRenewal reports whether userID holds the accreditation's renewal
// now (under way, or the last one refused) or assessed one that renewed
// it: as an assessor keeps the cases they assessed. One the office gave a
// renewal and then gave it to another (a conflict declared, say) has no
// more sight of the case than an application's assessor taken off.
func (c *Case) assessesRenewal(userID string) bool {
	a := c.Accreditation
	if a == nil || userID == "" {
		return false
	}
	if a.Current != nil && a.Current.Assessor == userID {
		return true
	}
	for _, r := range a.Renewals {
		if r.AssessedBy == userID {
			return true
		}
	}
	return false
}

// VisibleAssessments returns copies of the assessments actor may see,
// assessor first: the office all of them; the assessor and the verifier
// their own, and the other's only once both are in; the applicant all of
// them once a decision stands; anyone else none.
func (c *Case) VisibleAssessments(actor domain.Actor) []Assessment {
	out := []Assessment{}
	for _, r := range AssessorRoles {
		a, ok := c.Assessments.Get(r)
		if ok && c.seesAssessment(actor, a) {
			out = append(out, a.clone())
		}
	}
	return out
}

// seesAssessment: those who see a moderation's record, an assessor of the
// case their own assessment and the other's once both are in.
func (c *Case) seesAssessment(actor domain.Actor, a Assessment) bool {
	if !c.SeesModeration(actor) {
		return false
	}
	if actor.Role == domain.RoleAssessor {
		return a.UserID == actor.ID || c.Assessments.Len() == len(AssessorRoles)
	}
	return true
}

// SeesFeeReason reports whether actor may read why the office waived the
// case's fee: the applicant and the office. The reason is about the
// applicant's circumstances (their means, an illness) and of no use to
// assess the case: an assessor, on it or one who may claim it, sees that
// the fee was waived, not why.
func (c *Case) SeesFeeReason(actor domain.Actor) bool { return c.officeOrApplicant(actor) }

// officeOrApplicant reports whether actor is the office (or the system) or
// the case's applicant: those who read every personal text of a case.
func (c *Case) officeOrApplicant(actor domain.Actor) bool {
	switch actor.Role {
	case domain.RoleOffice, domain.RoleSystem:
		return true
	case domain.RoleApplicant:
		return actor.ID == c.ApplicantID
	}
	return false
}

// SeesProceedings reports whether actor may read what passed in the
// case's handling beyond the application itself: why it was screened as it
// was, the information asked and answered, where the interview is held,
// why it was withdrawn, an appeal's grounds and reasons. The office, the
// applicant, and an assessor who holds a role on the case or its renewal.
// An assessor who only may claim it from the queue sees the application
// they would assess and where the case stands: what the applicant told the
// office along the way is theirs to read once they take a part in it.
func (c *Case) SeesProceedings(actor domain.Actor) bool {
	if actor.Role == domain.RoleAssessor {
		return c.assessorRoleOf(actor.ID) != "" || c.assessesRenewal(actor.ID)
	}
	return c.officeOrApplicant(actor)
}

// SeesEvidenceFiles reports whether actor may open the case's evidence
// files, not only read what they are: those who read its proceedings
// (SeesProceedings), but an assessor whose profile p declares a conflict
// of interest with the applicant. The files are the applicant's and their
// clients' own words, recordings and reports: an assessor who may only
// claim the case judges it from its list of evidence and portfolio, and
// one who declared a conflict keeps the case until the office gives their
// role to another, not the files. An assessor's profile that cannot be
// read (nil) opens nothing: a read is refused rather than a conflict missed.
func (c *Case) SeesEvidenceFiles(actor domain.Actor, p *AssessorProfile) bool {
	if !c.SeesProceedings(actor) {
		return false
	}
	if actor.Role != domain.RoleAssessor {
		return true
	}
	return p != nil && p.UserID == actor.ID && !slices.Contains(p.Conflicts, c.ApplicantID)
}

// SeesModeration reports whether actor may see what a moderation weighed
// and decided (the two recommendations that differed, the office's): as
// with the assessments themselves, the office, the case's assessors, and
// the applicant once a decision stands; before it, that the case is being
// moderated is all the applicant sees.
func (c *Case) SeesModeration(actor domain.Actor) bool {
	switch actor.Role {
	case domain.RoleOffice, domain.RoleSystem:
		return true
	case domain.RoleAssessor:
		return c.assessorRoleOf(actor.ID) != ""
	case domain.RoleApplicant:
		return actor.ID == c.ApplicantID && c.Decision != nil
	}
	return false
}

// SeesRenewal reports whether actor may see what the holder wrote for
// their accreditation's current renewal and what its assessor decided: the
// holder, the office and that renewal's assessor. The application's
// assessor and verifier, who keep sight of the case, see that a renewal
// was made and when, not the holder's texts years later. In the case's
// history an assessor reads every renewal given to them, an earlier one
// they assessed too (cases.renewalRounds).
func (c *Case) SeesRenewal(actor domain.Actor) bool {
	if actor.Role == domain.RoleAssessor {
		a := c.Accreditation
		return a != nil && a.Current != nil && a.Current.Assessor == actor.ID
	}
	return c.officeOrApplicant(actor)
}

// Involved reports whether userID has played a part in the case: the
// applicant, the screener, the assessor or verifier, an office user who
// asked for information, the moderator, a decider or an appeal reviewer.
func (c *Case) Involved(userID string) bool { return len(c.partsOf(userID)) > 0 }

// partsOf returns the parts userID has played.
func (c *Case) partsOf(userID string) []string {
	var out []string
	for _, p := range c.Participants {
		if userID != "" && p.UserID == userID {
			out = append(out, p.Part)
		}
	}
	return out
}

// Unmet is the live checklist of what submission still needs: the rules
// of the rule set (pinned, or in force at now) that the portfolio does not
// meet, then the categories not yet addressed by evidence or a
// self-assessment statement. Nil when the case can be submitted.
func (c *Case) Unmet(ruleSets RuleSets, now time.Time) []Unmet {
	if !c.Exists() {
		return nil
	}
	rs, err := c.ruleSet(ruleSets, now)
	if err != nil {
		return []Unmet{{Rule: RuleRuleSet, Required: c.RuleSetVersion, Given: ""}}
	}
	if !rs.Covers(c.Scheme, c.Level) {
		return rs.Check(c.Portfolio, c.Scheme, c.Level, now)
	}
	// Every view of a draft asks: the results go in a pooled buffer, and
	// the list is made at its size (growing both was 2 KB a command).
	buf := resultsPool.Get().(*[]RuleResult)
	results := c.evaluate((*buf)[:0], rs, now)
	have := c.addressed()
	n := 0
	for _, r := range results {
		if !r.Met {
			n++
		}
	}
	for cat := range categoryNumbers() {
		if !slices.Contains(have, cat) {
			n++
		}
	}
	if n == 0 {
		putResults(buf, results)
		return nil
	}
	out := appendUnmet(make([]Unmet, 0, n), results)
	putResults(buf, results)
	return unaddressed(out, have)
}

// resultsPool holds the buffers Unmet evaluates the rules into.
var resultsPool = sync.Pool{New: func() any {
	b := make([]RuleResult, 0, resultsRoom)
	return &b
}}

// putResults gives results' array back to the pool, holding nothing.
func putResults(buf *[]RuleResult, results []RuleResult) {
	clear(results)
	*buf = results[:0]
	resultsPool.Put(buf)
}

// SeesInterviewRecord reports whether actor may read role's record of the
// interview: the office always; the assessor and the verifier their own,
// and the other's once both assessments are in (the record is part of an
// assessment, and they assess independently); the applicant never (they
// see when and where, not the assessors' notes).
func (c *Case) SeesInterviewRecord(actor domain.Actor, role AssessorRole) bool {
	switch actor.Role {
	case domain.RoleOffice, domain.RoleSystem:
		return true
	case domain.RoleAssessor:
		own := c.assessorRoleOf(actor.ID)
		return own != "" && (own == role || c.Assessments.Len() == len(AssessorRoles))
	}
	return false
}
