package accreditation

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

// Action names a command on a case, as AllowedActions offers it and as the
// metrics count it. A typed name, so that a misspelt one does not compile.
type Action string

// The actions on a case, as AllowedActions names them. Each is one command.
const (
	ActionUpdatePortfolio       Action = "update_portfolio"       // UpdatePortfolio
	ActionAddEvidence           Action = "add_evidence"           // AddEvidence
	ActionRemoveEvidence        Action = "remove_evidence"        // RemoveEvidence
	ActionEditEvidence          Action = "edit_evidence"          // EditEvidence
	ActionUpdateSelfAssessment  Action = "update_self_assessment" // UpdateSelfAssessment
	ActionSubmit                Action = "submit"                 // Submit
	ActionRecordPayment         Action = "record_payment"         // RecordPayment
	ActionScreen                Action = "screen"                 // Screen
	ActionAssign                Action = "assign"                 // Assign
	ActionClaim                 Action = "claim"                  // Claim
	ActionUnassign              Action = "unassign"               // Unassign
	ActionReassign              Action = "reassign"               // Reassign
	ActionScheduleInterview     Action = "schedule_interview"     // ScheduleInterview
	ActionRecordInterview       Action = "record_interview"       // RecordInterview
	ActionAssess                Action = "assess"                 // SubmitAssessment
	ActionRequestInformation    Action = "request_information"    // RequestInformation
	ActionRespond               Action = "respond"                // ProvideInformation
	ActionModerate              Action = "moderate"               // Moderate
	ActionDecide                Action = "decide"                 // Decide
	ActionAppeal                Action = "appeal"                 // Appeal
	ActionDecideAppeal          Action = "decide_appeal"          // DecideAppeal
	ActionWithdraw              Action = "withdraw"               // Withdraw
	ActionRenew                 Action = "renew"                  // Renew: the holder submits the renewal
	ActionAssignRenewal         Action = "assign_renewal"         // AssignRenewal
	ActionAssessRenewal         Action = "assess_renewal"         // AssessRenewal
	ActionExpire                Action = "expire"                 // Expire (the system)
	ActionRevoke                Action = "revoke"                 // Revoke
	ActionWithdrawAccreditation Action = "withdraw_accreditation" // WithdrawAccreditation

	// ActionOpen is Open: a case that does not exist has no state to allow
	// it, so it is in no row of the table and AllowedActions never offers it.
	ActionOpen Action = "open"
)

// Valid reports whether a is an action of the table, one AllowedActions may
// offer (so not ActionOpen).
func (a Action) Valid() bool { return statesOf(a) != nil }

// withApplicant are the states in which the application is back with its
// applicant to change: before the first submission and after a return.
var withApplicant = []State{StateDraft, StateReturned}

// beforeDecision are the states in which the applicant may still withdraw:
// a draft, and every state in progress except an appeal (the decision it
// appeals has been made).
var beforeDecision = append([]State{StateDraft},
	slices.DeleteFunc(slices.Clone(inProgress), func(s State) bool { return s == StateAppealed })...)

// assessing are the states in which an interview can be scheduled and
// recorded: during assessment, and until the decision (so that a case
// assessed before interviews were can still have one).
var assessing = []State{StateInAssessment, StateModeration, StateAwaitingDecision}

// withAccreditation are the states in which a case can hold an accreditation
// (an award at a lower level stays in force while it is appealed).
var withAccreditation = []State{StateAwarded, StateAppealed}

