package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/pii"
)

// ResetPassword sets a user's new password without the current one: the
// caller has checked a one-time reset link (see domain/recovery). Every
// session of the user ends, as whoever knew the old password is shut out.
// changes is the user's CredentialChanges when the link was issued: the
// reset is refused when they changed since (see unchangedSince). issuedBy
// is the office user who issued the link by hand ("" for a link mailed on
// request): the change records it (PasswordChanged.IssuedBy). Errors:
// Invalid (the new password), NotFound (no such user, erased or disabled),
// Conflict (ErrCredentialsChanged).
func (s *Service) ResetPassword(ctx context.Context, meta aggregate.Meta, userID, next string, changes int, issuedBy string) (aggregate.Result, error) {
	if res, ok, err := s.ResetRecorded(ctx, meta); ok {
		return res, err
	}
	if why := CheckNewPassword(next); why != "" {
		return aggregate.Result{}, domain.InvalidFields("invalid password", domain.FieldError{Field: "password", Reason: why})
	}
	if err := s.users.CatchUpWith(ctx, userID); err != nil { // see setPassword
		return aggregate.Result{}, err
	}
	u, ok, err := s.find(ctx, userID)
	if err != nil {
		return aggregate.Result{}, err
	}
	if !ok || u.Erased || u.Disabled {
		return aggregate.Result{}, domain.Errorf(domain.NotFound, "no user %s", userID)
	}
	return s.setPassword(ctx, meta, userID, next, "", resetEnded, issuedBy, unchangedSince(changes))
}

// RecordResetLink records that the office (meta's actor) issues a password
// reset link for userID by hand. It is recorded before the link is made,
// so that no link works that the history does not show; a retry of the
// command (meta's command id) records nothing new (Result.Duplicate).
// Errors: NotFound (no such user, erased or disabled), Unavailable.
func (s *Service) RecordResetLink(ctx context.Context, meta aggregate.Meta, userID string) (aggregate.Result, error) {
	return s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		return u.IssueResetLink()
	})
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

// setPassword records next as the user's password (hashed, sealed) and
// ends their sessions but keepToken's; ended says what happened when the
// sessions could not all be ended; issuedBy is the office user who issued
// the reset link it is set with ("" for none). check, when set, refuses
// the change as it is decided. Its callers have caught up with the user's
// stream as the store holds it (Repository.CatchUpWith), once.
//
// The hash is slow on purpose, so it is made only for a change that the
// decision will not refuse: what the decision refuses on without the hash
// (check, a user gone) is asked first, of the user as the store holds them
// now. A process behind another's write (a reset link used there) would
// otherwise decide on the user as they were, hash, and refuse only once
// its append found the stream moved on. Refused there, the change is still
// decided, without a hash: the decision answers a retry of a change
// recorded already as recorded (its own change is what check refuses, see
// unchangedSince), and refuses any other as before. The decision asks the
// same again, as it always did: that is the check that counts against a
// change made in between, and should it let the change through after all,
// the hash is made then.
func (s *Service) setPassword(ctx context.Context, meta aggregate.Meta, userID, next, keepToken, ended, issuedBy string, check func(*User) error) (aggregate.Result, error) {
	var sealed pii.Sealed
	hashed := false
	hash := func() error {
		h, err := s.vault.Seal(ctx, userID, s.hash(next))
		if err != nil {
			return domain.Wrap(domain.Unavailable, err, "key store unavailable")
		}
		sealed, hashed = h, true
		return nil
	}
	u, ok, err := s.find(ctx, userID)
	if err != nil {
		return aggregate.Result{}, err
	}
	if ok && passwordRefused(u, check) == nil {
		if err := hash(); err != nil {
			return aggregate.Result{}, err
		}
	}
	res, err := s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		if err := passwordRefused(u, check); err != nil {
			return nil, err
		}
		if !hashed {
			if err := hash(); err != nil {
				return nil, err
			}
		}
		return u.ChangePassword(sealed, issuedBy)
	})
	if err != nil {
		return res, err
	}
	if _, err := s.endSessions(ctx, userID, keepToken, time.Time{}); err != nil {
		return res, domain.Wrap(domain.Unavailable, err, "%s", ended)
	}
	return res, nil
}

// passwordRefused is what the decision of a password change refuses on
// before its hash counts: check's refusal (nil: none), then a user who is
// not there (User.ChangePassword's).
func passwordRefused(u *User, check func(*User) error) error {
	if check != nil {
		if err := check(u); err != nil {
			return err
		}
	}
	return u.live()
}
