package web

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
)

// How the pages word a refusal that names no field: in the reader's
// language, whatever the domain's message.

// problem words an error that names no field, for a page's summary or the
// error page, in the reader's language: a refusal the web words itself
// (refusal), a message of the domain that problemTexts knows, else the
// domain's message on an English page and its Dutch (problemsNL) on a
// Dutch one, else the kind of error (its code) rather than the domain's
// English. An internal error is
// never shown in detail.
func (x *ctx) problem(err error) string { return x.problemOn(err, "") }

// problemOn is problem for where its words are shown: "" a form page's
// summary, "page" the error page, which shows no form to check; the kind
// of an error is said with problem.<code>.<where> when the catalogue has
// it for there. The domain's own message (a page in English, or one the
// catalogue has no words for) is written in lower case, to follow "cannot
// ...: ": shown on its own, it reads as a sentence.
func (x *ctx) problemOn(err error, where string) string {
	if r := x.refusal(err); r != "" {
		return r
	}
	code := domain.ErrorCode(err)
	if code == domain.Internal {
		return x.T("error.internal.body")
	}
	msg := domain.ErrorMessage(err)
	if k, ok := problemKeys[msg]; ok {
		return x.T(placed(k, where))
	}
	for _, pt := range problemTexts {
		if m := pt.re.FindStringSubmatch(msg); m != nil {
			return pt.words(x, m[1:])
		}
	}
	if x.lang == "en" {
		return sentence(msg)
	}
	if nl := dutchProblem(x, msg); nl != "" {
		return nl
	}
	if k := "problem." + string(code) + "." + where; where != "" && hasMessage(k) {
		return x.T(k)
	}
	if !hasMessage("problem." + string(code)) {
		return sentence(msg)
	}
	return x.T("problem." + string(code))
}

// placed is the catalogue's key of words for where they are shown:
// key.<where> when it has one (the error page, which shows no form to
// reload or check), else key.
func placed(key, where string) string {
	if k := key + "." + where; where != "" && hasMessage(k) {
		return k
	}
	return key
}

