package domain

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
// as a case's language and an assessor's languages are written.
func ValidLanguage(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}
