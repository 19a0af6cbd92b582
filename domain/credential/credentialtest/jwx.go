// Package credentialtest checks the office's credentials with a second,
// independent JOSE implementation (lestrrat-go/jwx), not go-jose, which
// signs them: a test that passes here does not depend on the issuer's own
// library agreeing with itself. Only tests import it.
package credentialtest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// KeySet reads a JWKS or a DID document (its verificationMethod's
// publicKeyJwk, each named by the method's id) with jwx.
func KeySet(tb testing.TB, published []byte) jwk.Set {
	tb.Helper()
	var doc struct {
		VerificationMethod []struct {
			ID           string          `json:"id"`
			PublicKeyJwk json.RawMessage `json:"publicKeyJwk"`
		} `json:"verificationMethod"`
	}
	if err := json.Unmarshal(published, &doc); err != nil {
		tb.Fatalf("key document: %v", err)
	}
	if len(doc.VerificationMethod) == 0 {
		set, err := jwk.Parse(published)
		if err != nil {
			tb.Fatalf("jwx: JWKS: %v", err)
		}
		return set
	}
	set := jwk.NewSet()
	for _, vm := range doc.VerificationMethod {
		k, err := jwk.ParseKey(vm.PublicKeyJwk)
		if err != nil {
			tb.Fatalf("jwx: key %s: %v", vm.ID, err)
		}
		if err := k.Set(jwk.KeyIDKey, vm.ID); err != nil {
			tb.Fatal(err)
		}
		if err := k.Set(jwk.AlgorithmKey, "EdDSA"); err != nil {
			tb.Fatal(err)
		}
		if err := set.AddKey(k); err != nil {
			tb.Fatal(err)
		}
	}
	return set
}

// Verify checks token's signature with jwx against the published keys (the
// key its kid names) and returns the signed JSON and the kid; an error
// when jwx refuses it.
func Verify(tb testing.TB, published []byte, token string) (map[string]any, string, error) {
	tb.Helper()
	payload, err := jws.Verify([]byte(strings.TrimSpace(token)), jws.WithKeySet(KeySet(tb, published)))
	if err != nil {
		return nil, "", err
	}
	msg, err := jws.Parse([]byte(strings.TrimSpace(token)))
	if err != nil {
		return nil, "", err
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	kid, _ := h.KeyID()
	if typ, _ := h.Type(); typ != "vc+jwt" {
		tb.Errorf("typ %q, want vc+jwt", typ)
	}
	if alg, _ := h.Algorithm(); alg.String() != "EdDSA" {
		tb.Errorf("alg %q, want EdDSA", alg)
	}
	var out map[string]any
	if err := json.Unmarshal(payload, &out); err != nil {
		tb.Fatalf("payload: %v", err)
	}
	return out, kid, nil
}

// MustVerify is Verify failing the test on a refusal.
func MustVerify(tb testing.TB, published []byte, token string) (map[string]any, string) {
	tb.Helper()
	out, kid, err := Verify(tb, published, token)
	if err != nil {
		tb.Fatalf("jwx refuses the credential: %v", err)
	}
	return out, kid
}

// StatusAt verifies a status list credential with jwx and reads entry i of
// size bits from its encodedList with the standard library (multibase
// "u", base64url, GZIP; the first entry in the high bits of byte 0).
func StatusAt(tb testing.TB, published []byte, listToken string, i, size int) (value, entries int) {
	tb.Helper()
	l, _ := MustVerify(tb, published, listToken)
	subj, _ := l["credentialSubject"].(map[string]any)
	enc, _ := subj["encodedList"].(string)
	if !strings.HasPrefix(enc, "u") {
		tb.Fatalf("encodedList %.20q has no multibase prefix u", enc)
	}
	z, err := base64.RawURLEncoding.DecodeString(enc[1:])
	if err != nil {
		tb.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		tb.Fatal(err)
	}
	bits, err := io.ReadAll(r)
	if err != nil {
		tb.Fatal(err)
	}
	for k := range size {
		bit := i*size + k
		value <<= 1
		if bits[bit/8]&(0x80>>(bit%8)) != 0 {
			value |= 1
		}
	}
	return value, len(bits) * 8 / size
}