// sentence is a domain's message as a page shows it on its own: with a
// capital first letter (the domain writes its messages in lower case, to
// go after "cannot ...: "), and no other change.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// refusalReasons are the reasons a refusal lists beside its message
// (Extra["reasons"], the domain's English), in the reader's language as a
// field's reason is (translateReason): one with no Dutch yet reads as the
// domain wrote it, as a field's reason does, rather than be lost. Those
// the words already shown say are left out: a message that says one as a
// whole item of it (saysItem), and an assessor refused a role, whose
// reasons refusal words by their codes.
func (x *ctx) refusalReasons(err error, de *domain.Error, shown ...string) []string {
	list, _ := de.Extra["reasons"].([]string)
	if len(list) == 0 || errors.Is(err, accreditation.ErrNotQualified) && x.refusal(err) != "" {
		return nil
	}
	var out []string
	for _, r := range list {
		s := translateReason(x.lang, r)
		said := func(t string) bool { return saysItem(t, r) || saysItem(t, s) }
		if s == "" || slices.ContainsFunc(shown, said) || slices.Contains(out, s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// saysItem reports whether message t says reason as one of its items, the
// whole of one: a part of t from its start or after ": ", "; " or "(" to
// its end or before ";", ")" or "." (the domain joins a refusal's reasons
// with "; " after "cannot ...: ", or in parentheses), its first letter
// perhaps a capital (sentence). A reason that is only some words of an
// item ("in force" of "not in force") is not said.
func saysItem(t, reason string) bool {
	if reason == "" {
		return false
	}
	for start := 0; start+len(reason) <= len(t); start++ {
		if head := t[:start]; start > 0 && !strings.HasSuffix(head, ": ") && !strings.HasSuffix(head, "; ") && !strings.HasSuffix(head, "(") {
			continue
		}
		end := start + len(reason)
		if sentence(t[start:end]) == sentence(reason) && (end == len(t) || strings.ContainsRune(";).", rune(t[end]))) {
			return true
		}
	}
	return false
}

// problemKeys are the messages without a field that carry nothing, by the
// key of their words, which are placed where they are shown (the error
// page's own, key.page, when the catalogue has them).
var problemKeys = map[string]string{
	// A form the guard cannot read (readForm) is answered with the error
	// page, which shows no form to reload.
	"unreadable form": "problem.unreadable_form",
}

// problemTexts are the domain's messages without a field that a page can
// meet, with their words in the reader's language: the figures they carry
// go into the words, dates in the reader's format.
var problemTexts = []struct {
	re    *regexp.Regexp
	words func(x *ctx, m []string) string
}{
	{regexp.MustCompile(`^cannot publish: nothing changes from (\S+)$`), func(x *ctx, m []string) string {
		name := m[0]
		if r, ok := x.a.d.Cases.RuleSets().ByID(name); ok {
			name = rulesTitle(x, r)
		}
		return x.T("problem.nothing_changes", name)
	}},
	{regexp.MustCompile(`^at most (\d+) self-checks are kept per person$`), func(x *ctx, m []string) string {
		n, _ := strconv.Atoi(m[0])
		return x.T("problem.selfchecks_full", n)
	}},
	{regexp.MustCompile(`^cannot record the interview: it is on (\S+)$`), func(x *ctx, m []string) string {
		return x.T("problem.interview_ahead", problemTime(x, m[0]))
	}},
	{regexp.MustCompile(`^cannot renew: renewal is open from (\S+) until (\S+) \((\d+) months before the accreditation ends\)$`), func(x *ctx, m []string) string {
		return x.T("problem.renewal_not_open", problemTime(x, m[0]), problemTime(x, m[1]), m[2])
	}},
	{regexp.MustCompile(`^cannot renew: the accreditation ended on (\S+), and the rules set no grace period after the end$`), func(x *ctx, m []string) string {
		return x.T("problem.renewal_no_grace", problemDate(x, m[0]))
	}},
	{regexp.MustCompile(`^cannot renew: the accreditation ended on (\S+), and the grace period of (\d+) months ended on (\S+)$`), func(x *ctx, m []string) string {
		return x.T("problem.renewal_grace_ended", problemDate(x, m[0]), m[1], problemDate(x, m[2]))
	}},
	{regexp.MustCompile(`^this change takes (\d+) bytes in the record, over the (\d+) bytes one change may take`), func(x *ctx, m []string) string {
		return x.T("problem.change_too_large", m[0], m[1])
	}},
	{regexp.MustCompile(`^the upload was interrupted$`), func(x *ctx, _ []string) string { return x.T("problem.upload_interrupted") }},
	{regexp.MustCompile(`^search is not available on this server$`), func(x *ctx, _ []string) string { return x.T("problem.no_search") }},
	// An assessor other than the renewal's (it was given to someone else
	// since the page was opened), the office assigning the renewal of a
	// case never awarded (renewal.go), evidence removed already (a second
	// tab, a form sent twice): the ids the domain names say nothing to the
	// reader.
	{regexp.MustCompile(`^cannot [^:]+: only the renewal's assigned assessor may$`), func(x *ctx, _ []string) string {
		return x.T("problem.renewal_not_yours")
	}},
	{regexp.MustCompile(`^the case holds no accreditation$`), func(x *ctx, _ []string) string { return x.T("problem.no_accreditation") }},
	{regexp.MustCompile(`^cannot (?:remove|edit) evidence: no evidence ".*" in case ".*"$`), func(x *ctx, _ []string) string {
		return x.T("problem.no_evidence")
	}},
}

// problemDate and problemTime write a domain message's RFC 3339 time as a
// page writes a date (and time); as it came when it is not one.
func problemDate(x *ctx, s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return formatDate(x.lang, t, false)
	}
	return s
}

func problemTime(x *ctx, s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return formatDate(x.lang, t, true)
	}
	return s
}
