package cases

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// RenewalRequest is the holder's renewal. EIA: the practice log, supervision
// and CPD of each year of the period, oldest first, and the reflection.
// EQA: a statement on each aim, by aim. Both: the keys of the declarations
// confirmed.
type RenewalRequest struct {
	Years        []accreditation.RenewalYear
	Reflection   string
	Aims         map[accreditation.RenewalAim]string
	Declarations []string
}

// Renew submits (or resubmits) the renewal of an accreditation.
func (s *Service) Renew(ctx context.Context, m aggregate.Meta, accID string, in RenewalRequest) (string, aggregate.Result, error) {
	id, err := s.CaseOfAccreditation(m.Actor, accID)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	checks := []*domain.FieldError{limits.Long.Prose("reflection", in.Reflection)}
	for aim, text := range in.Aims {
		if !aim.Valid() {
			checks = append(checks, &domain.FieldError{Field: "aims." + string(aim), Reason: "not an aim; one of " + domain.List(accreditation.RenewalAims)})
		}
		checks = append(checks, limits.Long.Prose("aims."+string(aim), text))
	}
	if err := limits.Check("invalid renewal", checks...); err != nil {
		return id, aggregate.Result{}, err
	}
	subject, err := s.applicantOf(ctx, id)
	if err != nil {
		return id, aggregate.Result{}, err
	}
	ri := accreditation.RenewalInput{Years: in.Years, Declarations: in.Declarations}
	if ri.Reflection, err = s.seal(ctx, subject, in.Reflection); err != nil {
		return id, aggregate.Result{}, err
	}
	for aim, text := range in.Aims {
		sealed, err := s.seal(ctx, subject, text)
		if err != nil {
			return id, aggregate.Result{}, err
		}
		ri.Aims = append(ri.Aims, accreditation.AimStatement{Aim: aim, Statement: sealed})
	}
	sortAims(ri.Aims)
	res, err := s.runOnAccreditation(ctx, m, id, accID, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.Renew(m.Actor, now, s.RuleSets(), ri)
	})
	return id, res, err
}

// sortAims puts the statements in the published order of the aims, unknown
// ones last, so that the same request records the same event.
func sortAims(aims []accreditation.AimStatement) {
	rank := func(a accreditation.RenewalAim) int {
		for i, x := range accreditation.RenewalAims {
			if x == a {
				return i
			}
		}
		return len(accreditation.RenewalAims)
	}
	slices.SortStableFunc(aims, func(a, b accreditation.AimStatement) int {
		if r := rank(a.Aim) - rank(b.Aim); r != 0 {
			return r
		}
		return strings.Compare(string(a.Aim), string(b.Aim))
	})
}

// AssignRenewal has the office give an accreditation's submitted renewal to
// one assessor.
func (s *Service) AssignRenewal(ctx context.Context, m aggregate.Meta, accID, assessorID string) (string, aggregate.Result, error) {
	id, err := s.CaseOfAccreditation(m.Actor, accID)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	if res, ok, err := s.repo.Applied(ctx, m); ok { // a retry, answered as in Assign
		return id, res, err
	}
	p, err := s.profile(assessorID)
	if err != nil {
		return id, aggregate.Result{}, err
	}
	res, err := s.runOnAccreditation(ctx, m, id, accID, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.AssignRenewal(m.Actor, now, accreditation.RenewalAssignInput{Profile: p})
	})
	return id, res, err
}

// RenewalAssessmentRequest is the assessor's outcome of a renewal and its
// rationale.
type RenewalAssessmentRequest struct {
	Outcome   accreditation.RenewalOutcome
	Rationale string
}

// AssessRenewal is the renewal's assessor renewing, refusing or returning it.
func (s *Service) AssessRenewal(ctx context.Context, m aggregate.Meta, accID string, in RenewalAssessmentRequest) (string, aggregate.Result, error) {
	id, err := s.CaseOfAccreditation(m.Actor, accID)
	if err != nil {
		return "", aggregate.Result{}, err
	}
	if err := checkProse("rationale", in.Rationale, limits.Long); err != nil {
		return id, aggregate.Result{}, err
	}
	r, err := s.sealOn(ctx, id, in.Rationale)
	if err != nil {
		return id, aggregate.Result{}, err
	}
	res, err := s.runOnAccreditation(ctx, m, id, accID, func(c *accreditation.Case, now time.Time) ([]aggregate.Change, error) {
		return c.AssessRenewal(m.Actor, now, accreditation.RenewalAssessmentInput{Outcome: in.Outcome, Rationale: r})
	})
	return id, res, err
}

// RenewalView is an accreditation's current renewal as its holder, the
// office and its assessor see it; anyone else who sees the case sees its
// state and dates only (Case.SeesRenewal).
type RenewalView struct {
	State          accreditation.RenewalState  `json:"state"`
	PeriodUntil    time.Time                   `json:"period_until"`
	RuleSetVersion string                      `json:"rule_set_version"`
	Years          []accreditation.RenewalYear `json:"years,omitempty"`
	Reflection     string                      `json:"reflection,omitempty"`
	// ReflectionWords counts the reflection's words: the publication asks
	// for about 500, which the assessor judges; it blocks nothing.
	ReflectionWords int                                  `json:"reflection_words,omitempty"`
	Aims            []AimView                            `json:"aims,omitempty"`
	Checks          []accreditation.RuleResult           `json:"checks,omitempty"`
	Declarations    []accreditation.DeclarationConfirmed `json:"declarations,omitempty"`
	SubmittedAt     time.Time                            `json:"submitted_at"`
	Assessor        string                               `json:"assessor,omitempty"`
	AssignedAt      time.Time                            `json:"assigned_at,omitzero"`
	Reason          string                               `json:"reason,omitempty"`
	DecidedAt       time.Time                            `json:"decided_at,omitzero"`
}

// AimView is the provider's statement on one EQA renewal aim.
type AimView struct {
	Aim       accreditation.RenewalAim `json:"aim"`
	Statement string                   `json:"statement"`
}

func renewalView(r *accreditation.PendingRenewal, open func(pii.Sealed) string, whole bool) *RenewalView {
	if r == nil {
		return nil
	}
	if !whole {
		return &RenewalView{State: r.State, PeriodUntil: r.PeriodUntil, RuleSetVersion: r.RuleSetVersion,
			SubmittedAt: r.SubmittedAt, AssignedAt: r.AssignedAt, DecidedAt: r.DecidedAt}
	}
	v := &RenewalView{State: r.State, PeriodUntil: r.PeriodUntil, RuleSetVersion: r.RuleSetVersion, Years: slices.Clone(r.Years),
		Reflection: open(r.Reflection), Checks: slices.Clone(r.Checks), Declarations: slices.Clone(r.Declarations),
		SubmittedAt: r.SubmittedAt, Assessor: r.Assessor, AssignedAt: r.AssignedAt, Reason: open(r.Reason), DecidedAt: r.DecidedAt}
	v.ReflectionWords = len(strings.Fields(v.Reflection))
	for _, a := range r.Aims {
		v.Aims = append(v.Aims, AimView{Aim: a.Aim, Statement: open(a.Statement)})
	}
	return v
}
