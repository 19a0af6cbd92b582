package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
)

// DeviceTTL is how long a device token stays valid: a browser that logged
// in to an account within it is taken as its owner's (see throttle's
// counters). Each login gives a new one.
const DeviceTTL = 180 * 24 * time.Hour

// deviceVersion begins every device token, so that a later format can be
// told apart. d1 tokens, bound to the email alone, are no longer taken.
const deviceVersion = "d2"

// issueDevice returns a device token for the account (a normalised email)
// and its user u: "d2.<nonce>.<expiry, Unix seconds>.<MAC>.<user's MAC>",
// the MACs keyed by the vault's blinding key, which every process shares.
// The first binds it to the email, the second to the user as they stand
// (their id and CredentialChanges). The token holds no personal data (the
// account and the user are only in the MACs) and nothing is stored for it.
func (s *Service) issueDevice(account string, u *User) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	nonce := base64.RawURLEncoding.EncodeToString(b)
	exp := strconv.FormatInt(s.now().Add(DeviceTTL).Unix(), 10)
	return deviceVersion + "." + nonce + "." + exp + "." + s.deviceMAC(account, nonce, exp) + "." + s.deviceUserMAC(u, nonce, exp)
}

// trustedDevice returns the id of a device token (its nonce) when the
// token is valid for the account and not expired, and was given to the
// user whose email it is now before their credentials last changed; ""
// otherwise. A token made up, altered, expired or given for another
// account is no device; nor is one given to an earlier holder of the
// email, or before a change of password or an end of the sessions
// (User.CredentialChanges): else whoever held the email or the password
// once, or a lost phone, would keep tries of their own at the account.
//
// The user is looked up (before the throttle) only for a token whose
// email MAC holds, one given for this email: a made-up token does not
// make a refused try of a registered email take longer than another's.
// The user so looked up (nil when none was) is returned for the login,
// which need not look them up again.
func (s *Service) trustedDevice(ctx context.Context, account, email, token string) (string, *User, error) {
	if token == "" || len(token) > 128 {
		return "", nil, nil
	}
	parts := strings.Split(token, ".")
	if len(parts) != 5 || parts[0] != deviceVersion || len(parts[1]) != 22 {
		return "", nil, nil
	}
	nonce, exp, mac, userMAC := parts[1], parts[2], parts[3], parts[4]
	if !hmac.Equal([]byte(mac), []byte(s.deviceMAC(account, nonce, exp))) {
		return "", nil, nil
	}
	if until, err := strconv.ParseInt(exp, 10, 64); err != nil || !s.now().Before(time.Unix(until, 0)) {
		return "", nil, nil
	}
	u, err := s.loginUser(ctx, email)
	if err != nil || u == nil || !hmac.Equal([]byte(userMAC), []byte(s.deviceUserMAC(u, nonce, exp))) {
		return "", u, err
	}
	return nonce, u, nil
}

// deviceMAC binds a token's nonce and expiry to the account. The NUL
// separators and the prefix keep it apart from every other value the
// blinding key digests (emails and addresses, which hold no NUL).
func (s *Service) deviceMAC(account, nonce, exp string) string {
	return s.throttle.blind("accredit-device\x00" + account + "\x00" + nonce + "\x00" + exp)
}

// deviceUserMAC binds a token's nonce and expiry to the user and their
// count of credential changes, as deviceMAC to the account.
func (s *Service) deviceUserMAC(u *User, nonce, exp string) string {
	return s.throttle.blind("accredit-device-user\x00" + u.ID + "\x00" + strconv.Itoa(u.CredentialChanges) + "\x00" + nonce + "\x00" + exp)
}

// DeviceFor returns a new device token for the user as they stand now,
// for the browser or client whose session of theirs made a change of
// password or an end of the other sessions: the change voids the token it
// held (the user MAC binds CredentialChanges), yet it is the owner's
// still, having just shown the password or its session. "" when the user
// is disabled, erased or gone. Errors: Unavailable (the key store).
func (s *Service) DeviceFor(ctx context.Context, userID string) (string, error) {
	u, ok, err := s.find(ctx, userID)
	if err != nil || !ok || u.Disabled || u.Erased {
		return "", err
	}
	email, err := s.vault.Open(ctx, u.Email)
	if err != nil {
		return "", domain.Wrap(domain.Unavailable, err, "key store unavailable")
	}
	return s.issueDevice(NormaliseEmail(email), u), nil
}