// actions is the one table of what can be done in which state, in the order
// AllowedActions lists them.
var actions = []struct {
	name   Action
	states []State
}{
	{ActionUpdatePortfolio, withApplicant},
	{ActionAddEvidence, append(slices.Clip(withApplicant), StateInformationRequested)},
	{ActionRemoveEvidence, withApplicant},
	{ActionEditEvidence, withApplicant},
	{ActionUpdateSelfAssessment, withApplicant},
	{ActionSubmit, withApplicant},
	{ActionRecordPayment, []State{StateAwaitingPayment}},
	{ActionScreen, []State{StateSubmitted}},
	{ActionAssign, []State{StateAwaitingAssessment}},
	{ActionClaim, []State{StateAwaitingAssessment}},
	{ActionUnassign, changeable},
	{ActionReassign, changeable},
	{ActionScheduleInterview, assessing},
	{ActionRecordInterview, assessing},
	{ActionAssess, []State{StateInAssessment}},
	{ActionRequestInformation, []State{StateInAssessment, StateModeration, StateAwaitingDecision}},
	{ActionRespond, []State{StateInformationRequested}},
	{ActionModerate, []State{StateModeration}},
	{ActionDecide, []State{StateAwaitingDecision}},
	{ActionAppeal, []State{StateAwarded, StateNotAwarded}},
	{ActionDecideAppeal, []State{StateAppealed}},
	{ActionWithdraw, beforeDecision},
	{ActionRenew, withAccreditation},
	{ActionAssignRenewal, withAccreditation},
	{ActionAssessRenewal, withAccreditation},
	{ActionExpire, withAccreditation},
	{ActionRevoke, withAccreditation},
	{ActionWithdrawAccreditation, withAccreditation},
}

// AllowedIn returns the actions that someone can take on a case in state s.
func AllowedIn(s State) []Action {
	out := []Action{} // a final state allows nothing: an empty list, never null in a problem
	for _, a := range actions {
		if slices.Contains(a.states, s) {
			out = append(out, a.name)
		}
	}
	return out
}

func statesOf(action Action) []State {
	for _, a := range actions {
		if a.name == action {
			return a.states
		}
	}
	return nil
}

// verb turns an action name into words for a message: "request information".
func verb(action Action) string { return strings.ReplaceAll(string(action), "_", " ") }

// ErrWrongState is the cause of the Conflict of a step the case's state
// does not allow: the case moved on (a page opened before, a second tab)
// or never got there. Extra holds what stands in the way (see wrongState),
// so that a reader can say it in its own words rather than show the
// message.
var ErrWrongState = errors.New("the case's state does not allow this step")

// stateError is the Conflict of an action the case's state does not allow.
func (c *Case) stateError(action Action) *domain.Error {
	allowed := AllowedIn(c.State)
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	list := strings.Join(names, ", ")
	if list == "" {
		list = "nothing"
	}
	e := wrongState("state", c.State, "cannot %s: case is in state %q; allowed: %s", verb(action), c.State, list)
	e.Extra["allowed"] = allowed
	return e
}

// ErrAlreadyRecorded is the cause of the Conflict of a step whose record
// is in already: an assessment sent twice (a second tab), an interview
// recorded or held since the page was opened, a renewal its assessor
// assessed since. Extra["recorded"] names what ("assessment", "interview",
// "renewal"), for a reader to say it in its own words.
var ErrAlreadyRecorded = errors.New("what the step records is recorded already")

// alreadyRecorded is a Conflict that is an ErrAlreadyRecorded of what.
func alreadyRecorded(what string, format string, args ...any) *domain.Error {
	e := domain.Wrap(domain.Conflict, ErrAlreadyRecorded, format, args...)
	e.Extra = map[string]any{"recorded": what}
	return e
}

// ErrBlocked is the cause of the refusal of a step that something on the
// case other than its state stands in the way of: a fee not settled, an
// interview not scheduled or not recorded, no decision to appeal or its
// appeals used, no open request, a holder whose own judgement stands.
// Extra["blocked_by"] names it (a Blocker), and Extra["role"] the role it
// concerns where there is one, for a reader to say it in its own words.
var ErrBlocked = errors.New("something on the case stands in the way of this step")

// Blocker names what stands in the way of a step refused with ErrBlocked.
type Blocker string

