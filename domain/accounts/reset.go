package accounts

import (
	"context"
	"errors"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
)

// ResetPassword sets a user's new password without the current one: the
// caller has checked a one-time reset link (see domain/recovery). Every
// session of the user ends, as whoever knew the old password is shut out.
// changes is the user's CredentialChanges when the link was issued: the
// reset is refused when they changed since (see unchangedSince). Errors:
// Invalid (the new password), NotFound (no such user, erased or disabled),
// Conflict (ErrCredentialsChanged).
func (s *Service) ResetPassword(ctx context.Context, meta aggregate.Meta, userID, next string, changes int) (aggregate.Result, error) {
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
	return s.setPassword(ctx, meta, userID, next, "", resetEnded, unchangedSince(changes))
}

// ChangeEmailIf is ChangeEmail for a confirmation link issued when the
// user's CredentialChanges was changes: refused when they changed since
// (see unchangedSince). Errors: those of ChangeEmail, and Conflict
// (ErrCredentialsChanged).
func (s *Service) ChangeEmailIf(ctx context.Context, meta aggregate.Meta, userID, email string, changes int) (aggregate.Result, error) {
	return s.changeEmail(ctx, meta, userID, email, unchangedSince(changes))
}

// ErrCredentialsChanged is wrapped in the Conflict error of a command made
// by a recovery link whose user changed their password, had their sessions
// ended or their address moved, or was disabled, since it was issued.
var ErrCredentialsChanged = errors.New("the credentials changed since the link was issued")

// unchangedSince refuses a user whose CredentialChanges is no longer
// changes. It is checked as the command decides, on the state it appends
// to, not before: a retry of a command recorded already (its link used by
// that very command id) may read the user from the store before this
// process has applied the command, and then sees the change the command
// made itself; refused there, the repository answers it as recorded
// (aggregate.Repository.Update), while a change made by anyone else
// refuses it, and the store's command id keeps it from applying twice.
func unchangedSince(changes int) func(*User) error {
	return func(u *User) error {
		if u.CredentialChanges != changes {
			return domain.Wrap(domain.Conflict, ErrCredentialsChanged, "the credentials of user %s changed since the link was issued", u.ID)
		}
		return nil
	}
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
