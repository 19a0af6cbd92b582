package projections

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// A case read back from its compressed form (a cold case, a snapshot's)
// holds its scheme, level, state, roles, language and participants' parts
// as the constants (the one string of a language code), not as
// copies of their bytes: the queues compare them for every case they
// look at.
func TestAnInflatedCaseHoldsTheConstants(t *testing.T) {
	copyOf := func(s string) string { return strings.Clone(s) }
	c := &accreditation.Case{ID: "01JCASE0000000000000000000",
		Scheme: accreditation.Scheme(copyOf("EIA")), Level: framework.Level(copyOf("practitioner")),
		State: accreditation.State(copyOf("awaiting_assessment")), Language: copyOf("nl"),
		Participants: []accreditation.Participant{{UserID: "U0", Part: copyOf("applicant")}, {UserID: "U1", Part: copyOf("assessor")},
			{UserID: "U2", Part: copyOf("not_a_part")}},
		Assignments: accreditation.NewAssignments(accreditation.Assignment{Role: accreditation.AssessorRole(copyOf("assessor")), UserID: "U1"}),
	}
	b, err := compressCase(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decompressCase(b)
	if err != nil {
		t.Fatal(err)
	}
	same := func(what, a, b string) {
		if a != b || unsafe.StringData(a) != unsafe.StringData(b) {
			t.Errorf("%s %q is not the constant %q", what, a, b)
		}
	}
	same("scheme", string(got.Scheme), string(accreditation.SchemeEIA))
	same("level", string(got.Level), string(framework.Practitioner))
	same("state", string(got.State), string(accreditation.StateAwaitingAssessment))
	for k, a := range got.Assignments.All() {
		same("assignments' key", string(k), string(accreditation.RoleAssessor))
		same("assignment's role", string(a.Role), string(accreditation.RoleAssessor))
	}
	same("language", got.Language, domain.Language("nl"))
	same("applicant's part", got.Participants[0].Part, accreditation.PartApplicant)
	same("assessor's part", got.Participants[1].Part, accreditation.PartAssessor)
	if p := got.Participants[2]; p.Part != "not_a_part" || p.UserID != "U2" {
		t.Errorf("a part that is none not kept as written: %+v", p)
	}
	if got.Assignments.Len() != 1 {
		t.Fatalf("assignments %v", got.Assignments)
	}
}
