package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// SeedUser is one made-up user of a seeded data set (accredit seed).
type SeedUser struct {
	ID    string // a ULID
	Email string
	Name  string
	Role  domain.Role
	At    time.Time // when they registered, or were created
	// By is the office user (or domain.System) who created the user; the
	// zero Actor for a self-registration.
	By domain.Actor
	// Profile is an assessor's, set by By just after the creation.
	Profile *Profile
}

// SeedCommit is one append of a seeded data set: what the account
// commands decided, on which stream, by whom and when. The caller stores
// it (one commit, its changes as events in order).
type SeedCommit struct {
	Stream  string
	Actor   domain.Actor
	At      time.Time
	Changes []aggregate.Change
}

// SeedPasswordHash hashes password once with the real KDF, for every
// seeded user: hashing it for each of 100,000 users would take hours.
func SeedPasswordHash(password string) (string, error) {
	if why := CheckNewPassword(password); why != "" {
		return "", fmt.Errorf("seed password: %s", why)
	}
	return HashPassword(password), nil
}

// Seeder decides the registrations of made-up users with the account
// aggregates themselves (the email's reservation, the user's own stream),
// so that every event is one the service could have recorded. It stores
// nothing: the caller appends the commits it returns, in order. The
// caller must not seed into a store where the emails are reserved. It may
// register users from many goroutines at once.
type Seeder struct {
	vault *pii.Vault
	hash  string

	mu     sync.Mutex
	emails map[string]string   // blinded normalised email -> user id
	ids    map[string]struct{} // the users registered
}

// NewSeeder returns a seeder giving every user passwordHash (from
// SeedPasswordHash), sealed with each user's own key from vault.
func NewSeeder(vault *pii.Vault, passwordHash string) *Seeder {
	return &Seeder{vault: vault, hash: passwordHash, emails: map[string]string{}, ids: map[string]struct{}{}}
}

// Register decides the registration of u, and for an assessor with a
// Profile the office setting it, as Create and SetProfile would.
func (s *Seeder) Register(ctx context.Context, u SeedUser) ([]SeedCommit, error) {
	if err := CheckEmail(u.Email); err != nil {
		return nil, fmt.Errorf("seed user %s: %w", u.Email, err)
	}
	key := s.vault.Blind(NormaliseEmail(u.Email))
	s.mu.Lock()
	other, taken := s.emails[key]
	if !taken {
		s.emails[key] = u.ID
		s.ids[u.ID] = struct{}{}
	}
	s.mu.Unlock()
	if taken {
		return nil, fmt.Errorf("seed user %s: the email is already %s's", u.Email, other)
	}
	var sealed [3]pii.Sealed
	for i, v := range []string{displayEmail(u.Email), strings.TrimSpace(u.Name), s.hash} {
		var err error
		if sealed[i], err = s.vault.Seal(ctx, u.ID, v); err != nil {
			return nil, err
		}
	}
	actor := u.By
	if actor.ID == "" {
		actor = domain.Actor{ID: u.ID, Role: u.Role}
	}
	reserved, err := newReservation(key).Reserve(u.ID, func(*Reservation) (bool, error) { return true, nil })
	if err != nil {
		return nil, fmt.Errorf("seed user %s: %w", u.Email, err)
	}
	user := newUserState(u.ID)
	registered, err := user.Register(UserRegistered{UserID: u.ID, Role: u.Role, Email: sealed[0], Name: sealed[1], PasswordHash: sealed[2],
		SelfService: u.By.ID == "", EmailKey: key})
	if err != nil {
		return nil, fmt.Errorf("seed user %s: %w", u.Email, err)
	}
	out := []SeedCommit{
		{Stream: EmailPrefix + "." + key, Actor: actor, At: u.At, Changes: reserved},
		{Stream: UserPrefix + "." + u.ID, Actor: actor, At: u.At, Changes: registered},
	}
	if u.Profile == nil {
		return out, nil
	}
	if err := apply(user, u.At, registered); err != nil {
		return nil, err
	}
	known := func(id string) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.ids[id]
		return ok
	}
	profile, err := user.SetProfile(*u.Profile, known)
	if err != nil {
		return nil, fmt.Errorf("seed profile of %s: %w", u.Email, err)
	}
	return append(out, SeedCommit{Stream: UserPrefix + "." + u.ID, Actor: u.By, At: u.At.Add(time.Minute), Changes: profile}), nil
}

// apply evolves a user's state by changes, as the stored events will.
func apply(u *User, at time.Time, changes []aggregate.Change) error {
	for _, c := range changes {
		data, err := json.Marshal(c.Data)
		if err != nil {
			return err
		}
		if err := u.Apply(eventstore.Event{Stream: UserPrefix + "." + u.ID, Type: c.Type, OccurredAt: at, Data: data}); err != nil {
			return err
		}
	}
	return nil
}
