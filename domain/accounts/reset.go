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
	return s.setPassword(ctx, meta, userID, next, "", "the password is set, but other sessions could not be ended")
}
