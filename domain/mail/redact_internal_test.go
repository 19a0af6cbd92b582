package mail

import (
	"strings"
	"testing"
)

// A refusal stored and logged keeps none of the forms a mail server may
// repeat the recipient's address in, and no more is taken out of it than
// the address.
func TestARefusalKeepsNoFormOfTheAddress(t *testing.T) {
	for _, tc := range []struct{ name, address, text, want string }{
		{"as sent", "anna.smith@example.org", "550 5.1.1 <anna.smith@example.org>: Recipient address rejected",
			"550 5.1.1 <<recipient>>: Recipient address rejected"},
		{"another case", "anna.smith@example.org", "550 ANNA.SMITH@EXAMPLE.ORG unknown", "550 <recipient> unknown"},
		{"the domain in punycode", "jörg@bücher.example", "550 <jörg@xn--bcher-kva.example> no such user", "550 <<recipient>> no such user"},
		{"the domain in Unicode", "jörg@xn--bcher-kva.example", "550 jörg@bücher.example: no mailbox", "550 <recipient>: no mailbox"},
		{"the local part alone", "anna.smith@example.org", "550 user anna.smith unknown; anna.smith again", "550 user <recipient> unknown; <recipient> again"},
		{"the local part twice in a row", "anna@example.org", "anna anna", "<recipient> <recipient>"},
		{"the local part inside a word stays", "ann@example.org", "550 planned maintenance, annex 2", "550 planned maintenance, annex 2"},
		{"a short local part stays", "jo@example.org", "550 jo: mailbox full", "550 jo: mailbox full"},
		// Lowering "İ" makes it longer: the places found in a lowered copy
		// cut the address short, or past the text's end.
		{"a character whose lower case is longer", "anna.smith@example.org", "550 İİİİ anna.smith@example.org", "550 İİİİ <recipient>"},
		{"a local part that reads as the mark's word", "recipient@example.org", "550 recipient unknown", "550 <recipient> unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := withoutAddress(tc.text, tc.address)
			if got != tc.want {
				t.Fatalf("withoutAddress(%q, %q) = %q, want %q", tc.text, tc.address, got, tc.want)
			}
			local := tc.address[:strings.LastIndexByte(tc.address, '@')]
			if len(local) >= 3 && strings.Contains(strings.ToLower(got), strings.ToLower(tc.address)) {
				t.Fatalf("%q still holds the address", got)
			}
		})
	}
}
