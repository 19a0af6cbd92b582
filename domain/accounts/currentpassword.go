package accounts

import (
	"context"

	"github.com/emcc/accredit/domain"
)

// ConfirmPassword checks that current is the password of user userID, for
// a change that someone holding only a session must not make (the email
// address, through which the password can be reset). A wrong one counts
// against the login throttle as a failed login does. The check is made
// against the user as this process holds them. Errors: Invalid (none
// given), Unauthorized (naming current_password), TooManyRequests,
// Unavailable.
func (s *Service) ConfirmPassword(ctx context.Context, userID, current string) error {
	_, err := s.currentPassword(ctx, userID, current)
	return err
}

// currentPassword returns user userID when current is their password,
// slowed down and counted by the login throttle like a login.
// None given is a 400, not a wrong one: nothing was tried.
func (s *Service) currentPassword(ctx context.Context, userID, current string) (*User, error) {
	if current == "" {
		return nil, domain.InvalidFields("no current password", domain.FieldError{Field: "current_password", Reason: "required"})
	}
	wait, err := s.throttle.blocked(ctx, try{account: "id:" + userID})
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "login throttle unavailable")
	}
	// The refusals name current_password, as a wrong one does: a page with
	// other limits of its own (links an hour) tells them apart by it.
	if wait > 0 {
		return nil, &domain.Error{Code: domain.TooManyRequests, Message: "too many wrong passwords; try again later", RetryAfter: int(wait.Seconds()) + 1,
			Fields: []domain.FieldError{{Field: "current_password", Reason: "too many wrong passwords"}}}
	}
	if !s.throttle.enter(try{account: "id:" + userID}) {
		return nil, &domain.Error{Code: domain.TooManyRequests, Message: "another try of this password is being checked; try again in a moment", RetryAfter: 1,
			Fields: []domain.FieldError{{Field: "current_password", Reason: "being checked"}}}
	}
	defer s.throttle.leave(try{account: "id:" + userID})
	u, _, err := s.find(ctx, userID)
	if err != nil {
		return nil, err
	}
	hash := dummyHash
	if u != nil {
		if h, err := s.vault.Open(ctx, u.PasswordHash); err == nil {
			hash = h
		}
	}
	if !CheckPassword(hash, current) || u == nil {
		if err := s.throttle.fail(ctx, try{account: "id:" + userID}); err != nil {
			return nil, domain.Wrap(domain.Unavailable, err, "login throttle unavailable")
		}
		return nil, &domain.Error{Code: domain.Unauthorized, Message: "the current password is wrong",
			Fields: []domain.FieldError{{Field: "current_password", Reason: "does not match"}}}
	}
	return u, nil
}
