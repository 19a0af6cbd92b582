package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
)

// EnsureAdmin creates the first office user. With email and password set it
// creates that user unless it exists; with neither and no office user at all
// it creates admin@localhost with a random password, which it returns.
//
// Every process of a cluster may run it at the same moment: the command id
// is derived from the email, so JetStream stores one registration however
// many processes send it, and a process that finds the user made by another
// (a duplicate, or "already exists") reports it as not created by itself.
// While the store or this process's feed is slow (Unavailable) it retries
// until ctx ends.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) (created bool, generated string, err error) {
	if email != "" || password != "" {
		if email == "" || password == "" {
			return false, "", errors.New("set both ACCREDIT_ADMIN_EMAIL and ACCREDIT_ADMIN_PASSWORD, or neither")
		}
		if found, err := s.whileUnavailable(ctx, func() (bool, error) { _, ok, err := s.userByEmail(ctx, email); return ok, err }); err != nil || found {
			return false, "", err
		}
	} else {
		if found, err := s.whileUnavailable(ctx, func() (bool, error) { return s.HasOffice(ctx) }); err != nil || found {
			return false, "", err
		}
		email = "admin@localhost"
		if found, err := s.whileUnavailable(ctx, func() (bool, error) { _, ok, err := s.userByEmail(ctx, email); return ok, err }); err != nil || found {
			return false, "", err
		}
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		password = base64.RawURLEncoding.EncodeToString(b)
		generated = password
	}
	sum := sha256.Sum256([]byte(NormaliseEmail(email)))
	meta := aggregate.Meta{Command: "bootstrap_office_user", Actor: domain.System, CommandID: "bootstrap-office-" + hex.EncodeToString(sum[:16])}
	in := NewUser{Email: email, Password: password, Name: "Administrator", Role: domain.RoleOffice}
	pause := 100 * time.Millisecond
	mine := false // stored by us, and only not yet applied when we asked
	for {
		_, res, err := s.Create(ctx, meta, in)
		if errors.Is(err, aggregate.ErrNotCaughtUp) && !res.Duplicate {
			mine = true
		}
		switch {
		case err == nil:
			if res.Duplicate && !mine { // another process (or an earlier start) made it
				return false, "", nil
			}
			return true, generated, nil
		case domain.Is(err, domain.Conflict) && s.isOffice(ctx, email):
			return false, "", nil // made by another process just before our decision
		case domain.Is(err, domain.Conflict) && !s.registered(ctx, email):
			// The email is reserved and its user not registered yet: by
			// an earlier try of ours stored but not yet applied here (a
			// cluster forming), or another process's in flight. Ask again.
			s.log.Warn("the first office user's email is reserved and its user not registered yet; asking again", "err", err)
		case !domain.Is(err, domain.Unavailable):
			return false, "", err
		}
		select {
		case <-ctx.Done():
			return false, "", err
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
}

// isOffice reports whether email is an active office user's.
func (s *Service) isOffice(ctx context.Context, email string) bool {
	u, ok := s.holder(ctx, email)
	return ok && !u.Disabled && u.Role == domain.RoleOffice
}

// registered reports whether email is a registered user's.
func (s *Service) registered(ctx context.Context, email string) bool {
	_, ok := s.holder(ctx, email)
	return ok
}

// holder is the registered user whose email it is; false when there is
// none or the store cannot say (the callers ask again).
func (s *Service) holder(ctx context.Context, email string) (*User, bool) {
	id, ok, err := s.userByEmail(ctx, email)
	if err != nil || !ok {
		return nil, false
	}
	u, ok, err := s.find(ctx, id)
	return u, err == nil && ok
}

// whileUnavailable asks check again, backing off, while the store cannot
// answer it, until ctx ends: a start must not take a failed read for "no
// office user yet".
func (s *Service) whileUnavailable(ctx context.Context, check func() (bool, error)) (bool, error) {
	pause := 100 * time.Millisecond
	for {
		found, err := check()
		if !domain.Is(err, domain.Unavailable) {
			return found, err
		}
		s.log.Warn("the store could not say whether the first office user exists; asking again", "err", err)
		select {
		case <-ctx.Done():
			return false, err
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
}
