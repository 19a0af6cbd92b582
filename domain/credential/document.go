package credential

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The JSON-LD contexts of an Open Badges 3.0 credential on the VC Data
// Model 2.0. They name the vocabulary; no verifier here loads them (a
// JOSE-secured credential is checked as the bytes that were signed).
const (
	ContextVC2  = "https://www.w3.org/ns/credentials/v2"
	ContextOB3  = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextDID  = "https://www.w3.org/ns/did/v1"
	ContextJWK  = "https://w3id.org/security/suites/jws-2020/v1"
	MediaType   = "application/vc+jwt" // VC-JOSE-COSE
	OfficeName  = "European Mentoring and Coaching Council (EMCC)"
	achieveType = "Certification"
)

// Office is the issuer: the EMCC office as the public sees it at BaseURL.
type Office struct {
	// BaseURL is the public address of the web application
	// ("https://accredit.emccglobal.org"); its host names the DID.
	BaseURL string
}

// DID is the office's did:web, made from the host (and port) of BaseURL:
// its DID document is served at /.well-known/did.json there.
func (o Office) DID() string {
	u, err := url.Parse(o.BaseURL)
	if err != nil || u.Host == "" {
		return "did:web:localhost"
	}
	return "did:web:" + strings.ReplaceAll(url.PathEscape(u.Host), ":", "%3A")
}

// KeyURL is the DID URL of key id: the kid of what it signs.
func (o Office) KeyURL(id string) string { return o.DID() + "#" + id }

func (o Office) base() string { return strings.TrimRight(o.BaseURL, "/") }

// VerifyURL is the public verification page of an accreditation (where a
// certificate's QR code points).
func (o Office) VerifyURL(accreditationID string) string {
	return o.base() + "/register/" + url.PathEscape(accreditationID)
}

// StatusListURL is the status list credential of purpose.
func (o Office) StatusListURL(purpose string) string {
	return o.base() + "/api/v1/credentials/status/" + purpose
}

// Award is what a credential says: one accreditation as it stands.
type Award struct {
	AccreditationID string
	Scheme          string // "eia" or "eqa"
	SchemeName      string // "EMCC Individual Accreditation (EIA)"
	Level           string // "senior_practitioner"
	LevelName       string // "Senior Practitioner"
	HolderID        string
	HolderName      string // the person, or for EQA the provider
	Programme       string // EQA: the programme's name
	AwardedAt       time.Time
	ValidUntil      time.Time
}

// Credential is an OpenBadgeCredential (Open Badges 3.0 on the VC Data
// Model 2.0), as signed.
type Credential struct {
	Context           []string      `json:"@context"`
	ID                string        `json:"id"`
	Type              []string      `json:"type"`
	Name              string        `json:"name"`
	Issuer            Profile       `json:"issuer"`
	ValidFrom         string        `json:"validFrom"`
	ValidUntil        string        `json:"validUntil,omitempty"`
	CredentialSubject Subject       `json:"credentialSubject"`
	CredentialStatus  []StatusEntry `json:"credentialStatus,omitempty"`
}

// Profile is the issuer: its id is the office's DID.
type Profile struct {
	ID   string   `json:"id"`
	Type []string `json:"type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
}

// Subject is the holder (an AchievementSubject) and what they achieved.
type Subject struct {
	Type        []string         `json:"type"`
	Identifier  []IdentityObject `json:"identifier"`
	Achievement Achievement      `json:"achievement"`
}

// IdentityObject names the holder. Unhashed: the certificate is shown by
// its holder to whoever they choose, and the register names them anyway.
type IdentityObject struct {
	Type         string `json:"type"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	IdentityHash string `json:"identityHash"`
}

// Achievement is the scheme and level awarded.
type Achievement struct {
	ID              string   `json:"id"`
	Type            []string `json:"type"`
	AchievementType string   `json:"achievementType"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Criteria        Criteria `json:"criteria"`
	FieldOfStudy    string   `json:"fieldOfStudy,omitempty"`
}

// Criteria says how the achievement is earned.
type Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative"`
}

// StatusEntry is a BitstringStatusListEntry.
type StatusEntry struct {
	ID                   string          `json:"id"`
	Type                 string          `json:"type"`
	StatusPurpose        string          `json:"statusPurpose"`
	StatusListIndex      string          `json:"statusListIndex"`
	StatusListCredential string          `json:"statusListCredential"`
	StatusSize           int             `json:"statusSize,omitempty"`
	StatusMessage        []StatusMessage `json:"statusMessage,omitempty"`
}

