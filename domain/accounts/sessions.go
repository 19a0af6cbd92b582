package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
)

// Session is one login.
type Session struct {
	UserID    string    `json:"user_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ErrNoSession is returned for an unknown, expired or revoked token.
var ErrNoSession = errors.New("no such session")

// SessionStore keeps logins by user and by the SHA-256 of their token,
// never the token: the key is "<user id>.<token hash>", so a token finds its
// session in one read and a user's sessions are one key prefix.
type SessionStore interface {
	Put(ctx context.Context, userID, tokenHash string, s Session) error
	Get(ctx context.Context, userID, tokenHash string) (Session, error)
	Delete(ctx context.Context, userID, tokenHash string) error
	// List returns the token hashes of a user's sessions, reading only
	// that user's keys.
	List(ctx context.Context, userID string) ([]string, error)
}

// A token is "<user id>.<secret>": the user id in it is what lets a token
// be looked up under its user without an index beside the sessions. It
// names the user only to whoever holds the token, who is that user. Tokens
// issued before this format (no user id) are refused: their holders log in
// again, at most once.
func splitToken(token string) (userID string, ok bool) {
	id, secret, found := strings.Cut(token, ".")
	if !found || !domain.ValidULID(id) || len(secret) < 32 {
		return "", false
	}
	return id, true
}
