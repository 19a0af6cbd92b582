package accounts

import (
	"context"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
)

// ResetPassword sets a user's new password without the current one: the
// caller has checked a one-time reset link (see domain/recovery). Every
// session of the user ends, as whoever knew the old password is shut out.
// Errors: Invalid (the new password), NotFound (no such user, erased or
// disabled).
func (s *Service) ResetPassword(ctx context.Context, meta aggregate.Meta, userID, next string) (aggregate.Result, error) {
	if res, ok, err := s.ResetRecorded(ctx, meta); ok {
		return res, err
	}
	if why := CheckNewPassword(next); why != "" {
		return aggregate.Result{}, domain.InvalidFields("invalid password", domain.FieldError{Field: "password", Reason: why})
	}
	u, ok, err := s.find(ctx, userID)
	if err != nil {
		return aggregate.Result{}, err
	}
	if !ok || u.Erased || u.Disabled {
		return aggregate.Result{}, domain.Errorf(domain.NotFound, "no user %s", userID)
	}
	return s.setPassword(ctx, meta, userID, next, "", resetEnded)
}

// ResetRecorded answers a retry of a password reset recorded already
// (meta's command id, the same request: the same link and password): ok,
// its result, and the user's sessions ended again. The link it used would
// refuse the retry, so the caller asks this before it redeems the link.
func (s *Service) ResetRecorded(ctx context.Context, meta aggregate.Meta) (aggregate.Result, bool, error) {
	return s.passwordRecorded(ctx, meta, "", resetEnded)
}

// EmailChangeRecorded answers a retry of an email confirmation recorded
// already (meta's command id, the same request): ok and its result. The
// link it used would refuse the retry, so the caller asks this before it
// redeems the link.
func (s *Service) EmailChangeRecorded(ctx context.Context, meta aggregate.Meta) (aggregate.Result, bool, error) {
	return s.users.Applied(ctx, meta)
}

const resetEnded = "the password is set, but other sessions could not be ended"
