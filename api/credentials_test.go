package api_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/credential"
	"github.com/emcc/accredit/domain/credential/credentialtest"
)

// credentialOf downloads the holder's credential of accreditation acc.
func (tm *team) credentialOf(t *testing.T, acc string) string {
	t.Helper()
	r := Expect(t, tm.in.Get(t, "/api/v1/accreditations/"+acc+"/credential", tm.applicant.Token), 200)
	if ct := r.Header.Get("Content-Type"); ct != credential.MediaType {
		t.Fatalf("Content-Type %q, want %s", ct, credential.MediaType)
	}
	return string(r.Body)
}

// verifyOnline posts a credential to the public verification endpoint.
func (tm *team) verifyOnline(t *testing.T, token string, minSeq int) map[string]any {
	t.Helper()
	return Expect(t, tm.in.Do(t, Request{Method: "POST", Path: fmt.Sprintf("/api/v1/credentials/verification?min_seq=%d", minSeq),
		RawBody: strings.NewReader(token), Header: map[string]string{"Content-Type": credential.MediaType}}), 200).Map(t)
}

func published(t *testing.T, in *Instance) (did, jwks []byte) {
	t.Helper()
	return Expect(t, in.Get(t, "/.well-known/did.json", ""), 200).Body, Expect(t, in.Get(t, "/.well-known/jwks.json", ""), 200).Body
}

// TestTheWellKnownDocumentsAnswerErrorsAsProblems: /.well-known/did.json
// and jwks.json are the API's, read by resolvers and verifiers, not
// browsers: an error there is a problem document, as everywhere in the
// API, where it was the web application's HTML error page.
func TestTheWellKnownDocumentsAnswerErrorsAsProblems(t *testing.T) {
	in := Start(t)
	for _, r := range []Request{
		{Method: "POST", Path: "/.well-known/did.json"},
		{Method: "DELETE", Path: "/.well-known/jwks.json"},
	} {
		got := in.Do(t, r)
		if ct := got.Header.Get("Content-Type"); got.Status < 400 || got.Status >= 500 || ct != "application/problem+json" {
			t.Errorf("%s %s: %d %q, want a 4xx application/problem+json; %.200s", r.Method, r.Path, got.Status, ct, got.Body)
		}
	}
}

// statusBit reads the credential's entry in the published list of purpose,
// independently (jwx and the standard library).
func statusBit(t *testing.T, in *Instance, jwks []byte, token, purpose string, minSeq int) int {
	t.Helper()
	c, _ := credentialtest.MustVerify(t, jwks, token)
	st := c["credentialStatus"].([]any)
	size := 1
	var i int
	for _, e := range st {
		m := e.(map[string]any)
		if m["statusPurpose"] == purpose {
			i, _ = strconv.Atoi(m["statusListIndex"].(string))
			if s, ok := m["statusSize"].(float64); ok {
				size = int(s)
			}
		}
	}
	list := Expect(t, in.Get(t, fmt.Sprintf("/api/v1/credentials/status/%s?min_seq=%d", purpose, minSeq), ""), 200)
	v, n := credentialtest.StatusAt(t, jwks, string(list.Body), i, size)
	if n < credential.ListEntries {
		t.Errorf("%s list holds %d entries, want at least %d", purpose, n, credential.ListEntries)
	}
	return v
}