// What may stand in the way of a step (Extra["blocked_by"]).
const (
	BlockedByFee                  Blocker = "fee_unsettled"           // screening before the fee is paid or waived
	BlockedByInterviewUnscheduled Blocker = "interview_not_scheduled" // recording an interview no one scheduled
	BlockedByInterviewUnrecorded  Blocker = "interview_not_recorded"  // assessing or deciding before the interview is recorded
	BlockedByNoInterview          Blocker = "not_interviewed"         // an interview at a level that has none
	BlockedByNoDecision           Blocker = "no_decision"             // an appeal with no decision standing
	BlockedByAppealsUsed          Blocker = "appeals_used"            // an appeal over the count the rules allow
	BlockedByAppealPeriod         Blocker = "appeal_period_ended"     // an appeal after its deadline
	BlockedByAwardedAsApplied     Blocker = "awarded_as_applied"      // an appeal of an award at the level applied for
	BlockedByNoOpenRequest        Blocker = "no_open_request"         // an answer with no request for information open
	BlockedByRoleUnheld           Blocker = "role_unheld"             // unassigning or reassigning a role no one holds
	BlockedByHolderAssessed       Blocker = "holder_assessed"         // changing the holder of a role once they assessed
	BlockedByHolderInterviewed    Blocker = "holder_interviewed"      // changing it once they recorded the interview
)

// Blockers are every Blocker, for a reader that words each.
var Blockers = []Blocker{BlockedByFee, BlockedByInterviewUnscheduled, BlockedByInterviewUnrecorded, BlockedByNoInterview,
	BlockedByNoDecision, BlockedByAppealsUsed, BlockedByAppealPeriod, BlockedByAwardedAsApplied, BlockedByNoOpenRequest,
	BlockedByRoleUnheld, BlockedByHolderAssessed, BlockedByHolderInterviewed}

// blocked is an error of code that is an ErrBlocked by what.
func blocked(code domain.Code, by Blocker, format string, args ...any) *domain.Error {
	e := domain.Wrap(code, ErrBlocked, format, args...)
	e.Extra = map[string]any{"blocked_by": by}
	return e
}

// blockedRole is a Conflict that is an ErrBlocked by what, about role.
func blockedRole(by Blocker, role AssessorRole, format string, args ...any) *domain.Error {
	e := blocked(domain.Conflict, by, format, args...)
	e.Extra["role"] = role
	return e
}

// wrongState is a Conflict that is an ErrWrongState, with what stands in
// the way in Extra[key]: the case's "state", the "accreditation_status" or
// the "renewal_state".
func wrongState(key string, value any, format string, args ...any) *domain.Error {
	e := domain.Wrap(domain.Conflict, ErrWrongState, format, args...)
	e.Extra = map[string]any{key: value}
	return e
}

func (c *Case) inState(action Action) error {
	if !slices.Contains(statesOf(action), c.State) {
		return c.stateError(action)
	}
	return nil
}

func forbidden(action Action, why string) *domain.Error {
	return domain.Errorf(domain.Forbidden, "cannot %s: %s", verb(action), why)
}

func (c *Case) ownApplicant(action Action, actor domain.Actor) error {
	if actor.Role != domain.RoleApplicant || actor.ID == "" || actor.ID != c.ApplicantID {
		return forbidden(action, "only the case's applicant may")
	}
	return nil
}

func office(action Action, actor domain.Actor) error {
	if actor.Role != domain.RoleOffice || actor.ID == "" {
		return forbidden(action, "only the EMCC office may")
	}
	return nil
}

