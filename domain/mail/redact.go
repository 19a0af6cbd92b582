package mail

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// withoutAddress is text, a mail server's refusal, with the recipient's
// address written as <recipient>. Servers repeat it in more forms than the
// one sent: in another case, with the domain in IDNA ASCII (punycode) or
// in Unicode, or the local part alone ("user anna.smith unknown"). The
// refusal is stored and logged, while the address itself is sealed and
// goes with the recipient's erasure, so each form is taken out; the local
// part where it stands as a word of its own, and when it is long enough
// (three characters) not to take out the words around it.
func withoutAddress(text, address string) string {
	at := strings.LastIndexByte(address, '@')
	if address == "" || strings.ContainsRune(address, mark) {
		return text
	}
	if at < 0 {
		return strings.ReplaceAll(replaceFold(text, address, "", ""), string(mark), "<recipient>")
	}
	local, domain := address[:at], address[at+1:]
	forms := []string{address}
	if a, err := idna.Lookup.ToASCII(domain); err == nil {
		forms = append(forms, local+"@"+a)
	}
	if u, err := idna.Lookup.ToUnicode(domain); err == nil {
		forms = append(forms, local+"@"+u)
	}
	for _, f := range forms {
		text = replaceFold(text, f, "", "")
	}
	if utf8.RuneCountInString(local) >= 3 {
		text = replaceFold(text, local, `(^|[^\pL\pN._%+\-])`, `($|[^\pL\pN._%+\-])`)
	}
	return strings.ReplaceAll(text, string(mark), "<recipient>")
}

// mark stands for the address while forms are taken out, so that one
// form's replacement is not matched by the next (a local part
// "recipient"): a character of private use, neither letter nor digit.
const mark = '\uE000'

// replaceFold writes every occurrence of s in text, in any case (Unicode
// simple folding, on text itself: lowering it first could change its
// length and so the places found), between before and after (patterns
// that are kept), as mark.
func replaceFold(text, s, before, after string) string {
	re := regexp.MustCompile(before + `(?i:` + regexp.QuoteMeta(s) + `)` + after)
	repl := string(mark)
	if before != "" {
		repl = "${1}" + repl + "${2}"
	}
	// A boundary is taken by the match before it: "anna anna" needs a
	// second pass for its second word.
	for {
		out := re.ReplaceAllString(text, repl)
		if out == text {
			return out
		}
		text = out
	}
}
