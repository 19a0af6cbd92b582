package accreditation

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

// The roles held on a case read and write as the map by role they were
// kept in before (snapshots written then are read now, and answers did
// not change): the same bytes, and the same assignments read back.
func TestAssignmentsAreWrittenAsTheMapByRoleWas(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	assessor := Assignment{Role: RoleAssessor, UserID: "U1", How: HowClaimed, At: at, By: "U1"}
	verifier := Assignment{Role: RoleVerifier, UserID: "U2 <&>", How: HowAssigned, At: at.Add(time.Hour), By: "O1"}
	for _, held := range [][]Assignment{nil, {assessor}, {verifier}, {verifier, assessor}} {
		m := map[AssessorRole]Assignment{}
		for _, a := range held {
			m[a.Role] = a
		}
		as := NewAssignments(held...)
		if as.Len() != len(held) || (as == Assignments{}) != (len(held) == 0) {
			t.Fatalf("%v: %d held, %+v", held, as.Len(), as)
		}
		writtenAsTheMap(t, m, as)
		// In a case: left out when none is held, as the map was.
		c := Case{ID: "c", Assignments: as}
		old := struct {
			ID          string                      `json:"id"`
			Assignments map[AssessorRole]Assignment `json:"assignments,omitempty"`
		}{ID: "c", Assignments: m}
		cj, _ := json.Marshal(c)
		oj, _ := json.Marshal(old)
		if !bytes.Contains(cj, oj[len(`{"id":"c"`):len(oj)-1]) || (len(held) == 0) == bytes.Contains(cj, []byte(`"assignments"`)) {
			t.Fatalf("in a case %s, the map's %s", cj, oj)
		}
	}
}

// writtenAsTheMap checks that v, a set by role, is written as the map m by
// role was, byte for byte, and that the map's bytes read back as v. It
// returns those bytes.
func writtenAsTheMap[V, T any](t *testing.T, m map[AssessorRole]V, v T) []byte {
	t.Helper()
	want, _ := json.Marshal(m)
	got, err := json.Marshal(v)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("written as %s (%v), the map as %s", got, err, want)
	}
	var back T
	if err := json.Unmarshal(want, &back); err != nil || !reflect.DeepEqual(back, v) {
		t.Fatalf("%s read back as %+v (%v)", want, back, err)
	}
	return want
}

func TestAssignmentsHoldEachRoleInItsPlace(t *testing.T) {
	var as Assignments
	as.set(Assignment{Role: RoleVerifier, UserID: "V"})
	if as.Holds(RoleAssessor) || !as.Holds(RoleVerifier) || as.Holder(RoleVerifier) != "V" || as.Holder(RoleAssessor) != "" {
		t.Fatalf("verifier alone: %+v", as)
	}
	as.set(Assignment{Role: RoleAssessor, UserID: "A"})
	as.set(Assignment{Role: RoleVerifier, UserID: "W"}) // replaces V
	if as.Len() != 2 || as.RoleOf("A") != RoleAssessor || as.RoleOf("W") != RoleVerifier || as.RoleOf("V") != "" || as.RoleOf("") != "" {
		t.Fatalf("both: %+v", as)
	}
	var order []AssessorRole
	for r, a := range as.All() {
		if a.Role != r {
			t.Fatalf("%s yielded with %+v", r, a)
		}
		order = append(order, r)
	}
	if !slices.Equal(order, AssessorRoles) {
		t.Fatalf("yielded %v, want %v", order, AssessorRoles)
	}
	as.remove(RoleAssessor)
	if as.Holds(RoleAssessor) || as.Len() != 1 || as.Holder(RoleVerifier) != "W" {
		t.Fatalf("after the assessor left: %+v", as)
	}
	as.set(Assignment{Role: "judge", UserID: "J"})
	if as.Len() != 1 || as.RoleOf("J") != "" {
		t.Fatalf("a role that is none was held: %+v", as)
	}
	// A key that is no role is not read.
	var judged Assignments
	if err := json.Unmarshal([]byte(`{"judge":{"role":"judge","user_id":"J"}}`), &judged); err != nil || judged != (Assignments{}) {
		t.Fatalf("a role that is none read as %+v (%v)", judged, err)
	}
	// The key says the role, as the map's did.
	var keyed Assignments
	if err := json.Unmarshal([]byte(`{"verifier":{"user_id":"V"}}`), &keyed); err != nil || keyed.Holder(RoleVerifier) != "V" {
		t.Fatalf("read %+v (%v)", keyed, err)
	}
	if a, _ := keyed.Get(RoleVerifier); a.Role != RoleVerifier {
		t.Fatalf("held without its role: %+v", a)
	}
}