// guard checks who may take action and whether the case allows it now: the
// checks of a command before it looks at its input. AllowedActions runs the
// same guards, so what it offers is what the commands accept. The order is
// existence, then the actor (Forbidden), then the state (Conflict), then the
// rules that depend on the actor or the time.
func (c *Case) guard(action Action, actor domain.Actor, now time.Time, rs RuleSets) error {
	if !c.Exists() {
		return domain.Errorf(domain.NotFound, "cannot %s: case %q does not exist", verb(action), c.ID)
	}
	switch action {
	case ActionUpdatePortfolio, ActionAddEvidence, ActionRemoveEvidence, ActionEditEvidence, ActionUpdateSelfAssessment,
		ActionSubmit, ActionRespond, ActionWithdraw:
		if err := c.ownApplicant(action, actor); err != nil {
			return err
		}
		return c.inState(action)

	case ActionRecordPayment, ActionAssign:
		if err := office(action, actor); err != nil {
			return err
		}
		return c.inState(action)

	case ActionScreen:
		if err := office(action, actor); err != nil {
			return err
		}
		if c.State == StateAwaitingPayment {
			e := blocked(domain.Conflict, BlockedByFee, "cannot screen: the fee of EUR %s is neither paid nor waived; record the payment first", FormatEUR(c.Fee))
			e.Extra["state"], e.Extra["allowed"] = c.State, AllowedIn(c.State)
			return e
		}
		return c.inState(action)

	case ActionClaim:
		if actor.Role != domain.RoleAssessor || actor.ID == "" {
			return forbidden(action, "only an assessor may claim a case")
		}
		if err := c.inState(action); err != nil {
			return err
		}
		if actor.ID == c.ApplicantID {
			return notQualified([]Exclusion{{Code: ExcludedApplicant, Text: "the applicant cannot assess their own case"}},
				"cannot claim: the applicant cannot assess their own case")
		}
		if r := c.assessorRoleOf(actor.ID); r != "" {
			return notQualified([]Exclusion{{Code: ExcludedOtherRole, Role: r, Text: fmt.Sprintf("already the %s of this case: the assessor and the verifier are two different people", r)}},
				"cannot claim: you are already the %s of this case; the assessor and the verifier are two different people", r)
		}
		if c.TakenOff(actor.ID) {
			return notQualified([]Exclusion{{Code: ExcludedTakenOff, Text: "the EMCC office took them off this case"}},
				"cannot claim: the EMCC office took you off this case; only the office can assign you again")
		}
		return nil

	case ActionUnassign, ActionReassign:
		if err := office(action, actor); err != nil {
			return err
		}
		if err := c.inState(action); err != nil {
			return err
		}
		return c.anyRoleChangeable(action)

	case ActionAssess:
		role := c.assessorRoleOf(actor.ID)
		if actor.Role != domain.RoleAssessor || role == "" {
			return forbidden(action, "only the case's assigned assessor or verifier may")
		}
		if err := c.inState(action); err != nil {
			return err
		}
		if c.Assessments.Done(role) {
			return alreadyRecorded("assessment", "cannot assess: the %s has already submitted an assessment", role)
		}
		if _, recorded := c.Interview.record(role); c.NeedsInterview() && !recorded {
			return blocked(domain.Conflict, BlockedByInterviewUnrecorded, "cannot assess: at %s the assessment includes the interview; record it first", c.Level)
		}
		return nil

	case ActionScheduleInterview, ActionRecordInterview:
		role := c.assessorRoleOf(actor.ID)
		isAssessor := actor.Role == domain.RoleAssessor && role != ""
		switch {
		case action == ActionRecordInterview && !isAssessor:
			return forbidden(action, "only the case's assessor or verifier may")
		case !isAssessor && office(action, actor) != nil:
			return forbidden(action, "only the case's assessor or verifier, or the EMCC office, may")
		}
		if err := c.inState(action); err != nil {
			return err
		}
		if !c.NeedsInterview() {
			return blocked(domain.Conflict, BlockedByNoInterview, "cannot %s: applicants at %s are not interviewed", verb(action), c.Level)
		}
		if action == ActionScheduleInterview {
			// Each role's record is its holder's own account of an
			// interview they held. Once one is in, the interview stays
			// where it was, unless a role has no record and cannot have
			// one of it (its holder was put in place after it took place,
			// or no one holds it): then one is scheduled again for them.
			// The records in stay as they are.
			if c.Interview.Recorded() && !slices.ContainsFunc(AssessorRoles, c.missedInterview) {
				return alreadyRecorded("interview", "cannot schedule the interview: it has been held and recorded")
			}
			return nil
		}
		if c.Interview == nil || c.Interview.At.IsZero() {
			return blocked(domain.Conflict, BlockedByInterviewUnscheduled, "cannot record the interview: it is not scheduled")
		}
		if _, done := c.Interview.record(role); done {
			return alreadyRecorded("interview", "cannot record the interview: the %s has recorded it", role)
		}
		if c.missedInterview(role) {
			a, _ := c.Assignments.Get(role)
			return blocked(domain.Conflict, BlockedByInterviewUnscheduled,
				"cannot record the interview: it was held on %s, before you became the %s (%s); have an interview scheduled for you",
				c.Interview.At.UTC().Format(time.RFC3339), role, a.At.UTC().Format(time.RFC3339))
		}
		if now.Before(c.Interview.At) {
			return domain.Errorf(domain.Unprocessable, "cannot record the interview: it is on %s", c.Interview.At.UTC().Format(time.RFC3339))
		}
		return nil

	case ActionRequestInformation:
		isAssessor := actor.Role == domain.RoleAssessor && c.assessorRoleOf(actor.ID) != ""
		if !isAssessor {
			if err := office(action, actor); err != nil {
				return forbidden(action, "only the case's assessor or verifier, or the EMCC office, may")
			}
		}
		if err := c.inState(action); err != nil {
			return err
		}
		if isAssessor && c.State != StateInAssessment {
			return wrongState("state", c.State, "cannot request information: case is in state %q; an assessor may ask only while in %q", c.State, StateInAssessment)
		}
		// A submitted assessment is final (ActionAssess): the answer could
		// change nothing of it. The other role and the office may ask.
		if role := c.assessorRoleOf(actor.ID); isAssessor && c.Assessments.Done(role) {
			return alreadyRecorded("assessment", "cannot request information: the %s has submitted an assessment, which the answer cannot change", role)
		}
		return nil

	case ActionModerate, ActionDecide:
		if err := office(action, actor); err != nil {
			return err
		}
		if err := c.inState(action); err != nil {
			return err
		}
		if r := c.assessorRoleOf(actor.ID); r != "" {
			return forbidden(action, fmt.Sprintf("you are the %s of this case", r))
		}
		if action == ActionDecide && c.NeedsInterview() && !c.Interview.Recorded() {
			return blocked(domain.Conflict, BlockedByInterviewUnrecorded, "cannot decide: at %s the applicant is interviewed, and the interview is not recorded", c.Level)
		}
		return nil

	case ActionAppeal:
		if err := c.ownApplicant(action, actor); err != nil {
			return err
		}
		if err := c.inState(action); err != nil {
			return err
		}
		return c.appealable(now)

	case ActionDecideAppeal:
		if err := office(action, actor); err != nil {
			return err
		}
		if err := c.inState(action); err != nil {
			return err
		}
		if parts := c.partsOf(actor.ID); len(parts) > 0 {
			return forbidden(action, fmt.Sprintf("an appeal is reviewed by someone not involved before; you were %s", strings.Join(parts, ", ")))
		}
		return nil

	case ActionRenew, ActionAssignRenewal, ActionAssessRenewal:
		return c.guardRenewal(action, actor, now, rs)

	case ActionExpire, ActionRevoke, ActionWithdrawAccreditation:
		switch action {
		case ActionExpire:
			if actor.Role != domain.RoleSystem {
				return forbidden(action, "only the system expires an accreditation")
			}
		case ActionRevoke:
			if err := office(action, actor); err != nil {
				return err
			}
		case ActionWithdrawAccreditation:
			if office(action, actor) != nil && c.ownApplicant(action, actor) != nil {
				return forbidden(action, "only the EMCC office or the holder may")
			}
		}
		if err := c.inState(action); err != nil {
			return err
		}
		a := c.Accreditation
		if a == nil {
			return wrongState("state", c.State, "cannot %s: case in state %q holds no accreditation", verb(action), c.State)
		}
		if a.Status != StatusActive {
			return wrongState("accreditation_status", a.Status, "cannot %s: accreditation %s is %q; only an active one can be changed", verb(action), a.ID, a.Status)
		}
		if action == ActionExpire && now.Before(a.ValidUntil) {
			return domain.Errorf(domain.Unprocessable, "cannot expire: accreditation %s is valid until %s", a.ID, a.ValidUntil.UTC().Format(time.RFC3339))
		}
		return nil
	}
	return domain.Errorf(domain.Internal, "unknown action %q", action)
}

