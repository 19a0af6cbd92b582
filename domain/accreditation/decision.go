package accreditation

import (
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
)

// Moderate is the office's resolution of two disagreeing assessments, by
// someone who is neither the assessor nor the verifier; the case then awaits
// the decision. Errors: NotFound, Forbidden, Conflict, Invalid.
func (c *Case) Moderate(actor domain.Actor, now time.Time, in ModerationInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionModerate, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	level := c.recommendation(&f, in.Recommendation, in.Level)
	f.required("rationale", in.Rationale)
	if err := f.err(ActionModerate); err != nil {
		return nil, err
	}
	return one(CaseModerated{Recommendation: in.Recommendation, Level: level, Rationale: in.Rationale}), nil
}

// Decide is the office's decision, never by the case's assessor or
// verifier: awarded at a level no higher than the one applied for, or not
// awarded, with a rationale. An award also records accreditation_awarded
// with in.AccreditationID, valid for ValidityYears from now. Errors:
// NotFound, Forbidden, Conflict, Invalid.
func (c *Case) Decide(actor domain.Actor, now time.Time, in DecisionInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionDecide, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	level := in.Level
	switch in.Outcome {
	case OutcomeAwarded:
		switch {
		case !level.Valid():
			f.add("level", "required for an award: one of %v", framework.Levels)
		case !c.Level.AtLeast(level):
			f.add("level", "%s is above the level applied for, %s", level, c.Level)
		}
		if !validID(in.AccreditationID) {
			f.add("accreditation_id", "required for an award")
		}
	case OutcomeNotAwarded:
		if level != "" {
			f.add("level", "must be empty when not awarded")
		}
	default:
		f.add("outcome", "must be awarded or not_awarded")
	}
	f.required("rationale", in.Rationale)
	if err := f.err(ActionDecide); err != nil {
		return nil, err
	}
	changes := one(DecisionMade{Number: len(c.PastDecisions) + 1, Outcome: in.Outcome, Level: level, Rationale: in.Rationale})
	if in.Outcome == OutcomeAwarded {
		at := now.UTC()
		changes = append(changes, emit(AccreditationAwarded{
			AccreditationID: in.AccreditationID, Level: level, AwardedAt: at, ValidUntil: at.AddDate(ValidityYears, 0, 0),
		}))
	}
	return changes, nil
}

// Appeal is the applicant's appeal against the standing decision: within
// AppealWindow of it, once per decision, and only against a refusal or an
// award below the level applied for. Errors: NotFound, Forbidden, Conflict
// (state, or already appealed), Unprocessable (too late, nothing to appeal),
// Invalid.
func (c *Case) Appeal(actor domain.Actor, now time.Time, in AppealInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionAppeal, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	f.required("grounds", in.Grounds)
	if err := f.err(ActionAppeal); err != nil {
		return nil, err
	}
	return one(AppealFiled{DecisionNumber: c.Decision.Number, Grounds: in.Grounds}), nil
}

// DecideAppeal is the office's decision on an appeal, by someone not involved
// in the case before (see Involved). Upheld: the decision is overturned, an
// accreditation it awarded is withdrawn, and the case goes back to
// assessment (assessments and moderation cleared, the same assessor and
// verifier; the default) or to decision. Dismissed: the decision stands. Errors:
// NotFound, Forbidden, Conflict, Invalid.
func (c *Case) DecideAppeal(actor domain.Actor, now time.Time, in AppealDecisionInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionDecideAppeal, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	returnTo := in.ReturnTo
	switch in.Outcome {
	case AppealUpheld:
		if returnTo == "" {
			returnTo = ReturnToAssessment // unless told otherwise, the case is assessed again
		}
		if returnTo != ReturnToAssessment && returnTo != ReturnToDecision {
			f.add("return_to", "must be assessment or decision when upheld")
		}
	case AppealDismissed:
		returnTo = ""
	default:
		f.add("outcome", "must be upheld or dismissed")
	}
	f.required("rationale", in.Rationale)
	if err := f.err(ActionDecideAppeal); err != nil {
		return nil, err
	}
	number := 0
	if c.Decision != nil {
		number = c.Decision.Number
	}
	changes := one(AppealDecided{DecisionNumber: number, Outcome: in.Outcome, Rationale: in.Rationale, ReturnTo: returnTo})
	if a := c.Accreditation; in.Outcome == AppealUpheld && a != nil && a.Status == StatusActive {
		changes = append(changes, emit(AccreditationWithdrawn{
			AccreditationID: a.ID, Cause: WithdrawnAppealUpheld, Reason: in.Rationale,
		}))
	}
	return changes, nil
}
