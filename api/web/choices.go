package web

import (
	"io/fs"
	"regexp"
	"strings"
)

// A required choice (radios, a select) left empty says "Choose one", as
// the forms that check a choice themselves say "Choose a level": not the
// domain's one word "required" ("verplicht"), which reads as if something
// were to be typed.

// choiceField finds the fields the templates draw as radios or a select:
// a name, or the start of names made with print (reassign_to_<role>).
var choiceField = regexp.MustCompile(`\{\{template "(?:radios|select)" dict "P" \S+ "name" (?:"([^"]+)"|\(print "([^"]+)")`)

// choices are the names, and choicePrefixes the starts of names, of the
// choice fields of every page.
var choices, choicePrefixes = choiceFields(templateFS)

func choiceFields(fsys fs.FS) (names map[string]bool, prefixes []string) {
	names = map[string]bool{}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			panic(err)
		}
		for _, m := range choiceField.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "" {
				names[m[1]] = true
			} else {
				prefixes = append(prefixes, m[2])
			}
		}
	}
	return names, prefixes
}

// onlyAllowed is a reason that only lists the values allowed ("one of
// applicant, assessor, office", "must be renew, refuse or return"): for a
// choice left empty, the values the form offered. A reason that says more
// ("required for an award: one of ...") is kept.
var onlyAllowed = regexp.MustCompile(`^(one of|must be) [^:]*$`)

// isChoice reports whether the form field name is drawn as radios or a
// select.
func isChoice(name string) bool {
	if choices[name] {
		return true
	}
	for _, p := range choicePrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
