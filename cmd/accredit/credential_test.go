package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// save writes the answer to path under dir, failing on anything but 200.
func save(t *testing.T, in *apptest.Instance, dir, name, path, token string) string {
	t.Helper()
	f := filepath.Join(dir, name)
	if err := os.WriteFile(f, apptest.Expect(t, in.Get(t, path, token), 200).Body, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// accredit credential verify checks a downloaded credential offline with
// the saved DID document or JWKS and the saved status lists, or online;
// it says why one fails (tampered, revoked, expired) and exits 1; a
// rotation by accredit credential rotate-key leaves the old one valid.
func TestCredentialVerifyCommand(t *testing.T) {
	h := newHarness(t)
	tm := newTeam(t, h.in)
	acc := tm.awarded(t, tm.submitted(t))
	caughtUp(t, h.in, "") // a credential names the holder as the register has them
	dir := t.TempDir()
	cred := save(t, h.in, dir, "carla.jwt", "/api/v1/accreditations/"+acc+"/credential", tm.applicant.Token)
	did := save(t, h.in, dir, "did.json", "/.well-known/did.json", "")
	jwks := save(t, h.in, dir, "jwks.json", "/.well-known/jwks.json", "")
	rev := save(t, h.in, dir, "revocation.jwt", "/api/v1/credentials/status/revocation", "")
	msg := save(t, h.in, dir, "message.jwt", "/api/v1/credentials/status/message", "")

	r := h.must(0, "", "credential", "verify", cred, "--did", did, "--status", rev, "--status", msg)
	contains(t, "valid offline", r.stdout, "VALID: EMCC Individual Accreditation (EIA), Practitioner, held by Carla Coach", "status:   in force")
	r = h.must(0, "", "credential", "verify", cred, "--jwks", jwks)
	contains(t, "no status list", r.stdout, "VALID", "NOT CHECKED")
	h.must(exitUsage, "", "credential", "verify", cred)
	h.must(exitUsage, "", "credential", "verify", cred, "--did", did, "--jwks", jwks)
	h.must(exitUsage, "", "credential", "verify")

	// Tampered: the holder's name changed in the payload.
	b, _ := os.ReadFile(cred)
	parts := strings.Split(string(b), ".")
	payload, _ := decodeSegment(parts[1])
	forged := strings.Replace(string(payload), "Carla Coach", "Carla Cheat", 1)
	tampered := filepath.Join(dir, "tampered.jwt")
	_ = os.WriteFile(tampered, []byte(parts[0]+"."+b64url(forged)+"."+parts[2]), 0o600)
	r = h.must(exitFailed, "", "credential", "verify", tampered, "--did", did)
	contains(t, "tampered", r.stdout, "NOT VALID (signature_invalid)")

	// After the validity period: expired, even offline.
	r = h.must(exitFailed, "", "credential", "verify", cred, "--did", did, "--at", time.Now().AddDate(5, 1, 0).Format(time.RFC3339))
	contains(t, "expired", r.stdout, "NOT VALID (expired)")

	// A rotation: the old credential still verifies online, against the
	// new DID document; the new one is signed by the new key.
	r = h.must(0, "", "credential", "rotate-key", "--data-dir", h.in.Cfg.DataDir)
	contains(t, "rotate", r.stdout, "New credential key key-", "2 keys published")
	h.must(exitUsage, "", "credential", "rotate-key")
	newer := save(t, h.in, dir, "carla-2.jwt", "/api/v1/accreditations/"+acc+"/credential", tm.applicant.Token)
	oldKey := h.must(0, "", "credential", "verify", cred, "--online", "--issuer", h.in.URL).stdout
	newKey := h.must(0, "", "credential", "verify", newer, "--online", "--issuer", h.in.URL).stdout
	// Online, the office is named: the credential's own issuer is not
	// trusted for where its keys are (anyone can serve a DID document).
	h.must(exitUsage, "", "credential", "verify", cred, "--online")
	h.must(exitUsage, "", "credential", "verify", cred, "--online", "--issuer", "not an address")
	r = h.must(exitFailed, "", "credential", "verify", cred, "--online", "--issuer", "https://elsewhere.example")
	contains(t, "another office", r.stdout, "NOT VALID (wrong_issuer)", "did:web:elsewhere.example")
	officeDID, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(keyLine(oldKey)), "key:")), "#")
	if !strings.HasPrefix(officeDID, "did:web:") {
		t.Fatalf("no did:web in the key line of:\n%s", oldKey)
	}
	h.must(0, "", "credential", "verify", cred, "--online", "--issuer", officeDID) // the office named by its did:web
	if keyLine(oldKey) == keyLine(newKey) {
		t.Errorf("the same key before and after the rotation:\n%s\n%s", oldKey, newKey)
	}

	// Revoked: the saved lists from now on say so, with the reason, and so
	// does the online check.
	rv := apptest.Expect(t, h.in.Post(t, "/api/v1/accreditations/"+acc+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint upheld."}), 200).Map(t)
	seq := fmt.Sprintf("?min_seq=%d", int(rv["seq"].(float64)))
	rev = save(t, h.in, dir, "revocation-2.jwt", "/api/v1/credentials/status/revocation"+seq, "")
	msg = save(t, h.in, dir, "message-2.jwt", "/api/v1/credentials/status/message"+seq, "")
	// The lists are signed by the new key: the DID document saved before
	// the rotation does not know it, the one saved now does.
	r = h.must(exitFailed, "", "credential", "verify", cred, "--did", did, "--status", rev, "--status", msg)
	contains(t, "lists of a newer key", r.stdout, "NOT VALID (status_unverifiable)", "does not publish")
	did = save(t, h.in, dir, "did-2.json", "/.well-known/did.json", "")
	r = h.must(exitFailed, "", "credential", "verify", cred, "--did", did, "--status", rev, "--status", msg)
	contains(t, "revoked offline", r.stdout, "NOT VALID (revoked): revoked (status list: revoked by the EMCC)")
	r = h.must(exitFailed, "", "credential", "verify", cred, "--online", "--issuer", h.in.URL, "-o", "json")
	contains(t, "revoked online", r.stdout, `"outcome": "revoked"`, `"status": "revoked by the EMCC"`)
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func keyLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "key:") {
			return l
		}
	}
	return ""
}