// appealable checks that the standing decision can be appealed at now.
func (c *Case) appealable(now time.Time) error {
	d := c.Decision
	if d == nil {
		return blocked(domain.Conflict, BlockedByNoDecision, "cannot appeal: no decision stands")
	}
	appealed := 0
	for _, a := range c.Appeals {
		if a.DecisionNumber == d.Number {
			appealed++
		}
	}
	if n := d.Appeal.Allowed; n > 0 && appealed >= n {
		return blocked(domain.Conflict, BlockedByAppealsUsed, "cannot appeal: decision %d has already been appealed (%d of the %d appeal(s) its rules allow)", d.Number, appealed, n)
	}
	if err := c.awardEnded("appeal"); err != nil {
		return err
	}
	if !OutcomeAppealable(d.Outcome, d.Level, c.Level) {
		return blocked(domain.Unprocessable, BlockedByAwardedAsApplied, "cannot appeal: awarded at the level applied for (%s)", c.Level)
	}
	if end := c.AppealDeadline(); !end.IsZero() && now.After(end) {
		e := blocked(domain.Unprocessable, BlockedByAppealPeriod, "cannot appeal: the appeal period ended on %s, %d days after the decision",
			end.UTC().Format(time.RFC3339), d.Appeal.WithinDays)
		e.Extra["appeal_deadline"] = end.UTC()
		return e
	}
	return nil
}

