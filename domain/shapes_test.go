package domain

import (
	"testing"
	"unsafe"
)

// TestValidULID pins the one id check of the API's and the web's paths and
// of session tokens: 26 digits and upper-case letters, nothing else.
func TestValidULID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"01JDQ8Z6T1V3M2K4N5P6R7S8T9", true},
		{"00000000000000000000000000", true},
		{"ZZZZZZZZZZZZZZZZZZZZZZZZZZ", true},
		{"01JDQ8Z6T1V3M2K4N5P6R7S8T", false},   // 25
		{"01JDQ8Z6T1V3M2K4N5P6R7S8T90", false}, // 27
		{"01jdq8z6t1v3m2k4n5p6r7s8t9", false},  // lower case
		{"01JDQ8Z6T1V3M2K4N5P6R7S8T-", false},
		{"01JDQ8Z6T1V3M2K4N5P6R7S8T.", false},
		{"01JDQ8Z6T1V3M2K4N5P6R7S8T ", false},
		{"01JDQ8Z6T1V3M2K4N5P6R7S8É", false}, // 26 bytes, but É is no ULID letter
		{"", false},
	} {
		if got := ValidULID(tc.id); got != tc.want {
			t.Errorf("ValidULID(%q): got %v, want %v", tc.id, got, tc.want)
		}
	}
}

// TestValidLanguage pins the shape of a language code as stored: two
// lower-case letters, assigned or not (see TestAssignedLanguage).
func TestValidLanguage(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"en", true}, {"nl", true}, {"zz", true},
		{"EN", false}, {"e", false}, {"eng", false}, {"e1", false}, {"", false}, {" en", false}, {"é", false},
	} {
		if got := ValidLanguage(tc.s); got != tc.want {
			t.Errorf("ValidLanguage(%q): got %v, want %v", tc.s, got, tc.want)
		}
	}
}

// TestAssignedLanguage: a new case's language and an assessor's languages
// are codes ISO 639-1 assigns, not any two letters.
func TestAssignedLanguage(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"en", true}, {"nl", true}, {"de", true}, {"zu", true}, {"eo", true},
		{"xx", false}, {"zz", false}, {"qa", false},
		{"EN", false}, {"eng", false}, {"", false}, {" en", false},
	} {
		if got := AssignedLanguage(tc.s); got != tc.want {
			t.Errorf("AssignedLanguage(%q): got %v, want %v", tc.s, got, tc.want)
		}
	}
}

// TestKnownIsTheConstantOrACopy: bytes that spell a constant give that
// constant itself; others a string of their own, which the decoder's
// buffer, reused after, does not change.
func TestKnownIsTheConstantOrACopy(t *testing.T) {
	type colour string
	const red, blue colour = "red", "blue"
	known := []colour{red, blue}
	b := []byte("blue")
	if got := Known(b, known); got != blue || unsafe.StringData(string(got)) != unsafe.StringData(string(blue)) {
		t.Errorf("Known(blue) = %q, not the constant", got)
	}
	b = []byte("green")
	got := Known(b, known)
	copy(b, "xxxxx")
	if got != "green" {
		t.Errorf("Known(green) = %q after its bytes were reused, want green", got)
	}
	if got := Known([]byte(nil), known); got != "" {
		t.Errorf("Known(nil) = %q", got)
	}
	// A string, as well as bytes: the constant, or the string itself.
	s := string([]byte("blue"))
	if got := Known(s, known); unsafe.StringData(string(got)) != unsafe.StringData(string(blue)) {
		t.Errorf("Known of the string blue = %q, not the constant", got)
	}
	if got := Known("green", known); got != "green" {
		t.Errorf("Known of the string green = %q", got)
	}
}

// A valid code is one string in the process, whatever bytes it came from;
// anything else is kept as it is.
func TestLanguageIsTheOneStringOfItsCode(t *testing.T) {
	for _, code := range []string{"aa", "en", "nl", "zz"} {
		a, b := Language(string([]byte(code))), Language(string([]byte(code)))
		if a != code || unsafe.StringData(a) != unsafe.StringData(b) {
			t.Errorf("Language(%q) = %q, %q: not one string of the code", code, a, b)
		}
	}
	for _, s := range []string{"", "e", "EN", "eng", "e1", "{n"} {
		if got := Language(s); got != s {
			t.Errorf("Language(%q) = %q, want it as it is", s, got)
		}
	}
}