// The holder downloads their award as an OpenBadgeCredential, which jwx
// verifies with the published DID document and JWKS; only the holder and
// the office get it; the public verification endpoint accepts it, refuses
// a tampered one with the reason, and answers 400/413 for what is no
// credential at all.
func TestCredentialIssuedToTheHolderVerifiesIndependently(t *testing.T) {
	tm := newTeam(t)
	_, acc := tm.awardedCase(t)
	token := tm.credentialOf(t, acc)
	did, jwks := published(t, tm.in)
	host := strings.TrimPrefix(tm.in.URL, "http://")
	wantDID := "did:web:" + strings.ReplaceAll(host, ":", "%3A")
	for _, doc := range [][]byte{did, jwks} {
		c, kid := credentialtest.MustVerify(t, doc, token)
		if !strings.HasPrefix(kid, wantDID+"#key-") {
			t.Errorf("kid %s, want a key of %s", kid, wantDID)
		}
		issuer := c["issuer"].(map[string]any)
		subj := c["credentialSubject"].(map[string]any)
		ach := subj["achievement"].(map[string]any)
		ids, _ := json.Marshal(subj["identifier"])
		if issuer["id"] != wantDID || ach["name"] != "EMCC Individual Accreditation (EIA), Practitioner" ||
			!strings.Contains(string(ids), `"identityHash":"Carla Coach"`) || !strings.Contains(string(ids), tm.applicant.ID) {
			t.Errorf("credential: issuer %v, achievement %v, holder %s", issuer, ach["name"], ids)
		}
		if c["validFrom"] == nil || c["validUntil"] == nil {
			t.Errorf("validity %v to %v", c["validFrom"], c["validUntil"])
		}
	}
	j := tm.get(t, "/api/v1/accreditations/"+acc+"/credential?format=json", tm.admin)
	if j["jwt"] == "" || j["credential"].(map[string]any)["id"] == nil {
		t.Errorf("format=json: %v", j)
	}
	pdf := Expect(t, tm.in.Get(t, "/api/v1/accreditations/"+acc+"/certificate", tm.applicant.Token), 200)
	if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(string(pdf.Body), tm.in.URL+"/register/"+acc) {
		t.Errorf("certificate: %s, without the verification URL", pdf.Header.Get("Content-Type"))
	}
	other := tm.newAssessor(t, "otto@example.org", "Otto Other")
	Expect(t, tm.in.Get(t, "/api/v1/accreditations/"+acc+"/certificate", other.Token), 403)
	Expect(t, tm.in.Get(t, "/api/v1/accreditations/"+acc+"/credential", other.Token), 403)
	Expect(t, tm.in.Get(t, "/api/v1/accreditations/"+acc+"/credential", ""), 401)
	Expect(t, tm.in.Get(t, "/api/v1/accreditations/"+acc+"/credential?format=pdf", tm.applicant.Token), 400)
	Expect(t, tm.in.Get(t, "/api/v1/accreditations/ACC-NONE/credential", tm.applicant.Token), 404)

	if v := tm.verifyOnline(t, token, 0); v["valid"] != true || v["outcome"] != "valid" || v["holder"] != "Carla Coach" || v["status_checked"] != true {
		t.Errorf("verification of the issued credential: %v", v)
	}
	parts := strings.Split(token, ".")
	tampered := parts[0] + "." + strings.Replace(parts[1], parts[1][10:14], "AAAA", 1) + "." + parts[2]
	if v := tm.verifyOnline(t, tampered, 0); v["valid"] != false || v["outcome"] == "valid" {
		t.Errorf("tampered credential: %v", v)
	}
	// As JSON, as the download's format=json answers it.
	Expect(t, tm.in.Post(t, "/api/v1/credentials/verification", "", map[string]any{"jwt": token}), 200)
	for name, body := range map[string]string{"empty": "", "not a JWS": "hello", "JSON without jwt": `{"x":1}`} {
		r := Expect(t, tm.in.Do(t, Request{Method: "POST", Path: "/api/v1/credentials/verification", RawBody: strings.NewReader(body),
			Header: map[string]string{"Content-Type": "text/plain"}}), 400)
		if !strings.Contains(string(r.Body), `"credential"`) {
			t.Errorf("%s: the problem does not name the credential: %s", name, r.Body)
		}
	}
	Expect(t, tm.in.Do(t, Request{Method: "POST", Path: "/api/v1/credentials/verification", RawBody: strings.NewReader(strings.Repeat("a", 70<<10)),
		Header: map[string]string{"Content-Type": "text/plain"}}), 413)
	Expect(t, tm.in.Get(t, "/api/v1/credentials/status/suspension", ""), 404)
}

