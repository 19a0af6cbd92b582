package cases

import (
	"context"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// UnassignRequest is the office's taking the holder of Role off a case.
type UnassignRequest struct {
	Role   accreditation.AssessorRole
	Reason string
}

// Unassign takes the holder of a role off the case, with the office's
// reason (sealed for the applicant, as a return's reason is).
func (s *Service) Unassign(ctx context.Context, m aggregate.Meta, id string, in UnassignRequest) (aggregate.Result, error) {
	return s.withText(ctx, m, id, "reason", in.Reason, limits.Reason, func(c *accreditation.Case, now time.Time, r pii.Sealed) ([]aggregate.Change, error) {
		return c.Unassign(m.Actor, now, accreditation.UnassignInput{Role: in.Role, Reason: r})
	})
}

// ReassignRequest is the office's giving Role to the user AssessorID in
// place of its holder.
type ReassignRequest struct {
	Role       accreditation.AssessorRole
	AssessorID string
	Reason     string
}

// Reassign gives a role to another qualified assessor in one commit, with
// the office's reason. An empty AssessorID is left to the command, so that
// one answer names it with any other wrong field.
func (s *Service) Reassign(ctx context.Context, m aggregate.Meta, id string, in ReassignRequest) (aggregate.Result, error) {
	if err := s.mustSee(m.Actor, id); err != nil {
		return aggregate.Result{}, err
	}
	if res, ok, err := s.repo.Applied(ctx, m); ok { // a retry, answered as in Assign
		return res, err
	}
	var p accreditation.AssessorProfile
	if in.AssessorID != "" {
		var err error
		if p, err = s.profile(in.AssessorID); err != nil {
			return aggregate.Result{}, err
		}
	}
	return s.withText(ctx, m, id, "reason", in.Reason, limits.Reason, func(c *accreditation.Case, now time.Time, r pii.Sealed) ([]aggregate.Change, error) {
		return c.Reassign(m.Actor, now, accreditation.ReassignInput{Role: in.Role, Profile: p, Reason: r})
	})
}
