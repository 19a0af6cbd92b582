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