// StatusMessage says what a status value means.
type StatusMessage struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Holder names the credential's holder (the identifier of type "name").
func (c Credential) Holder() string {
	for _, id := range c.CredentialSubject.Identifier {
		if id.IdentityType == "name" {
			return id.IdentityHash
		}
	}
	return ""
}

// Build makes the credential of award a, with its status entries at index.
func (o Office) Build(a Award, index int) Credential {
	title := a.SchemeName + ", " + a.LevelName
	desc := fmt.Sprintf("Accredited by the EMCC at the level %s under the %s, against the EMCC Competence Framework.", a.LevelName, a.SchemeName)
	if a.Programme != "" {
		desc = fmt.Sprintf("The programme %q is accredited by the EMCC at the level %s under the %s.", a.Programme, a.LevelName, a.SchemeName)
	}
	c := Credential{
		Context: []string{ContextVC2, ContextOB3},
		ID:      o.base() + "/credentials/" + url.PathEscape(a.AccreditationID),
		Type:    []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:    title, // SchemeName begins with "EMCC" already
		Issuer:  Profile{ID: o.DID(), Type: []string{"Profile"}, Name: OfficeName, URL: o.base()},
		CredentialSubject: Subject{
			Type: []string{"AchievementSubject"},
			Identifier: []IdentityObject{
				{Type: "IdentityObject", IdentityType: "name", IdentityHash: a.HolderName},
				{Type: "IdentityObject", IdentityType: "systemId", IdentityHash: a.HolderID},
			},
			Achievement: Achievement{
				ID:              o.base() + "/achievements/" + a.Scheme + "/" + a.Level,
				Type:            []string{"Achievement"},
				AchievementType: achieveType,
				Name:            title,
				Description:     desc,
				Criteria:        Criteria{ID: o.base() + "/rules", Narrative: "Assessed by two EMCC assessors against the EMCC Competence Framework and decided by an awarding panel, under the rules published at " + o.base() + "/rules."},
				FieldOfStudy:    "Coaching and mentoring",
			},
		},
		ValidFrom:        a.AwardedAt.UTC().Format(time.RFC3339),
		CredentialStatus: o.statusEntries(index),
	}
	if !a.ValidUntil.IsZero() {
		c.ValidUntil = a.ValidUntil.UTC().Format(time.RFC3339)
	}
	return c
}

// DIDDocument is the office's DID document: every credential key, the
// current and the rotated ones, as JSON Web Keys.
type DIDDocument struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	AssertionMethod    []string             `json:"assertionMethod"`
}

// VerificationMethod is one key of the DID document.
type VerificationMethod struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Controller   string          `json:"controller"`
	PublicKeyJwk jose.JSONWebKey `json:"publicKeyJwk"`
}

// JWKS is the office's keys as a JSON Web Key Set (kid: the DID URL).
type JWKS struct {
	Keys []jose.JSONWebKey `json:"keys"`
}

func (o Office) jwk(k Key) jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.Public(), KeyID: o.KeyURL(k.ID), Algorithm: string(jose.EdDSA), Use: "sig"}
}

// Document is the DID document of keys.
func (o Office) Document(keys []Key) DIDDocument {
	d := DIDDocument{Context: []string{ContextDID, ContextJWK}, ID: o.DID(),
		VerificationMethod: []VerificationMethod{}, AssertionMethod: []string{}}
	for _, k := range keys {
		jwk := o.jwk(k)
		jwk.KeyID, jwk.Algorithm, jwk.Use = "", "", "" // the method's id names it
		d.VerificationMethod = append(d.VerificationMethod, VerificationMethod{ID: o.KeyURL(k.ID), Type: "JsonWebKey2020",
			Controller: o.DID(), PublicKeyJwk: jwk})
		d.AssertionMethod = append(d.AssertionMethod, o.KeyURL(k.ID))
	}
	return d
}

// KeySet is the JWKS of keys.
func (o Office) KeySet(keys []Key) JWKS {
	s := JWKS{Keys: []jose.JSONWebKey{}}
	for _, k := range keys {
		s.Keys = append(s.Keys, o.jwk(k))
	}
	return s
}
