package credential_test

import (
	"testing"
	"time"

	"github.com/emcc/accredit/domain/credential"
)

// A signed credential that is no OpenBadgeCredential is malformed, and the
// reason lists its types as every message lists values ("a, b", not Go's
// "[a b]"), or says it has none.
func TestNotAnOpenBadgeCredentialListsItsTypes(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	k, err := credential.KeyRing{Dir: t.TempDir()}.Rotate(now)
	if err != nil {
		t.Fatal(err)
	}
	keys := credential.PublicKeys{office.KeyURL(k.ID): k.Public()}
	for _, tc := range []struct {
		name string
		typ  []string
		want string
	}{
		{"two types", []string{"VerifiableCredential", "AchievementCredential"}, "not an OpenBadgeCredential (type VerifiableCredential, AchievementCredential)"},
		{"one type", []string{"OpenBadgeCredential"}, "not an OpenBadgeCredential (type OpenBadgeCredential)"},
		{"no type", nil, "not an OpenBadgeCredential (no type)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := office.Build(award("ACC1", now.AddDate(0, -1, 0)), 0)
			c.Type = tc.typ
			token, err := office.Sign(k, c)
			if err != nil {
				t.Fatal(err)
			}
			r := credential.Verify(token, keys, nil, now)
			if r.Valid || r.Outcome != credential.Malformed || r.Reason != tc.want {
				t.Errorf("got %s %q, want %s %q", r.Outcome, r.Reason, credential.Malformed, tc.want)
			}
		})
	}
}
