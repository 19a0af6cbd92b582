package projections

import (
	"fmt"
	"testing"

	"github.com/emcc/accredit/domain/accreditation"
)

// TestTheMedianTimeToAwardIsRoundedOnce: awards after 24.46 days are 3.49
// weeks, 3 whole weeks; rounding the days to a tenth first (24.5, 3.5
// weeks) made them 4.
func TestTheMedianTimeToAwardIsRoundedOnce(t *testing.T) {
	for _, tc := range []struct {
		days float64
		want int
	}{{24.46, 3}, {24.5, 4}, {45.4, 6}, {45.56, 7}} {
		var gs []*graduateCase
		for i := range MinGraduates {
			gs = append(gs, &graduateCase{Applicant: fmt.Sprintf("g%d", i), Outcome: accreditation.OutcomeAwarded, DaysToAward: tc.days})
		}
		if got := timeToAward(gs); !got.Shown || got.MedianWeeks != tc.want {
			t.Errorf("awards after %v days: median %d weeks (shown %v), want %d", tc.days, got.MedianWeeks, got.Shown, tc.want)
		}
	}
}
