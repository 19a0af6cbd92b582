package accounts

// The erasure of a person's data (GDPR article 17): recorded on a legal
// ground, then their key deleted, which makes everything sealed under it
// unreadable (crypto-shredding).

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// Erase records a user's erasure on a legal ground (ErasureGrounds) and
// deletes their key. The office's note, free text that may name the user,
// is sealed under that key, so it is erased with everything else of
// theirs; the ground stays as the record.
func (s *Service) Erase(ctx context.Context, meta aggregate.Meta, userID, ground, note string) (aggregate.Result, error) {
	note = strings.TrimSpace(note)
	if err := limits.Check("invalid reason", limits.Reason.Prose("reason", note)); err != nil {
		return aggregate.Result{}, err
	}
	if err := NotOwnAccount(meta.Actor, userID, "erase"); err != nil {
		return aggregate.Result{}, err
	}
	var sealed pii.Sealed
	if note != "" {
		var err error
		sealed, err = s.vault.Seal(ctx, userID, note)
		// Erased already: the note is not needed (the erasure is refused).
		if err != nil && !errors.Is(err, pii.ErrErased) {
			return aggregate.Result{}, domain.Wrap(domain.Unavailable, err, "seal the note")
		}
	}
	var emailKey string
	res, err := s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		emailKey = u.EmailKey
		return u.Erase(ground, sealed)
	})
	if err != nil {
		return res, err
	}
	// The email is free for someone else (it would be anyway: an erased
	// user holds nothing; see holds).
	s.release(ctx, meta, emailKey, userID)
	// The event is recorded first: were the key deletion to fail, the
	// erasure is retried by the next start (EraseOutstanding).
	if err := s.vault.Erase(ctx, userID); err != nil {
		return res, domain.Wrap(domain.Unavailable, err, "erasure recorded; key deletion will be retried")
	}
	// Their sessions are of no use now (the account is erased); left, they
	// would only lapse later. A failure here is no reason to fail the
	// erasure.
	if _, err := s.endSessions(ctx, userID, "", time.Time{}); err != nil {
		s.log.Warn("the erased user's sessions were not ended; they lapse by themselves", "user_id", userID, "err", err)
	}
	return res, nil
}

// CompleteErasure records that the erasure of userID was seen through
// (its key deleted, what it reaches beyond the user done), so that the
// jobs finishing interrupted erasures pass over them. Once only: a repeat
// records nothing. Errors: NotFound, Conflict (not erased).
func (s *Service) CompleteErasure(ctx context.Context, meta aggregate.Meta, userID string) (aggregate.Result, error) {
	// The key first (again: a deleted key stays deleted): once the record
	// says done, EraseOutstanding no longer tries.
	if err := s.vault.Erase(ctx, userID); err != nil {
		return aggregate.Result{}, domain.Wrap(domain.Unavailable, err, "key deletion failed; the erasure is finished later")
	}
	if meta.CommandID != "" {
		meta.CommandID += ".completed"
	}
	meta = meta.Unconditioned()
	meta.Command = "complete_erasure"
	return s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		if !u.registered() {
			return nil, domain.Errorf(domain.NotFound, "no user %s", userID)
		}
		return u.CompleteErasure()
	})
}

// EraseOutstanding deletes the keys of users recorded as erased whose key
// deletion did not complete. The erased are found in the index; those whose
// erasure was seen through (CompleteErasure) are passed over.
func (s *Service) EraseOutstanding(ctx context.Context) error {
	var erased []string
	s.mu.RLock()
	for id, u := range s.dir.users {
		if u.Erased && !u.ErasureDone {
			erased = append(erased, id)
		}
	}
	s.mu.RUnlock()
	for _, id := range erased {
		if err := s.vault.Erase(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
