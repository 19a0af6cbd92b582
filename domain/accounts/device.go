package accounts

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// DeviceTTL is how long a device token stays valid: a browser that logged
// in to an account within it is taken as its owner's (see throttle's
// counters). Each login gives a new one.
const DeviceTTL = 180 * 24 * time.Hour

// deviceVersion begins every device token, so that a later format can be
// told apart.
const deviceVersion = "d1"

// issueDevice returns a device token for the account (a normalised email):
// "d1.<nonce>.<expiry, Unix seconds>.<MAC>", the MAC keyed by the vault's
// blinding key, which every process shares. The token holds no personal
// data (the account is only in the MAC) and nothing is stored for it.
func (s *Service) issueDevice(account string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	nonce := base64.RawURLEncoding.EncodeToString(b)
	exp := strconv.FormatInt(s.now().Add(DeviceTTL).Unix(), 10)
	return deviceVersion + "." + nonce + "." + exp + "." + s.deviceMAC(account, nonce, exp)
}

// trustedDevice returns the id of a device token (its nonce) when the
// token is valid for the account and not expired; "" otherwise: a token
// made up, altered, expired or given for another account is no device.
func (s *Service) trustedDevice(account, token string) string {
	if token == "" || len(token) > 128 {
		return ""
	}
	parts := strings.Split(token, ".")
	if len(parts) != 4 || parts[0] != deviceVersion || len(parts[1]) != 22 {
		return ""
	}
	nonce, exp, mac := parts[1], parts[2], parts[3]
	if !hmac.Equal([]byte(mac), []byte(s.deviceMAC(account, nonce, exp))) {
		return ""
	}
	if until, err := strconv.ParseInt(exp, 10, 64); err != nil || !s.now().Before(time.Unix(until, 0)) {
		return ""
	}
	return nonce
}

// deviceMAC binds a token's nonce and expiry to the account. The NUL
// separators and the prefix keep it apart from every other value the
// blinding key digests (emails and addresses, which hold no NUL).
func (s *Service) deviceMAC(account, nonce, exp string) string {
	return s.throttle.blind("accredit-device\x00" + account + "\x00" + nonce + "\x00" + exp)
}
