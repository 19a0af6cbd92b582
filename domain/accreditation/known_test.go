package accreditation

import (
	"encoding/json"
	"testing"
	"unsafe"

	"github.com/emcc/accredit/domain/framework"
)

// sameString reports whether a and b are one string in memory, not two
// copies of the same bytes.
func sameString(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

// A case decoded from JSON holds its scheme, level, state and roles (as
// values and as its maps' keys) as the constants, not copies; a value that
// is none of them is kept as written, for validation to refuse.
func TestDecodedEnumerationsAreTheirConstants(t *testing.T) {
	var c Case
	in := `{"scheme":"EQA","level":"senior_practitioner","state":"in_assessment",
		"assignments":{"verifier":{"role":"verifier","user_id":"U1"}},
		"assessments":{"assessor":{"role":"assessor"}}}`
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ what, got, want string }{
		{"scheme", string(c.Scheme), string(SchemeEQA)},
		{"level", string(c.Level), string(framework.SeniorPractitioner)},
		{"state", string(c.State), string(StateInAssessment)},
		{"assignment's role", string(c.Assignments[RoleVerifier].Role), string(RoleVerifier)},
	} {
		if p.got != p.want || !sameString(p.got, p.want) {
			t.Errorf("%s %q is not the constant %q", p.what, p.got, p.want)
		}
	}
	for k := range c.Assignments {
		if !sameString(string(k), string(RoleVerifier)) {
			t.Errorf("assignments' key %q is not the constant", k)
		}
	}
	for k := range c.Assessments {
		if !sameString(string(k), string(RoleAssessor)) {
			t.Errorf("assessments' key %q is not the constant", k)
		}
	}

	var odd Case
	if err := json.Unmarshal([]byte(`{"scheme":"eia","level":"grand","state":"lost","assignments":{"judge":{"role":"judge"}}}`), &odd); err != nil {
		t.Fatal(err)
	}
	if odd.Scheme != "eia" || odd.Scheme.Valid() || odd.Level != "grand" || odd.Level.Rank() != 0 || odd.State != "lost" ||
		odd.Assignments["judge"].Role != "judge" || AssessorRole("judge").Valid() {
		t.Errorf("values that are no constant not kept as written: %+v", odd)
	}
	var bad Case
	if err := json.Unmarshal([]byte(`{"scheme":5}`), &bad); err == nil {
		t.Error("a number decoded as a scheme")
	}
}
