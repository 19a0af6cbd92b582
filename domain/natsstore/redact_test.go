package natsstore_test

import (
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/natsstore"
)

// TestRedactURLsHidesPasswordsAndTokens: what a log says of the NATS URLs
// names their hosts and users but no secret: neither a password nor a
// user with no password, which nats.go sends as a token.
func TestRedactURLsHidesPasswordsAndTokens(t *testing.T) {
	for in, want := range map[string]string{
		"nats://s3cr3t-token@nats-1:4222":                 "nats://xxxxx@nats-1:4222",
		"nats://app:pa55word@nats-2:4222":                 "nats://app:xxxxx@nats-2:4222",
		"nats://nats-3:4222":                              "nats://nats-3:4222",
		"nats://s3cr3t-token@a:4222, nats://u:pa55word@b": "nats://xxxxx@a:4222,nats://u:xxxxx@b",
		"nats://%zz@host":                                 "(unparsable URL)",
	} {
		got := natsstore.RedactURLs(in)
		if got != want {
			t.Errorf("RedactURLs(%q) = %q, want %q", in, got, want)
		}
		for _, secret := range []string{"s3cr3t", "pa55word"} {
			if strings.Contains(got, secret) {
				t.Errorf("RedactURLs(%q) shows %q", in, secret)
			}
		}
	}
}
