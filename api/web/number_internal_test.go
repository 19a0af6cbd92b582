package web

import (
	"testing"

	"github.com/emcc/accredit/projections"
)

// TestParseNumberRefusesWhatReadsTwoWays: a comma or a point is a decimal
// separator on either language's page; one followed by three digits after
// a whole part ("1,200", "1.200") separates thousands in one language and
// decimals in the other, and is refused rather than read as 1.2.
func TestParseNumberRefusesWhatReadsTwoWays(t *testing.T) {
	for in, want := range map[string]float64{"": 0, "120": 120, "12,5": 12.5, "12.5": 12.5, " 1 200 ": 1200, "1200": 1200,
		"0,125": 0.125, "0.125": 0.125, "12.25": 12.25, "1.2345": 1.2345, "1200,5": 1200.5} {
		if got, ok := parseNumber(in, false); !ok || got != want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"1,200", "1.200", "12,500", "999.000", "1,200.5", "1.200,5", "-3", "x", "NaN", "Inf"} {
		if got, ok := parseNumber(in, false); ok {
			t.Errorf("parseNumber(%q) = %v; want it refused", in, got)
		}
	}
	if _, ok := parseNumber("12,5", true); ok {
		t.Error(`a whole number: "12,5" accepted`)
	}
}

// TestAKappaJustBelowZeroReadsZero: a calibration figure that rounds to
// nothing is shown as 0, not "-0" (kappa a hair worse than chance).
func TestAKappaJustBelowZeroReadsZero(t *testing.T) {
	kappa, agreement := -0.004, 0.5
	for _, lang := range []string{"en", "nl"} {
		f := figureOf(projections.Agreement{Pairs: 8, Agreement: &agreement, Kappa: &kappa}, lang)
		if f.Kappa != "0" || f.KappaW != 0 {
			t.Errorf("%s: kappa %v shows as %q (bar %d), want \"0\" (bar 0)", lang, kappa, f.Kappa, f.KappaW)
		}
	}
}
