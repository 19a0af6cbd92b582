package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// The office's part after the assessments: moderation, the panel's
// decision and the appeal.

// ModerationRequest is the moderator's resolution as the API takes it.
type ModerationRequest struct {
	Recommendation accreditation.Recommendation
	Level          framework.Level // recommended; as in AssessmentRequest
	Rationale      string
}

// Moderate resolves two disagreeing assessments.
func (s *Service) Moderate(ctx context.Context, m aggregate.Meta, id string, in ModerationRequest) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "rationale", in.Rationale, limits.Long, func(c *accreditation.Case, now time.Time, r pii.Sealed) ([]aggregate.Change, error) {
		return c.Moderate(m.Actor, now, accreditation.ModerationInput{Recommendation: in.Recommendation, Level: in.Level, Rationale: r})
	})
}

// DecisionRequest is the awarding panel's decision as the API takes it;
// Level is the level awarded, empty when not awarded. Panel names the
// members (active EMCC office users) and their votes; none names the caller
// alone, voting for.
type DecisionRequest struct {
	Outcome   accreditation.Outcome
	Level     framework.Level
	Rationale string
	Panel     []accreditation.PanelVote
}

// Decide records the awarding panel's decision.
func (s *Service) Decide(ctx context.Context, m aggregate.Meta, id string, in DecisionRequest) (aggregate.Result, error) {
	if err := limits.Check("invalid decision", limits.Panel.List("panel", len(in.Panel))); err != nil {
		return aggregate.Result{}, err
	}
	// A retry of a decision recorded already is answered as the first: the
	// panel's members are checked for a new one, and a member disabled
	// since would refuse the retry though the decision is in.
	if res, ok, err := s.repo.Applied(ctx, m); ok {
		return res, err
	}
	var fields []domain.FieldError
	for i, v := range in.Panel {
		if v.UserID == "" {
			continue
		}
		_, role, ok, err := s.accounts.Profile(ctx, v.UserID)
		if err != nil {
			return aggregate.Result{}, err
		}
		if !ok || role != domain.RoleOffice {
			fields = append(fields, domain.FieldError{Field: fmt.Sprintf("panel[%d].user_id", i), Reason: "not an active EMCC office user"})
		}
	}
	if len(fields) > 0 {
		return aggregate.Result{}, domain.InvalidFields("invalid decision", fields...)
	}
	accID := ulid.Make().String()
	return s.withText(ctx, m, id, "rationale", in.Rationale, limits.Long, func(c *accreditation.Case, now time.Time, r pii.Sealed) ([]aggregate.Change, error) {
		terms, err := c.AppealTerms(s.RuleSets(), now)
		if err != nil {
			return nil, err
		}
		quorum, err := c.PanelQuorum(s.RuleSets(), now)
		if err != nil {
			return nil, err
		}
		return c.Decide(m.Actor, now, accreditation.DecisionInput{Outcome: in.Outcome, Level: in.Level, Rationale: r, AccreditationID: accID, Panel: in.Panel,
			Appeal: terms, Quorum: quorum})
	})
}

// Appeal files the applicant's appeal.
func (s *Service) Appeal(ctx context.Context, m aggregate.Meta, id, grounds string) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "grounds", grounds, limits.Long, func(c *accreditation.Case, now time.Time, g pii.Sealed) ([]aggregate.Change, error) {
		return c.Appeal(m.Actor, now, accreditation.AppealInput{Grounds: g})
	})
}

// AppealDecisionRequest is the office's decision on an appeal as the API
// takes it; ReturnTo is where an upheld appeal sends the case.
type AppealDecisionRequest struct {
	Outcome   accreditation.AppealOutcome
	Rationale string
	ReturnTo  string
}

// DecideAppeal records the office's decision on the appeal.
func (s *Service) DecideAppeal(ctx context.Context, m aggregate.Meta, id string, in AppealDecisionRequest) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "rationale", in.Rationale, limits.Long, func(c *accreditation.Case, now time.Time, r pii.Sealed) ([]aggregate.Change, error) {
		return c.DecideAppeal(m.Actor, now, accreditation.AppealDecisionInput{Outcome: in.Outcome, Rationale: r, ReturnTo: in.ReturnTo})
	})
}
