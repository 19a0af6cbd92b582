package accreditation

import (
	"testing"

	"github.com/emcc/accredit/domain"
)

// The commands that check indicators use the catalogue the case was made
// with (Factory), never a global: a case made by New, as a read model makes
// it, has none and refuses them.
func TestCommandsCheckIndicatorsAgainstTheCaseCatalogue(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stage stage
		actor domain.Actor
		cmd   command
	}{
		{"UpdatePortfolio", opened, applicant, with((*Case).UpdatePortfolio, eligibleEIA())},
		{"AddEvidence", opened, applicant, with((*Case).AddEvidence, evidence("e-1", []int{1}, nil))},
		{"SubmitAssessment", inAssessment, assessorA, assess(RecommendAward, "")},
	} {
		t.Run("Internal/"+tc.name+" without a catalogue", func(t *testing.T) {
			h := given(t, SchemeEIA, tc.stage)
			h.c.catalogue = nil // as New makes it
			wantErr(t, h.fails(tc.actor, tc.cmd), domain.Internal, "no framework catalogue")
		})
	}
}
