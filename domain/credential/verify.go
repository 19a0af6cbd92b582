package credential

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/emcc/accredit/domain"
)

// MaxCredentialBytes bounds a credential given to the verifier.
const MaxCredentialBytes = 64 << 10

// PublicKeys are the office's published keys by their DID URL.
type PublicKeys map[string]ed25519.PublicKey

// ParseKeys reads a DID document or a JWKS, as /.well-known/did.json and
// /.well-known/jwks.json serve them.
func ParseKeys(b []byte) (PublicKeys, error) {
	var doc struct {
		ID                 string `json:"id"`
		VerificationMethod []struct {
			ID           string          `json:"id"`
			PublicKeyJwk jose.JSONWebKey `json:"publicKeyJwk"`
		} `json:"verificationMethod"`
		Keys []jose.JSONWebKey `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not a DID document or a JWKS: %w", err)
	}
	keys := PublicKeys{}
	add := func(id string, jwk jose.JSONWebKey) {
		if pub, ok := jwk.Key.(ed25519.PublicKey); ok && id != "" {
			keys[id] = pub
		}
	}
	for _, vm := range doc.VerificationMethod {
		id := vm.ID
		if strings.HasPrefix(id, "#") {
			id = doc.ID + id
		}
		add(id, vm.PublicKeyJwk)
	}
	for _, k := range doc.Keys {
		add(k.KeyID, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no Ed25519 key in the document")
	}
	return keys, nil
}

// Outcome names why a credential failed, or "valid".
type Outcome string

// The outcomes of Verify.
const (
	Valid       Outcome = "valid"
	Malformed   Outcome = "malformed"
	UnknownKey  Outcome = "unknown_key"
	BadSig      Outcome = "signature_invalid"
	WrongIssuer Outcome = "wrong_issuer"
	NotYet      Outcome = "not_yet_valid"
	Expired     Outcome = "expired"
	Revoked     Outcome = "revoked"
	Withdrawn   Outcome = "withdrawn"
	StatusError Outcome = "status_unverifiable"
)

// Result is what Verify found.
type Result struct {
	Outcome Outcome `json:"outcome"`
	Valid   bool    `json:"valid"`
	// Reason says why, in words, when not valid.
	Reason     string      `json:"reason,omitempty"`
	KeyID      string      `json:"key_id,omitempty"`
	Credential *Credential `json:"credential,omitempty"`
	// StatusChecked is false when no status list was at hand: the
	// signature and dates hold, the status is unknown.
	StatusChecked bool   `json:"status_checked"`
	Status        string `json:"status,omitempty"` // the message list's message
}

func fail(r Result, o Outcome, format string, args ...any) Result {
	r.Outcome, r.Valid, r.Reason = o, false, fmt.Sprintf(format, args...)
	return r
}

// StatusLists finds the status list credential (its JWS) at a URL; false
// when it is not at hand.
type StatusLists func(url string) (token string, ok bool, err error)

// Verify checks a credential secured as Sign does: the signature with the
// key its kid names among keys, that the issuer is that key's DID, its
// status (when lists is given) and its validity period at now. It never
// trusts the credential for which key to use beyond the kid lookup.
func Verify(token string, keys PublicKeys, lists StatusLists, now time.Time) Result {
	var r Result
	payload, kid, err := verifyJWS(token, keys)
	r.KeyID = kid
	if err != nil {
		var o *outcomeError
		if errors.As(err, &o) {
			return fail(r, o.outcome, "%s", o.msg)
		}
		return fail(r, Malformed, "%v", err)
	}
	var c Credential
	if err := json.Unmarshal(payload, &c); err != nil {
		return fail(r, Malformed, "the signed content is not a credential: %v", err)
	}
	r.Credential = &c
	if !slices.Contains(c.Type, "VerifiableCredential") || !slices.Contains(c.Type, "OpenBadgeCredential") {
		typ := "no type"
		if len(c.Type) > 0 {
			typ = "type " + domain.List(c.Type)
		}
		return fail(r, Malformed, "not an OpenBadgeCredential (%s)", typ)
	}
	if did, _, _ := strings.Cut(kid, "#"); c.Issuer.ID != did {
		return fail(r, WrongIssuer, "issued by %s but signed with a key of %s", c.Issuer.ID, did)
	}
	if lists != nil {
		if res, done := checkStatus(r, c, keys, lists); done {
			return res
		} else {
			r = res
		}
	}
	from, err1 := time.Parse(time.RFC3339, c.ValidFrom)
	if err1 != nil {
		return fail(r, Malformed, "validFrom %q is not a date-time", c.ValidFrom)
	}
	if now.Before(from) {
		return fail(r, NotYet, "valid from %s", c.ValidFrom)
	}
	if c.ValidUntil != "" {
		until, err := time.Parse(time.RFC3339, c.ValidUntil)
		if err != nil {
			return fail(r, Malformed, "validUntil %q is not a date-time", c.ValidUntil)
		}
		if !now.Before(until) {
			return fail(r, Expired, "expired on %s", c.ValidUntil)
		}
	}
	r.Outcome, r.Valid = Valid, true
	return r
}

type outcomeError struct {
	outcome Outcome
	msg     string
}

func (e *outcomeError) Error() string { return e.msg }

// verifyJWS checks a compact JWS of type vc+jwt against keys and returns
// its payload and kid.
func verifyJWS(token string, keys PublicKeys) ([]byte, string, error) {
	token = strings.TrimSpace(token)
	if len(token) > MaxCredentialBytes {
		return nil, "", fmt.Errorf("larger than %d bytes", MaxCredentialBytes)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return nil, "", fmt.Errorf("not a JWS signed with EdDSA: %v", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, "", errors.New("not one signature")
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "vc+jwt" {
		return nil, h.KeyID, fmt.Errorf("typ %q, not vc+jwt", typ)
	}
	pub, ok := keys[h.KeyID]
	if !ok {
		return nil, h.KeyID, &outcomeError{UnknownKey, fmt.Sprintf("signed with key %q, which the office does not publish", h.KeyID)}
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return nil, h.KeyID, &outcomeError{BadSig, "the signature does not match the content: it was changed after signing, or not signed by this key"}
	}
	return payload, h.KeyID, nil
}

// checkStatus reads the credential's status entries; done when it failed.
func checkStatus(r Result, c Credential, keys PublicKeys, lists StatusLists) (Result, bool) {
	var revoked bool
	message := -1
	var msgs []StatusMessage
	for _, e := range c.CredentialStatus {
		if e.Type != "BitstringStatusListEntry" {
			continue
		}
		token, ok, err := lists(e.StatusListCredential)
		if err != nil {
			return fail(r, StatusError, "status list %s: %v", e.StatusListCredential, err), true
		}
		if !ok {
			continue
		}
		v, err := readStatus(e, token, keys, c.Issuer.ID)
		if err != nil {
			return fail(r, StatusError, "status list %s: %v", e.StatusListCredential, err), true
		}
		r.StatusChecked = true
		switch e.StatusPurpose {
		case PurposeRevocation:
			revoked = v == 1
		case PurposeMessage:
			message, msgs = v, e.StatusMessage
		}
	}
	text := ""
	for _, m := range msgs {
		if n, err := strconv.ParseInt(strings.TrimPrefix(m.Status, "0x"), 16, 64); err == nil && int(n) == message {
			text = m.Message
		}
	}
	r.Status = text
	// Either list alone says it: the message list is enough to refuse a
	// withdrawn or revoked award (a verifier may be given that one only).
	switch {
	case message == StatusWithdrawn:
		return fail(r, Withdrawn, "withdrawn (status list: %s)", text), true
	case revoked || message == StatusRevoked:
		reason := text
		if reason == "" || message == StatusInForce {
			reason = "revoked"
		}
		return fail(r, Revoked, "revoked (status list: %s)", reason), true
	case message == StatusExpired:
		return fail(r, Expired, "expired (status list: %s)", text), true
	}
	return r, false
}

// readStatus verifies a status list credential and reads entry e from it.
func readStatus(e StatusEntry, token string, keys PublicKeys, issuer string) (int, error) {
	payload, kid, err := verifyJWS(token, keys)
	if err != nil {
		return 0, err
	}
	var l StatusListCredential
	if err := json.Unmarshal(payload, &l); err != nil {
		return 0, fmt.Errorf("not a status list credential: %v", err)
	}
	if did, _, _ := strings.Cut(kid, "#"); l.Issuer != issuer || did != issuer {
		return 0, fmt.Errorf("issued by %s, not by the credential's issuer %s", l.Issuer, issuer)
	}
	if l.ID != e.StatusListCredential || l.CredentialSubject.StatusPurpose != e.StatusPurpose {
		return 0, fmt.Errorf("is %s for %q, not %s for %q", l.ID, l.CredentialSubject.StatusPurpose, e.StatusListCredential, e.StatusPurpose)
	}
	size := max(e.StatusSize, 1)
	b, err := DecodeBitstring(l.CredentialSubject.EncodedList, size)
	if err != nil {
		return 0, err
	}
	i, err := strconv.Atoi(e.StatusListIndex)
	if err != nil {
		return 0, fmt.Errorf("statusListIndex %q is not a number", e.StatusListIndex)
	}
	v, ok := b.Get(i)
	if !ok {
		return 0, fmt.Errorf("index %d is past the list's end", i)
	}
	return v, nil
}
