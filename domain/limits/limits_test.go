package limits_test

import (
	"math"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/limits"
)

func TestLimits(t *testing.T) {
	text := limits.Limit{Runes: 3}
	name := limits.Limit{Bytes: 4}
	list := limits.Limit{Items: 2}
	num := limits.Limit{Min: 0, Max: 10}
	for _, tc := range []struct {
		name string
		err  bool
		got  func() bool
	}{
		{"three four-byte characters are three characters", false, func() bool { return text.Text("f", "𝄞𝄞𝄞") != nil }},
		{"four characters are over", true, func() bool { return text.Text("f", "abcd") != nil }},
		{"a file name counts bytes", true, func() bool { return name.Text("f", "é.pd") != nil }},
		{"four bytes are within", false, func() bool { return name.Text("f", "a.pd") != nil }},
		{"two items are within", false, func() bool { return list.List("f", 2) != nil }},
		{"three items are over", true, func() bool { return list.List("f", 3) != nil }},
		{"the maximum is within", false, func() bool { return num.Number("f", 10) != nil }},
		{"above the maximum", true, func() bool { return num.Number("f", 10.001) != nil }},
		{"below the minimum", true, func() bool { return num.Number("f", -0.001) != nil }},
		{"NaN is out", true, func() bool { return num.Number("f", math.NaN()) != nil }},
		{"a name in any script is one line", false, func() bool { return limits.OneLine("f", "Zoë Ångström-محمد\u200cرضا 李") != nil }},
		{"a line break is not one line", true, func() bool { return limits.OneLine("f", "Zoë\nAdmin") != nil }},
		{"NUL is out", true, func() bool { return limits.OneLine("f", "Zoë\x00") != nil }},
		{"an escape is out", true, func() bool { return limits.OneLine("f", "Zoë\x1b[31m") != nil }},
		{"a line separator is out", true, func() bool { return limits.OneLine("f", "Zoë\u2028") != nil }},
		{"a bidi override is out", true, func() bool { return limits.OneLine("f", "\u202eëoZ") != nil }},
		{"a zero-width space is out", true, func() bool { return limits.OneLine("f", "Re\u200bne") != nil }},
		{"a right-to-left mark is out", true, func() bool { return limits.OneLine("f", "Zoë\u200f") != nil }},
		{"a byte order mark is out", true, func() bool { return limits.OneLine("f", "\ufeffZoë") != nil }},
		{"a zero-width joiner stays (scripts and emoji need it)", false, func() bool { return limits.OneLine("f", "क्\u200dष") != nil }},
		{"prose may hold line breaks, CR LF and tabs", false, func() bool { return limits.MultiLine("f", "Zoë\nÅngström\r\n\tمحمد\u200cرضا") != nil }},
		{"prose may hold the zero-width joiner", false, func() bool { return limits.MultiLine("f", "क्\u200dष") != nil }},
		{"NUL is out of prose", true, func() bool { return limits.MultiLine("f", "ok\x00") != nil }},
		{"an escape is out of prose", true, func() bool { return limits.MultiLine("f", "ok\x1b[2J") != nil }},
		{"a lone carriage return is out of prose", true, func() bool { return limits.MultiLine("f", "paid\rrefunded") != nil }},
		{"a carriage return at the end is out of prose", true, func() bool { return limits.MultiLine("f", "paid\r") != nil }},
		{"a C1 control is out of prose", true, func() bool { return limits.MultiLine("f", "ok\u009b31m") != nil }},
		{"a bidi override is out of prose", true, func() bool { return limits.MultiLine("f", "ok\u202e") != nil }},
		{"a bidi isolate is out of prose", true, func() bool { return limits.MultiLine("f", "ok\u2066") != nil }},
		{"prose may hold what pasted text carries unseen: a paragraph separator, a zero-width space, direction marks, a byte order mark", false,
			func() bool { return limits.MultiLine("f", "ok\u2029Re\u200bne \u200eא\u200f \ufeff") != nil }},
		{"Prose is the limit first", true, func() bool { return text.Prose("f", "abcd") != nil }},
		{"Prose refuses a control character within the limit", true, func() bool { return text.Prose("f", "a\x1b") != nil }},
		{"Prose takes a line break within the limit", false, func() bool { return text.Prose("f", "a\nb") != nil }},
		{"empty is blank", true, func() bool { return limits.Blank("") }},
		{"white space is blank", true, func() bool { return limits.Blank(" \n\t\u00a0\u3000") }},
		{"joiners, fillers and selectors are blank", true, func() bool { return limits.Blank("\u200c\u200d\u3164\u115f\u2800\ufe0f") }},
		{"a letter is not blank", false, func() bool { return limits.Blank("\u200cx") }},
		{"an emoji is not blank", false, func() bool { return limits.Blank("👍\ufe0f") }},
	} {
		if got := tc.got(); got != tc.err {
			t.Errorf("%s: refused %v, want %v", tc.name, got, tc.err)
		}
	}
	e := limits.Long.Text("categories[2].statement", strings.Repeat("x", limits.Long.Runes+1))
	if e == nil || e.Field != "categories[2].statement" || e.Reason != "at most 20000 characters" {
		t.Fatalf("the field error: got %+v, want the field and the limit named", e)
	}
	if err := limits.Check("m", nil, nil); err != nil {
		t.Fatalf("no field errors: got %v, want nil", err)
	}
}
