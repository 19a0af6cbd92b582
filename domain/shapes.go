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

// Known returns the constant of known that b spells, or b as a string of
// its own when it spells none. A value of an enumeration decoded into its
// constant is one string in the whole process, not one per record, and
// comparing it with a constant is a comparison of pointers: the read
// models compare every case they look at with the states, schemes, levels
// and roles of a query, and a copy of the value stored elsewhere in the
// heap cost a cache miss for each.
func Known[T ~string](b []byte, known []T) T {
	for _, k := range known {
		if string(k) == string(b) {
			return k
		}
	}
	return T(b)
}
