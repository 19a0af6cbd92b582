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

// Login is a successful login.
type Login struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      UserView  `json:"user"`
	// Device is a new device token for the browser to keep (the web
	// application's device cookie); see DeviceTTL.
	Device string `json:"-"`
}

// Login checks a password and opens a session. Errors: Unauthorized for a
// wrong email or password (the same answer for both), TooManyRequests after
// repeated failures (see ClientFailures), Unavailable when the failures
// cannot be counted.
func (s *Service) Login(ctx context.Context, email, password, client string) (Login, error) {
	return s.LoginFromDevice(ctx, email, password, client, "")
}

// LoginFromDevice is Login from a browser that may hold a device token
// (Login.Device of an earlier login): a valid one for this account has
// its tries counted against the device rather than the account (see
// throttle's counters), so that failures sent from many addresses do not
// lock out the owner's browser. Any other token counts as none.
func (s *Service) LoginFromDevice(ctx context.Context, email, password, client, device string) (Login, error) {
	key := NormaliseEmail(email)
	trusted, u, err := s.trustedDevice(ctx, key, email, device)
	if err != nil {
		return Login{}, err
	}
	w := try{account: key, client: client, device: trusted}
	wait, err := s.throttle.blocked(ctx, w)
	if err != nil {
		return Login{}, domain.Wrap(domain.Unavailable, err, "login throttle unavailable")
	}
	if wait > 0 {
		return Login{}, &domain.Error{Code: domain.TooManyRequests, Message: "too many failed logins; try again later", RetryAfter: int(wait.Seconds()) + 1}
	}
	if !s.throttle.enter(w) {
		return Login{}, &domain.Error{Code: domain.TooManyRequests, Message: "other logins of this account or from this address are being checked; try again in a moment", RetryAfter: 1}
	}
	defer s.throttle.leave(w)
	fail := func() (Login, error) {
		// A failure that could not be counted is not answered: answered,
		// it would be a try the throttle never saw.
		if err := s.throttle.fail(ctx, w); err != nil {
			return Login{}, domain.Wrap(domain.Unavailable, err, "login throttle unavailable")
		}
		return Login{}, domain.Errorf(domain.Unauthorized, "wrong email or password")
	}
	if u == nil {
		if u, err = s.loginUser(ctx, email); err != nil {
			return Login{}, err
		}
	}
	hash := dummyHash
	if u != nil && !u.Disabled {
		if h, err := s.vault.Open(ctx, u.PasswordHash); err == nil {
			hash = h
		}
	}
	if !CheckPassword(hash, password) || u == nil || u.Disabled {
		return fail()
	}
	if err := s.throttle.succeed(ctx, w); err != nil {
		// The failures before stay counted until they expire; the login
		// itself is good.
		s.log.Warn("login: the account's failed logins could not be forgotten", "err", err)
	}
	token, sess, err := s.newSession(ctx, u.ID)
	if err != nil {
		return Login{}, err
	}
	// A change of password, an end of the sessions or a disabling recorded
	// while this login was checked ended the sessions it found, not this
	// one, stored after: it ends too, else whoever knew the old password
	// and logged in again and again would keep a session through the
	// change. (Recorded on another process, the change is seen here once
	// this process has applied it.)
	cur, ok, err := s.find(ctx, u.ID)
	if err == nil && (!ok || cur.CredentialChanges != u.CredentialChanges) {
		err = domain.Errorf(domain.Unauthorized, "the account's password or sessions changed during the login; log in again")
	}
	if err != nil {
		if lerr := s.Logout(ctx, token); lerr != nil {
			return Login{}, lerr
		}
		return Login{}, err
	}
	return Login{Token: token, ExpiresAt: sess.ExpiresAt, User: s.view(ctx, u), Device: s.issueDevice(key, u)}, nil
}

// loginUser returns the user whose email it is (nil when none).
func (s *Service) loginUser(ctx context.Context, email string) (*User, error) {
	id, ok, err := s.userByEmail(ctx, email)
	if err != nil || !ok {
		return nil, err
	}
	u, _, err := s.find(ctx, id)
	return u, err
}

func (s *Service) newSession(ctx context.Context, userID string) (string, Session, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := userID + "." + base64.RawURLEncoding.EncodeToString(b)
	sess := Session{UserID: userID, ExpiresAt: s.now().Add(SessionTTL).UTC().Truncate(time.Second)}
	if err := s.sessions.Put(ctx, userID, TokenHash(token), sess); err != nil {
		return "", Session{}, domain.Wrap(domain.Unavailable, err, "session store unavailable")
	}
	return token, sess, nil
}

