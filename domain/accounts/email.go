package accounts

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NormaliseEmail is the form emails are compared and indexed in: trimmed,
// NFKC (a fullwidth or Kelvin-sign copy is the same address), case-folded,
// and the domain in its IDNA ASCII form (bücher.example and
// xn--bcher-kva.example are one domain). It is applied on every lookup and
// when the index is built from stored events, so accounts registered before
// this normalisation are found by it too.
func NormaliseEmail(e string) string {
	s := norm.NFKC.String(trimEmail(e))
	s = norm.NFKC.String(cases.Fold().String(s))
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	local, domain := s[:at], s[at+1:]
	if a, err := idna.Lookup.ToASCII(domain); err == nil {
		domain = a
	}
	return local + "@" + domain
}

// displayEmail is the form an email is stored and shown in: trimmed and
// NFKC, with the case the user typed.
func displayEmail(e string) string { return norm.NFKC.String(trimEmail(e)) }

// trimEmail drops the ASCII blanks a form or a paste adds around an
// address; other white space (U+2028, U+0085) is refused, not dropped.
func trimEmail(e string) string { return strings.Trim(e, " \t\r\n") }

// CheckEmail refuses an address that is malformed, too long, or holds a
// character a reader cannot see: control and format characters (zero-width
// spaces and joiners, bidi controls), other default-ignorable code points,
// private-use and unassigned ones. Such an address looks like another's.
func CheckEmail(e string) error {
	raw := trimEmail(e)
	for _, r := range raw {
		if invisible(r) {
			return errors.New(reasonInvisible)
		}
	}
	d := displayEmail(raw)
	if len(d) > 254 {
		return errors.New("too long (at most 254 bytes)")
	}
	a, err := mail.ParseAddress(d)
	if err != nil || a.Address != d || a.Name != "" {
		return errors.New("a valid email address")
	}
	at := strings.LastIndexByte(d, '@')
	if _, err := idna.Lookup.ToASCII(d[at+1:]); err != nil {
		return errors.New("the domain is not a valid domain name")
	}
	return nil
}

const reasonInvisible = "holds an invisible or control character"

// invisible is true of every code point but letters, marks, digits,
// punctuation, symbols and the plain space (which the address syntax
// refuses by itself), and of the letters and marks that render as nothing
// (default-ignorable ones such as U+3164, variation selectors).
func invisible(r rune) bool {
	if r == ' ' {
		return false
	}
	return r == utf8.RuneError || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S) ||
		unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}
