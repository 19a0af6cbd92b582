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

// textField finds the fields the templates draw as an input or a
// textarea: a name, or the start of names made with print
// (notes_<category>, aims.<aim>).
var textField = regexp.MustCompile(`\{\{template "(?:input|textarea)" dict "P" \S+ "name" (?:"([^"]+)"|\(printf? "([^"%]+))`)

// texts are the names, and textPrefixes the starts of names, of the text
// fields of every page.
var texts, textPrefixes = fieldsOf(templateFS, textField)

func choiceFields(fsys fs.FS) (names map[string]bool, prefixes []string) {
	return fieldsOf(fsys, choiceField)
}

// fieldsOf are the names and the starts of names that re finds in the
// templates.
func fieldsOf(fsys fs.FS, re *regexp.Regexp) (names map[string]bool, prefixes []string) {
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
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
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

// fillIn is the error of a text field name left empty: it names the
// field, as a choice's says "Choose one", not the domain's one word
// "required" ("verplicht"); "Fill this in" for a field without a name.
func (x *ctx) fillIn(name string) string {
	label := fieldLabel(x.lang, x.a.d.Catalogue, name)
	if label == "" || !hasMessage("field."+name) && label == strings.ReplaceAll(name, "_", " ") {
		return x.T("form.required")
	}
	return x.T("form.fill_in", label)
}

// emptyRequired reports whether a field's reason says that the field,
// empty, is required ("required", "required, at most 200 characters").
func emptyRequired(x *ctx, name, reason string) bool {
	return reason == "required" || strings.HasPrefix(reason, "required,") && x.fv(name) == ""
}

// isText reports whether the form field name is drawn as an input or a
// textarea.
func isText(name string) bool {
	if texts[name] {
		return true
	}
	for _, p := range textPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

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
