package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// KDF is the cost of the Argon2id password hash: passes and memory.
type KDF struct {
	Time      uint32 // passes
	MemoryKiB uint32
}

// DefaultKDF is OWASP's recommended minimum for Argon2id: 19 MiB, 2 passes.
// Every real password is hashed with it.
var DefaultKDF = KDF{Time: 2, MemoryKiB: 19 * 1024}

// TestingKDF is the cheapest Argon2id cost, for tests that make many users
// and are not about hashing: a user then costs microseconds, not a second
// on a busy machine. Never for real passwords: only apptest sets it.
var TestingKDF = KDF{Time: 1, MemoryKiB: 8}

const (
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// HashPassword returns an argon2id hash in the PHC string format, at the
// default cost.
func HashPassword(password string) string { return DefaultKDF.Hash(password) }

// Hash returns an argon2id hash of password at cost k in the PHC string
// format; CheckPassword reads the cost back from it.
func (k KDF) Hash(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, k.Time, k.MemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, k.MemoryKiB, k.Time, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether password matches a hash from HashPassword,
// with the parameters recorded in the hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the email is unknown, so that a login
// takes as long whether or not the account exists.
var dummyHash = HashPassword("not a real password, only for timing")

// MaxPasswordLength is the longest password accepted, in characters.
const MaxPasswordLength = 256

// Reasons a password is refused, as the field errors say them.
const (
	ReasonPasswordMissing = "required, at least 12 characters"
	ReasonPasswordShort   = "at least 12 characters"
	ReasonPasswordLong    = "at most 256 characters"
	ReasonPasswordBlank   = "must not be only spaces"
	ReasonPasswordCommon  = "a common password, or made from one"
)

// commonPasswordsFile is zxcvbn's list of the 30,000 most common passwords
// (see its header for the source and licence).
//
//go:embed common-passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 30_000)
	for line := range strings.Lines(commonPasswordsFile) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = struct{}{}
		}
	}
	return m
})

// CheckNewPassword says why a password may not be chosen, or "" when it
// may. Length is counted in characters, not bytes, so that a password of
// six accented letters is not twelve long. Few common passwords have 12
// characters, so the list is compared with what a password is made from:
// lower-cased without spaces, without the digits and symbols around it,
// with l33t spelling undone, and the unit of a repetition
// ("passwordpassword", "P@ssw0rd2024!" and "dragon dragon 1" are refused).
func CheckNewPassword(pw string) string {
	switch n := utf8.RuneCountInString(pw); {
	case pw == "": // not given: "only spaces" would puzzle its sender
		return ReasonPasswordMissing
	case strings.TrimSpace(pw) == "":
		return ReasonPasswordBlank
	case n < MinPasswordLength:
		return ReasonPasswordShort
	case n > MaxPasswordLength:
		return ReasonPasswordLong
	}
	common := commonPasswords()
	forms, units := passwordForms(pw)
	for _, f := range forms {
		if _, ok := common[f]; ok {
			return ReasonPasswordCommon
		}
	}
	for _, u := range units {
		if utf8.RuneCountInString(u) <= 3 { // "aaaaaaaaaaaa", "abcabcabcabc"
			return ReasonPasswordCommon
		}
	}
	return ""
}

// passwordForms lists what pw is made from, in the form the list is in,
// and the units it repeats, if it is a repetition.
func passwordForms(pw string) (forms, units []string) {
	base := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, strings.ToLower(norm.NFKC.String(pw)))
	core := strings.TrimFunc(base, func(r rune) bool { return !unicode.IsLetter(r) })
	forms = []string{base, core}
	for _, s := range []string{base, core} {
		forms = append(forms, unleet(s, 'i'), unleet(s, 'l'))
	}
	for _, s := range slices.Clone(forms) {
		if u := repeatedUnit(s); u != "" {
			units = append(units, u)
			forms = append(forms, u, strings.TrimFunc(u, func(r rune) bool { return !unicode.IsLetter(r) }))
		}
	}
	return forms, units
}

// unleet undoes the usual l33t spellings; one stands for one.
func unleet(s string, one rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '@', '4':
			return 'a'
		case '0':
			return 'o'
		case '1', '!', '|':
			return one
		case '3':
			return 'e'
		case '$', '5':
			return 's'
		case '7', '+':
			return 't'
		case '8':
			return 'b'
		case '9':
			return 'g'
		}
		return r
	}, s)
}

// repeatedUnit is u when s is u repeated twice or more, else "".
func repeatedUnit(s string) string {
	r := []rune(s)
	for n := 1; n <= len(r)/2; n++ {
		if len(r)%n == 0 && strings.Repeat(string(r[:n]), len(r)/n) == s {
			return string(r[:n])
		}
	}
	return ""
}
