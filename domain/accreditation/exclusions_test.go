package accreditation

import (
	"errors"
	"slices"
	"testing"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

// Exclusions gives one code per unmet condition, in qualify's order, and the
// same English texts the API's problem lists under "reasons".
func TestExclusionsNameEachUnmetCondition(t *testing.T) {
	for _, tc := range []struct {
		name string
		who  domain.Actor
		role AssessorRole
		mod  func(p *AssessorProfile)
		want []ExclusionCode
	}{
		{"qualified", assessorC, RoleAssessor, nil, nil},
		{"not active", assessorC, RoleAssessor, func(p *AssessorProfile) { p.Active = false }, []ExclusionCode{ExcludedInactive}},
		{"the applicant", applicant, RoleAssessor, nil, []ExclusionCode{ExcludedApplicant}},
		{"scheme, level and language at once", assessorC, RoleVerifier, func(p *AssessorProfile) {
			p.Schemes, p.MaxLevel, p.Languages = []string{"EQA"}, framework.Foundation, []string{"de"}
		}, []ExclusionCode{ExcludedScheme, ExcludedLevel, ExcludedLanguage}},
		{"an empty profile", assessorC, RoleAssessor, func(p *AssessorProfile) { *p = AssessorProfile{UserID: p.UserID, Active: true} },
			[]ExclusionCode{ExcludedScheme, ExcludedLevel, ExcludedLanguage}},
		{"declared a conflict", assessorC, RoleAssessor, func(p *AssessorProfile) { p.Conflicts = []string{applicant.ID} }, []ExclusionCode{ExcludedConflict}},
		{"holds the other role", assessorA, RoleVerifier, nil, []ExclusionCode{ExcludedOtherRole}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, accepted)
			h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}))
			p := profile(tc.who)
			if tc.mod != nil {
				tc.mod(&p)
			}
			ex := h.c.Exclusions(p, tc.role)
			var got []ExclusionCode
			for _, x := range ex {
				got = append(got, x.Code)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if len(ex) > 0 && ex[0].Code == ExcludedOtherRole && ex[0].Role != RoleAssessor {
				t.Fatalf("other_role names the role held: got %q, want assessor", ex[0].Role)
			}
			// The assignment refuses with the same texts, in the same order.
			_, err := h.run(officeScreen, with((*Case).Assign, AssignInput{Role: RoleVerifier, Profile: p}))
			if tc.role != RoleVerifier {
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.Unprocessable {
				t.Fatalf("assign: got %v, want an unprocessable error with reasons", err)
			}
			reasons, _ := de.Extra["reasons"].([]string)
			var texts []string
			for _, x := range ex {
				texts = append(texts, x.Text)
			}
			if !slices.Equal(reasons, texts) {
				t.Fatalf("problem reasons %q, want the exclusions' texts %q", reasons, texts)
			}
		})
	}
}
