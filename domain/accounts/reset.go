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
	sealed, err := s.vault.Seal(ctx, userID, s.kdf.Hash(next))
	if err != nil {
		return aggregate.Result{}, domain.Wrap(domain.Unavailable, err, "key store unavailable")
	}
	res, err := s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		return u.ChangePassword(sealed)
	})
	if err != nil {
		return res, err
	}
	if _, err := s.endSessions(ctx, userID, ""); err != nil {
		return res, domain.Wrap(domain.Unavailable, err, "the password is set, but other sessions could not be ended")
	}
	return res, nil
}
