package pii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// blindKey derives the key of Blind from the master key; the label keeps
// it apart from anything else the master key is used for.
func blindKey(master []byte) []byte {
	mac := hmac.New(sha256.New, master)
	mac.Write([]byte("accredit/pii/blind-index/v1"))
	return mac.Sum(nil)
}

// Blind returns a keyed digest of value (32 hex characters) to find or
// lock a record by a personal value (a normalised email) without writing
// the value down: equal values blind alike, and without the master key the
// digest cannot be tested against a guessed value.
func (v *Vault) Blind(value string) string {
	mac := hmac.New(sha256.New, v.blind)
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}