// awardEnded refuses to verb the standing decision when it awarded an
// accreditation the office has since revoked or that was withdrawn: an
// appeal against its level, upheld, would send the case to a new decision
// and a new award, undoing the revocation (or the withdrawal) unasked.
// Expired is no bar: the award ran its course, and the terms of the
// decision say how long it may be appealed.
func (c *Case) awardEnded(verb string) error {
	a := c.Accreditation
	if c.Decision == nil || c.Decision.Outcome != OutcomeAwarded || a == nil || (a.Status != StatusRevoked && a.Status != StatusWithdrawn) {
		return nil
	}
	return wrongState("accreditation_status", a.Status, "cannot %s: accreditation %s was %s on %s; an appeal against the decision that awarded it cannot give it back",
		verb, a.ID, a.Status, a.ChangedAt.UTC().Format(time.DateOnly))
}

// OutcomeAppealable reports whether a decision of outcome, awarding level
// on an application for applied, may be appealed at all (its period and
// the number of appeals aside): a refusal, or an award below the level
// applied for. The case's appeal and the decision's mail ask it.
func OutcomeAppealable(outcome Outcome, level, applied framework.Level) bool {
	return outcome != OutcomeAwarded || level != applied
}

// AppealDeadline is the end of the appeal period of the standing decision;
// zero when there is no decision or its terms set no deadline.
func (c *Case) AppealDeadline() time.Time {
	if c.Decision == nil {
		return time.Time{}
	}
	return c.Decision.Appeal.Deadline(c.Decision.At)
}
