package credential

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// The two status lists. Every credential has one index, the same in both:
//
//   - "revocation" (1 bit): set when the award was revoked or withdrawn.
//     A verifier that knows only revocation lists refuses it.
//   - "message" (2 bits): why it is no longer in force: 1 revoked by the
//     EMCC, 2 withdrawn, 3 expired (the message names it). Expiry is here
//     and not in the revocation list: a renewal after it makes the award
//     active again, and a revocation bit, once set, is never cleared.
const (
	PurposeRevocation = "revocation"
	PurposeMessage    = "message"
	// ListEntries is the entries of each list: the Bitstring Status List
	// minimum (131,072), so that a list reveals nothing by its size.
	ListEntries = 131072
	messageBits = 2
)

// The values of the message list.
const (
	StatusInForce   = 0
	StatusRevoked   = 1
	StatusWithdrawn = 2
	StatusExpired   = 3
)

// Messages are the message list's values and what they mean.
var Messages = []StatusMessage{
	{Status: "0x0", Message: "in force"},
	{Status: "0x1", Message: "revoked by the EMCC"},
	{Status: "0x2", Message: "withdrawn"},
	{Status: "0x3", Message: "expired"},
}

func (o Office) statusEntries(index int) []StatusEntry {
	i := strconv.Itoa(index)
	rev, msg := o.StatusListURL(PurposeRevocation), o.StatusListURL(PurposeMessage)
	return []StatusEntry{
		{ID: rev + "#" + i, Type: "BitstringStatusListEntry", StatusPurpose: PurposeRevocation, StatusListIndex: i, StatusListCredential: rev},
		{ID: msg + "#" + i, Type: "BitstringStatusListEntry", StatusPurpose: PurposeMessage, StatusListIndex: i, StatusListCredential: msg,
			StatusSize: messageBits, StatusMessage: Messages},
	}
}

// Bitstring is a status list's entries, statusSize bits each, the first
// entry in the most significant bits of the first byte.
type Bitstring struct {
	bits []byte
	size int
}

// NewBitstring is a list of n entries of size bits, all 0.
func NewBitstring(n, size int) *Bitstring {
	return &Bitstring{bits: make([]byte, (n*size+7)/8), size: size}
}

// Set sets entry i to v.
func (b *Bitstring) Set(i, v int) {
	for k := 0; k < b.size; k++ {
		bit := i*b.size + k
		mask := byte(0x80) >> (bit % 8)
		if v&(1<<(b.size-1-k)) != 0 {
			b.bits[bit/8] |= mask
		} else {
			b.bits[bit/8] &^= mask
		}
	}
}

// Get returns entry i; false when the list is too short to hold it.
func (b *Bitstring) Get(i int) (int, bool) {
	if i < 0 || (i+1)*b.size > len(b.bits)*8 {
		return 0, false
	}
	v := 0
	for k := 0; k < b.size; k++ {
		bit := i*b.size + k
		v <<= 1
		if b.bits[bit/8]&(byte(0x80)>>(bit%8)) != 0 {
			v |= 1
		}
	}
	return v, true
}

// Encode is the list's encodedList: "u" (multibase base64url, no padding)
// and the GZIP-compressed bits.
func (b *Bitstring) Encode() (string, error) {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	if _, err := w.Write(b.bits); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(z.Bytes()), nil
}

// maxListBytes bounds a decoded list: a hostile list cannot make a
// verifier inflate more than this.
const maxListBytes = 16 << 20

// DecodeBitstring reads an encodedList of entries of size bits.
func DecodeBitstring(encoded string, size int) (*Bitstring, error) {
	if len(encoded) < 2 || encoded[0] != 'u' {
		return nil, errors.New("encodedList is not multibase base64url (no 'u' prefix)")
	}
	z, err := base64.RawURLEncoding.DecodeString(encoded[1:])
	if err != nil {
		return nil, fmt.Errorf("encodedList: %w", err)
	}
	r, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not GZIP: %w", err)
	}
	bits, err := io.ReadAll(io.LimitReader(r, maxListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("encodedList: %w", err)
	}
	if len(bits) > maxListBytes {
		return nil, errors.New("encodedList is too large")
	}
	return &Bitstring{bits: bits, size: size}, nil
}

// StatusListCredential is a BitstringStatusListCredential.
type StatusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	CredentialSubject StatusListSubject `json:"credentialSubject"`
}

// StatusListSubject is the list itself.
type StatusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// StatusOf maps an award's status to the message list's value.
type StatusOf func(accreditationID string) (value int, known bool)

// StatusList makes the status list credential of purpose from the indexes
// given so far (accreditation id to index) and each award's status now.
func (o Office) StatusList(purpose string, indexes map[string]int, status StatusOf, now time.Time) (StatusListCredential, error) {
	size := 1
	if purpose == PurposeMessage {
		size = messageBits
	} else if purpose != PurposeRevocation {
		return StatusListCredential{}, fmt.Errorf("no status list %q", purpose)
	}
	b := NewBitstring(ListEntries, size)
	for acc, i := range indexes {
		v, ok := status(acc)
		if !ok || v == StatusInForce {
			continue
		}
		if purpose == PurposeRevocation {
			if v != StatusRevoked && v != StatusWithdrawn {
				continue
			}
			v = 1
		}
		b.Set(i, v)
	}
	enc, err := b.Encode()
	if err != nil {
		return StatusListCredential{}, err
	}
	url := o.StatusListURL(purpose)
	return StatusListCredential{
		Context:   []string{ContextVC2},
		ID:        url,
		Type:      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:    o.DID(),
		ValidFrom: now.UTC().Format(time.RFC3339),
		CredentialSubject: StatusListSubject{ID: url + "#list", Type: "BitstringStatusList", StatusPurpose: purpose,
			EncodedList: enc},
	}, nil
}
