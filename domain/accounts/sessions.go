package accounts

import (
	"context"
	"errors"
	"time"
)

// Session is one login.
type Session struct {
	UserID    string    `json:"user_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ErrNoSession is returned for an unknown, expired or revoked token.
var ErrNoSession = errors.New("no such session")

// SessionStore keeps logins by the SHA-256 of their token, never the token.
type SessionStore interface {
	Put(ctx context.Context, tokenHash string, s Session) error
	Get(ctx context.Context, tokenHash string) (Session, error)
	Delete(ctx context.Context, tokenHash string) error
}