// A revoked award's credential fails with its reason, a withdrawn one
// with its own, an expired one as expired: read from the published status
// lists (the bits checked independently too); no new credential is issued
// for an award no longer in force.
func TestRevokedWithdrawnExpiredCredentialsFailWithTheirReason(t *testing.T) {
	tm := newTeam(t)
	_, revoked := tm.awardedCase(t)
	_, withdrawn := tm.awardedCase(t)
	_, expiring := tm.awardedCase(t)
	tokens := map[string]string{}
	for _, acc := range []string{revoked, withdrawn, expiring} {
		tokens[acc] = tm.credentialOf(t, acc)
	}
	_, jwks := published(t, tm.in)
	if v := statusBit(t, tm.in, jwks, tokens[revoked], "revocation", 0); v != 0 {
		t.Fatalf("revocation bit %d before revocation", v)
	}
	r := tm.post(t, "/api/v1/accreditations/"+revoked+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint upheld."}, 200)
	w := tm.post(t, "/api/v1/accreditations/"+withdrawn+"/withdrawal", tm.applicant.Token, map[string]string{"reason": "Retiring."}, 200)
	seq := max(int(r["seq"].(float64)), int(w["seq"].(float64)))
	want := map[string]struct {
		outcome, reason string
		rev, msg        int
	}{
		revoked:   {"revoked", "revoked by the EMCC", 1, 1},
		withdrawn: {"withdrawn", "withdrawn", 1, 2},
		expiring:  {"valid", "", 0, 0},
	}
	for acc, w := range want {
		v := tm.verifyOnline(t, tokens[acc], seq)
		if v["outcome"] != w.outcome || !strings.Contains(fmt.Sprint(v["reason"]), w.reason) {
			t.Errorf("%s: %v %q, want %s %q", acc, v["outcome"], v["reason"], w.outcome, w.reason)
		}
		if got := statusBit(t, tm.in, jwks, tokens[acc], "revocation", seq); got != w.rev {
			t.Errorf("%s: revocation bit %d, want %d", acc, got, w.rev)
		}
		if got := statusBit(t, tm.in, jwks, tokens[acc], "message", seq); got != w.msg {
			t.Errorf("%s: message value %d, want %d", acc, got, w.msg)
		}
	}
	Expect(t, tm.in.Get(t, "/api/v1/accreditations/"+revoked+"/credential", tm.applicant.Token), 422)
	Expect(t, tm.in.Get(t, "/api/v1/accreditations/"+revoked+"/certificate", tm.applicant.Token), 422)

	// Five years on, the expiry job ends the third: expired, by the list
	// and by its validUntil.
	tm.setClock(t, tm.clock.Now().AddDate(5, 0, 2))
	if n, err := tm.in.App.RunExpiry(t.Context()); err != nil || n != 1 {
		t.Fatalf("expiry: %d, %v", n, err)
	}
	seq = int(tm.in.App.Feed.Position())
	if v := tm.verifyOnline(t, tokens[expiring], seq); v["outcome"] != "expired" {
		t.Errorf("expired award: %v", v)
	}
	if got := statusBit(t, tm.in, jwks, tokens[expiring], "message", seq); got != 3 {
		t.Errorf("expired: message value %d, want 3", got)
	}
}

// After a key rotation the new key signs new credentials, the DID
// document keeps the old key, and a credential signed before verifies
// (jwx, and the verification endpoint) after a restart too.
func TestCredentialKeyRotationKeepsOldCredentialsVerifiable(t *testing.T) {
	// The office's DID is that of its public address, the same after a
	// restart on another port.
	tm := newTeam(t, func(c *app.Config) { c.PublicURL = "https://accredit.example.org" })
	// deploy/kubernetes's placeholder: accepted, and the log says it leads
	// nowhere.
	if !strings.Contains(tm.in.Log.String(), "ACCREDIT_PUBLIC_URL names a reserved example domain") {
		t.Fatal("a public address in example.org started without a warning")
	}
	_, acc := tm.awardedCase(t)
	old := tm.credentialOf(t, acc)
	tm.clock.Advance(time.Hour)
	ring := credential.KeyRing{Dir: tm.in.Cfg.DataDir + "/keys/credentials"}
	if _, err := ring.Rotate(tm.clock.Now()); err != nil {
		t.Fatal(err)
	}
	newer := tm.credentialOf(t, acc)
	did, _ := published(t, tm.in)
	_, oldKid := credentialtest.MustVerify(t, did, old)
	_, newKid := credentialtest.MustVerify(t, did, newer)
	if oldKid == newKid {
		t.Fatalf("both signed by %s: the rotated key does not sign", oldKid)
	}
	var doc credential.DIDDocument
	if err := json.Unmarshal(did, &doc); err != nil || len(doc.VerificationMethod) != 2 {
		t.Fatalf("DID document after rotation: %s", did)
	}
	for tok, kid := range map[string]string{old: oldKid, newer: newKid} {
		if v := tm.verifyOnline(t, tok, 0); v["valid"] != true || v["key_id"] != kid {
			t.Errorf("credential of key %s after rotation: %v", kid, v)
		}
	}
	tm.in.Restart(t)
	tm.setClock(t, tm.clock.Now())
	if v := tm.verifyOnline(t, old, 0); v["valid"] != true {
		t.Errorf("old credential after a restart: %v", v)
	}
}
