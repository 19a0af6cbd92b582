package web

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	// allowedAfterOneOf is the list of values a reason allows after "one
	// of" (and what they are: "one of the kinds of EIA evidence: a, b").
	allowedAfterOneOf = regexp.MustCompile(`one of (?:[^:]*: )?(.+)$`)
	// allowedList is a reason that is only a list of values: "a, b or c",
	// "must be a, b or c".
	allowedList = regexp.MustCompile(`^(?:must be )?((?:(?:"[^"]*"|[\w]+), )*(?:"[^"]*"|[\w]+) or (?:"[^"]*"|[\w]+))$`)
	// requestCode is a value as a request sends it, which a page cannot
	// reword: with an underscore, quoted, in capitals, or a format's value.
	requestCode = regexp.MustCompile(`_|"|^[A-Z]+$|^v\d+$`)
)

// distinctSample is format with each verb given a value of its own (v1,
// v2, ...; sampleOf gives them all one), so that the Dutch of "%q is not
// an aim; one of %s" cannot pass by naming the aim sent for the list.
func distinctSample(format string) string {
	n := 0
	return fmtVerb.ReplaceAllStringFunc(format, func(v string) string {
		if v == "%%" {
			return "%"
		}
		n++
		if v[len(v)-1] == 'q' {
			return fmt.Sprintf(`"v%d"`, n)
		}
		return fmt.Sprintf("v%d", n)
	})
}

// wordedValues are the reasons listing values with a code among them
// whose Dutch says the values in the reader's words, with why.
var wordedValues = map[string]string{
	"one of applicant, assessor, office": "the roles, as the pages name them",
	"must be awarded or not_awarded":     "the outcomes, as the decision form's choices name them (outcome.*)",
}

// TestEveryReasonKeepsTheValuesItAllowsInDutch walks the source for every
// field reason that names the values allowed ("one of a, b, c", "must be
// a, b or c" with codes in it) and fails on one whose Dutch drops any of
// them (a level, an aim, a rule, a rating, a recommendation, a language):
// the English page lists them, and the Dutch reader needs them as much.
func TestEveryReasonKeepsTheValuesItAllowsInDutch(t *testing.T) {
	checked := 0
	for _, r := range walkRefusals(t, "../..") {
		if r.kind != "reason" || wordedValues[r.text] != "" {
			continue
		}
		s := distinctSample(r.text)
		var values []string
		if m := allowedAfterOneOf.FindStringSubmatch(s); m != nil {
			values = strings.Split(m[1], ", ")
		} else if m := allowedList.FindStringSubmatch(s); m != nil {
			last := strings.LastIndex(m[1], " or ")
			values = append(strings.Split(m[1][:last], ", "), m[1][last+len(" or "):])
			if !slices.ContainsFunc(values, requestCode.MatchString) {
				continue // words, which the Dutch may say in its own
			}
		} else {
			continue
		}
		checked++
		nl := translateReason("nl", s)
		for _, v := range values {
			if !strings.Contains(nl, v) {
				t.Errorf("%s: %q reads in Dutch %q, without %s", r.at, s, nl, v)
			}
		}
	}
	if checked < 15 {
		t.Fatalf("checked %d reasons that name the values allowed: the walk no longer finds them", checked)
	}
}

// TestEveryReasonKeepsTheLevelsItNamesInDutch walks the source for every
// field reason that names a level ("%s is above the level applied for,
// %s", "a level below %s") and fails on one whose Dutch drops a value it
// names, or has no Dutch: the English page says which levels, the case's
// and the one sent, and the Dutch reader needs them as much.
func TestEveryReasonKeepsTheLevelsItNamesInDutch(t *testing.T) {
	checked := 0
	for _, r := range walkRefusals(t, "../..") {
		if r.kind != "reason" || !strings.Contains(r.text, "level") || !fmtVerb.MatchString(r.text) {
			continue
		}
		s, values := namedSample(r.text)
		checked++
		nl := translateReason("nl", s)
		if nl == s {
			t.Errorf("%s: %q has no Dutch", r.at, s)
			continue
		}
		for _, v := range values {
			if !strings.Contains(nl, v) {
				t.Errorf("%s: %q reads in Dutch %q, without %s", r.at, s, nl, v)
			}
		}
	}
	if checked < 7 {
		t.Fatalf("checked %d reasons that name a level: the walk no longer finds them", checked)
	}
}

// namedSample is format with each verb given a value of its own, one its
// Dutch can match (a number for %d, as sampleOf gives), and those values.
func namedSample(format string) (string, []string) {
	var values []string
	s := fmtVerb.ReplaceAllStringFunc(format, func(v string) string {
		var x string
		switch n := len(values) + 1; v[len(v)-1] {
		case '%':
			return "%"
		case 'd':
			x = fmt.Sprint(70 + n)
		case 'q':
			x = fmt.Sprintf(`"v%d"`, n)
		default:
			x = fmt.Sprintf("v%d", n)
		}
		values = append(values, x)
		return x
	})
	return s, values
}
