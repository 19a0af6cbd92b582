// Package credential issues the EMCC office's awards as Open Badges 3.0
// credentials (OpenBadgeCredential on the W3C VC Data Model 2.0), keeps
// the office's Ed25519 credential keys, publishes them (DID document and
// JWKS), publishes the W3C Bitstring Status Lists that say which awards
// are no longer in force, and verifies credentials offline. It imports
// neither echo nor nats.
//
// How a credential is secured. Open Badges 3.0 admits two proof formats:
// a JWT (VC-JOSE) and an embedded Data Integrity proof. Data Integrity
// (eddsa-rdfc-2022) needs RDF canonicalisation and a JSON-LD document
// loader, and no maintained Go library for it is available to this
// project; writing canonicalisation by hand is what we must not do. So the
// credential is secured as W3C VC-JOSE-COSE prescribes for VC 2.0: a
// compact JWS (typ "vc+jwt", cty "vc", alg EdDSA over Ed25519) whose
// payload is the credential's JSON; the kid is the DID URL of the key
// (did:web of the public address, "#key-<time made>"). go-jose signs and
// verifies here; tests verify again with lestrrat-go/jwx, an independent
// implementation (credentialtest).
//
// Keys. One PEM file per key in a directory (KeyRing, created 0600); the
// newest signs, every key stays published so that a credential signed
// before a rotation still verifies. Processes of one cluster share the
// directory as they share the master key, and read it on every use, so a
// rotation (a new file) is used by all of them at once.
//
// Status. Each award gets one index, drawn at random among the free ones
// and recorded once as an event of the stream "credentialstatus.1" at the
// stream's expected version (two issuers never give one index twice). Two
// lists share it: "revocation" (1 bit: revoked or withdrawn) for verifiers
// that know only that, and "message" (2 bits: revoked, withdrawn, expired)
// which says why, so that a verifier can name the reason offline. The
// free-text reason the office recorded is not published: it may be
// personal, and the status says what a relying party needs.
package credential
