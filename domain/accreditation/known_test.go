package accreditation

import (
	"encoding/json"
	"testing"
	"time"
	"unsafe"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
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
	verifier, _ := c.Assignments.Get(RoleVerifier)
	for _, p := range []struct{ what, got, want string }{
		{"scheme", string(c.Scheme), string(SchemeEQA)},
		{"level", string(c.Level), string(framework.SeniorPractitioner)},
		{"state", string(c.State), string(StateInAssessment)},
		{"assignment's role", string(verifier.Role), string(RoleVerifier)},
	} {
		if p.got != p.want || !sameString(p.got, p.want) {
			t.Errorf("%s %q is not the constant %q", p.what, p.got, p.want)
		}
	}
	for k := range c.Assignments.All() {
		if !sameString(string(k), string(RoleVerifier)) {
			t.Errorf("assignments' key %q is not the constant", k)
		}
	}
	for k := range c.Assessments.All() {
		if !sameString(string(k), string(RoleAssessor)) {
			t.Errorf("assessments' key %q is not the constant", k)
		}
	}

	var odd Case
	if err := json.Unmarshal([]byte(`{"scheme":"eia","level":"grand","state":"lost"}`), &odd); err != nil {
		t.Fatal(err)
	}
	if odd.Scheme != "eia" || odd.Scheme.Valid() || odd.Level != "grand" || odd.Level.Rank() != 0 || odd.State != "lost" {
		t.Errorf("values that are no constant not kept as written: %+v", odd)
	}
	var bad Case
	if err := json.Unmarshal([]byte(`{"scheme":5}`), &bad); err == nil {
		t.Error("a number decoded as a scheme")
	}
}

// A case opened holds its language as the one string of its code, and
// ShareConstants gives a case decoded whole (the read side's cold cases)
// the same for its language and its participants' parts.
func TestACaseSharesItsLanguageAndParts(t *testing.T) {
	var c Case
	data := []byte(`{"case_id":"c-1","scheme":"EIA","level":"practitioner","language":"nl","applicant_id":"app-1"}`)
	e := eventstore.Event{ID: "e", Type: string(EventCaseOpened), SchemaVersion: SchemaVersion(EventCaseOpened),
		OccurredAt: time.Now(), Actor: domain.System, Data: data}
	if err := c.Apply(e); err != nil {
		t.Fatal(err)
	}
	if c.Language != "nl" || !sameString(c.Language, domain.Language("nl")) {
		t.Errorf("opened case's language %q is not the one string of nl", c.Language)
	}

	var d Case
	in := `{"language":"en","participants":[{"user_id":"U1","part":"applicant"},{"user_id":"U2","part":"verifier"},{"user_id":"U3","part":"other"}]}`
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	d.ShareConstants()
	if !sameString(d.Language, domain.Language("en")) {
		t.Errorf("language %q not shared", d.Language)
	}
	if !sameString(d.Participants[0].Part, PartApplicant) || !sameString(d.Participants[1].Part, PartVerifier) {
		t.Errorf("parts %+v not the constants", d.Participants)
	}
	if d.Participants[2].Part != "other" || d.Participants[2].UserID != "U3" {
		t.Errorf("a part that is none not kept as written: %+v", d.Participants[2])
	}
}
