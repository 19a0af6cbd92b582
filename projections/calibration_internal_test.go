package projections

import (
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/emcc/accredit/domain/accreditation"
)

// An assessment's ratings are kept in category order, the last of a
// category given twice standing (as a map kept them), and their names are
// the package's constants, not the decoded event's strings.
func TestRatingsOfAnAssessment(t *testing.T) {
	decoded := accreditation.Rating(strings.Clone(string(accreditation.RatingNotEvidenced)))
	got := ratingsOf([]accreditation.CategoryRating{
		{Category: 3, Rating: accreditation.RatingEvidenced}, {Category: 1, Rating: accreditation.RatingPartiallyEvidenced}, {Category: 3, Rating: decoded},
	})
	want := ratings{{1, accreditation.RatingPartiallyEvidenced}, {3, accreditation.RatingNotEvidenced}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got.of(3) != accreditation.RatingNotEvidenced || got.of(2) != "" {
		t.Fatalf("of(3) %q, of(2) %q", got.of(3), got.of(2))
	}
	if unsafe.StringData(string(got[1].Rating)) != unsafe.StringData(string(accreditation.RatingNotEvidenced)) {
		t.Fatal("the decoded rating's string is kept, not the constant")
	}
}
