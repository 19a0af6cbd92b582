package domain

import "golang.org/x/text/language"

// ValidULID reports whether id has the shape of the ids this system makes
// for users and cases: a ULID, 26 digits and upper-case letters. An id of
// any other shape names nothing, and is safe nowhere as a key token.
func ValidULID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// ValidLanguage reports whether s is a lower-case two-letter language code,
// as a case's language and an assessor's languages are written. It checks
// the shape only (what is stored may be read back whatever it holds); a
// new value is checked with AssignedLanguage.
func ValidLanguage(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// AssignedLanguage reports whether s is a two-letter code ISO 639-1
// assigns to a language ("en", "nl"), as ValidLanguage's shape and known to
// golang.org/x/text/language: a case opened in "xx" would wait for an
// assessor of a language nobody speaks.
func AssignedLanguage(s string) bool {
	if !ValidLanguage(s) {
		return false
	}
	_, err := language.ParseBase(s)
	return err == nil
}

// Language returns s, a language code, as the one string of that code in
// the process when it is valid (see ValidLanguage and Known), otherwise s
// as it is. The queues compare and write every case's language.
func Language(s string) string {
	if !ValidLanguage(s) {
		return s
	}
	i := 2 * (int(s[0]-'a')*26 + int(s[1]-'a'))
	return languageCodes[i : i+2]
}

// languageCodes is every two-letter code, "aaabac...zz", in one string.
var languageCodes = func() string {
	b := make([]byte, 0, 2*26*26)
	for x := byte('a'); x <= 'z'; x++ {
		for y := byte('a'); y <= 'z'; y++ {
			b = append(b, x, y)
		}
	}
	return string(b)
}()

// Known returns the constant of known that b spells; when it spells none,
// b as it is if a string, or a string of its own if bytes (a decoder's
// buffer is reused). A value of an enumeration decoded into its
// constant is one string in the whole process, not one per record, and
// comparing it with a constant is a comparison of pointers: the read
// models compare every case they look at with the states, schemes, levels
// and roles of a query, and a copy of the value stored elsewhere in the
// heap cost a cache miss for each.
func Known[T ~string, B ~string | ~[]byte](b B, known []T) T {
	for _, k := range known {
		if string(k) == string(b) {
			return k
		}
	}
	return T(b)
}