// TokenHash is the key a session is stored under.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the user of a bearer token. Errors: Unauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (UserView, error) {
	if token == "" || len(token) > 128 {
		return UserView{}, domain.Errorf(domain.Unauthorized, "missing or malformed token")
	}
	uid, ok := splitToken(token)
	if !ok {
		return UserView{}, domain.Errorf(domain.Unauthorized, "the token is unknown, expired or revoked")
	}
	sess, err := s.sessions.Get(ctx, uid, TokenHash(token))
	if errors.Is(err, ErrNoSession) || (err == nil && (!s.now().Before(sess.ExpiresAt) || sess.UserID != uid)) {
		return UserView{}, domain.Errorf(domain.Unauthorized, "the token is unknown, expired or revoked")
	}
	if err != nil {
		return UserView{}, domain.Wrap(domain.Unavailable, err, "session store unavailable")
	}
	u, ok, err := s.find(ctx, sess.UserID) // this one user, nobody else
	if err != nil {
		return UserView{}, err
	}
	if !ok || u.Disabled {
		return UserView{}, domain.Errorf(domain.Unauthorized, "the account is disabled")
	}
	return s.view(ctx, u), nil
}

// Logout revokes a token.
func (s *Service) Logout(ctx context.Context, token string) error {
	uid, ok := splitToken(token)
	if !ok {
		return nil
	}
	if err := s.sessions.Delete(ctx, uid, TokenHash(token)); err != nil {
		return domain.Wrap(domain.Unavailable, err, "session store unavailable")
	}
	return nil
}

// endSessions deletes a user's sessions but the one of keepToken (none
// when empty), and when upTo is set only those opened by then, and
// returns how many it ended.
func (s *Service) endSessions(ctx context.Context, userID, keepToken string, upTo time.Time) (int, error) {
	hashes, err := s.sessions.List(ctx, userID)
	if err != nil {
		return 0, domain.Wrap(domain.Unavailable, err, "session store unavailable")
	}
	keep := ""
	if keepToken != "" {
		keep = TokenHash(keepToken)
	}
	n := 0
	for _, h := range hashes {
		if h == keep {
			continue
		}
		if !upTo.IsZero() {
			sess, err := s.sessions.Get(ctx, userID, h)
			switch {
			case errors.Is(err, ErrNoSession): // ended meanwhile
				continue
			case err != nil:
				return n, domain.Wrap(domain.Unavailable, err, "session store unavailable")
			case sess.ExpiresAt.Add(-SessionTTL).After(upTo.UTC().Truncate(time.Second)):
				continue // opened after the first
			}
		}
		if err := s.sessions.Delete(ctx, userID, h); err != nil {
			return n, domain.Wrap(domain.Unavailable, err, "session store unavailable")
		}
		n++
	}
	return n, nil
}

// EndSessions is the office ending every session of a user, recorded with
// who did it. Errors: NotFound for an unknown or erased user, Unavailable.
func (s *Service) EndSessions(ctx context.Context, meta aggregate.Meta, userID string) (aggregate.Result, int, error) {
	return s.recordEndOfSessions(ctx, meta, userID, "")
}

// EndOtherSessions is a user logging out everywhere but where they ask
// from (token's session): a phone lost, a shared computer left logged in.
// It is recorded as the office's end of sessions is, with the session kept
// said. Errors: NotFound, Unavailable.
func (s *Service) EndOtherSessions(ctx context.Context, meta aggregate.Meta, userID, token string) (aggregate.Result, int, error) {
	return s.recordEndOfSessions(ctx, meta, userID, token)
}

// recordEndOfSessions records the end of userID's sessions but keepToken's
// (none when empty), then ends them.
func (s *Service) recordEndOfSessions(ctx context.Context, meta aggregate.Meta, userID, keepToken string) (aggregate.Result, int, error) {
	res, err := s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		return u.EndSessions(keepToken != "")
	})
	if err != nil {
		return res, 0, err
	}
	// Recorded first, then done: a failure here is answered as an error
	// and retried with the same Idempotency-Key. A replay ends what the
	// first meant to end, the sessions opened up to its record (to the
	// second: a session's opening is known from its expiry), and no
	// session opened since (a new login on the found phone).
	var upTo time.Time
	if res.Duplicate {
		evs, err := s.users.Recorded(ctx, res)
		if err != nil {
			return res, 0, err
		}
		if len(evs) > 0 {
			upTo = evs[0].OccurredAt
		}
	}
	n, err := s.endSessions(ctx, userID, keepToken, upTo)
	return res, n, err
}

// OtherSessions counts the user's sessions, but token's, that have not
// expired: the other places where they are logged in. Errors: Unavailable.
func (s *Service) OtherSessions(ctx context.Context, userID, token string) (int, error) {
	hashes, err := s.sessions.List(ctx, userID)
	if err != nil {
		return 0, domain.Wrap(domain.Unavailable, err, "session store unavailable")
	}
	mine, n := TokenHash(token), 0
	for _, h := range hashes {
		if h == mine {
			continue
		}
		sess, err := s.sessions.Get(ctx, userID, h)
		switch {
		case errors.Is(err, ErrNoSession): // ended meanwhile
		case err != nil:
			return 0, domain.Wrap(domain.Unavailable, err, "session store unavailable")
		case s.now().Before(sess.ExpiresAt):
			n++
		}
	}
	return n, nil
}
