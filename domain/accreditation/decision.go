package accreditation

import (
	"errors"
	"fmt"
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

// ErrVotesDoNotCarry is the cause of the refusal of a decision whose
// panel's votes for it are not more than those against: Extra votes_for and
// votes_against count them, for a reader to say it in its own words.
var ErrVotesDoNotCarry = errors.New("the panel's votes do not carry the outcome")

// panel checks the awarding panel of a decision: at least quorum members
// (the case's rule set's, RuleSet.PanelQuorum), each once, none of them the case's assessor, verifier or
// applicant, each with a valid vote, and more votes for the outcome than
// against it (a panel decides by the majority of its votes). An empty panel
// is the recording office user alone, voting for. Errors: Invalid (in f),
// Unprocessable.
func (c *Case) panel(f *fields, actor domain.Actor, in []PanelVote, quorum int) ([]PanelVote, error) {
	if len(in) == 0 {
		in = []PanelVote{{UserID: actor.ID, Vote: VoteFor}}
	}
	seen := map[string]bool{}
	votes := map[Vote]int{}
	for i, m := range in {
		field := fmt.Sprintf("panel[%d]", i)
		switch {
		case m.UserID == "":
			f.add(field+".user_id", "required")
		case seen[m.UserID]:
			f.add(field+".user_id", "%s is on the panel twice", m.UserID)
		case c.assessorRoleOf(m.UserID) != "":
			f.add(field+".user_id", "%s is the %s of this case: the panel is advised by the assessors, not made of them", m.UserID, c.assessorRoleOf(m.UserID))
		case m.UserID == c.ApplicantID:
			f.add(field+".user_id", "the applicant cannot sit on their own panel")
		}
		seen[m.UserID] = true
		if !m.Vote.Valid() {
			f.add(field+".vote", "must be for, against or abstain")
		}
		votes[m.Vote]++
	}
	if quorum = max(quorum, 1); len(in) < quorum {
		if len(in) == 1 {
			f.add("panel", "the panel has 1 member; the quorum is %d", quorum)
		} else {
			f.add("panel", "the panel has %d members; the quorum is %d", len(in), quorum)
		}
	}
	if len(*f) == 0 && votes[VoteFor] <= votes[VoteAgainst] {
		e := domain.Wrap(domain.Unprocessable, ErrVotesDoNotCarry, "cannot decide: the panel's votes do not carry the outcome (%d for, %d against)", votes[VoteFor], votes[VoteAgainst])
		e.Extra = map[string]any{"votes_for": votes[VoteFor], "votes_against": votes[VoteAgainst]}
		return nil, e
	}
	return in, nil
}

// Decide records the awarding panel's decision, never by the case's
// assessor or verifier: awarded at a level no higher than the one applied
// for, or not awarded, with a rationale and the panel's votes (see panel).
// An award also records accreditation_awarded with in.AccreditationID,
// valid for ValidityYears from now (one made on 29 February until 28
// February, as addMonths counts). Errors: NotFound, Forbidden, Conflict,
// Invalid, Unprocessable (the votes do not carry the outcome).
func (c *Case) Decide(actor domain.Actor, now time.Time, in DecisionInput) ([]aggregate.Change, error) {
	if err := c.guard(ActionDecide, actor, now, nil); err != nil {
		return nil, err
	}
	var f fields
	level := in.Level
	switch in.Outcome {
	case OutcomeAwarded:
		switch {
		case level == "":
			f.add("level", "required for an award: one of %s", domain.List(framework.Levels))
		case !level.Valid():
			f.add("level", "%q is not a level: one of %s", level, domain.List(framework.Levels))
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
	panel, err := c.panel(&f, actor, in.Panel, in.Quorum)
	if err := f.err(ActionDecide); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if in.Appeal.WithinDays < 0 || in.Appeal.Allowed < 0 {
		return nil, domain.Errorf(domain.Internal, "negative appeal terms %+v", in.Appeal)
	}
	terms := in.Appeal
	changes := one(DecisionMade{Number: len(c.PastDecisions) + 1, Outcome: in.Outcome, Level: level, Rationale: in.Rationale, Panel: panel,
		Appeal: &terms})
	if in.Outcome == OutcomeAwarded {
		at := now.UTC()
		changes = append(changes, emit(AccreditationAwarded{
			AccreditationID: in.AccreditationID, Level: level, AwardedAt: at, ValidUntil: addMonths(at, 12*ValidityYears),
		}))
	}
	return changes, nil
}

// Appeal is the applicant's appeal against the standing decision: within
// the decision's appeal terms (a deadline and a number of appeals, when its
// rule set set them), one at a time, and only against a refusal or an award
// below the level applied for. Errors: NotFound, Forbidden, Conflict
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
	if in.Outcome == AppealUpheld {
		// Revoked (or withdrawn) while the appeal waited: the appeal can
		// only be dismissed.
		if err := c.awardEnded("uphold the appeal"); err != nil {
			return nil, err
		}
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
