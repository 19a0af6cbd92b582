package accreditation

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/pii"
)

// An interview's records read and write as the map by role they were kept
// in before: the same bytes, the same records read back, left out of the
// interview when nobody has recorded it.
func TestInterviewRecordsAreWrittenAsTheMapByRoleWas(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	assessor := InterviewRecord{Notes: pii.Sealed{Subject: "A", Data: []byte("a")}, RecordedAt: at,
		Observations: []CategoryNote{{Category: 2, Notes: pii.Sealed{Subject: "A", Data: []byte("o")}}}}
	verifier := InterviewRecord{Notes: pii.Sealed{Subject: "V <&>", Data: []byte("v")}, RecordedAt: at.Add(time.Hour)}
	type byRole struct {
		role AssessorRole
		rec  InterviewRecord
	}
	for _, in := range [][]byRole{nil, {{RoleAssessor, assessor}}, {{RoleVerifier, verifier}}, {{RoleVerifier, verifier}, {RoleAssessor, assessor}}} {
		m := map[AssessorRole]InterviewRecord{}
		var rs InterviewRecords
		for _, r := range in {
			m[r.role] = r.rec
			rs.set(r.role, r.rec)
		}
		if rs.Len() != len(in) {
			t.Fatalf("%d in, Len %d", len(in), rs.Len())
		}
		want := writtenAsTheMap(t, m, rs)
		ij, _ := json.Marshal(Interview{Place: Place{Sealed: seal("p")}, Records: rs})
		if (len(in) == 0) == bytes.Contains(ij, []byte(`"records"`)) || !bytes.Contains(ij, want[1:len(want)-1]) {
			t.Fatalf("in an interview: %s, the map %s", ij, want)
		}
	}
}

func TestInterviewRecordsHoldEachRoleInItsPlaceAndCloneDeep(t *testing.T) {
	i := &Interview{}
	i.Records.set(RoleVerifier, InterviewRecord{Notes: pii.Sealed{Subject: "V", Data: []byte("v")}, Observations: []CategoryNote{{Category: 1, Notes: pii.Sealed{Subject: "V", Data: []byte("o")}}}})
	if _, ok := i.Records.Get(RoleAssessor); ok || i.Records.Len() != 1 || !i.Recorded() {
		t.Fatalf("verifier alone: %+v", i.Records)
	}
	if r, ok := i.record(RoleVerifier); !ok || string(r.Notes.Data) != "v" {
		t.Fatalf("verifier's: %+v %v", r, ok)
	}
	i.Records.set("judge", InterviewRecord{Notes: pii.Sealed{Subject: "J", Data: []byte("j")}})
	if i.Records.Len() != 1 {
		t.Fatalf("a role that is none was recorded: %+v", i.Records)
	}
	c := i.clone()
	c.Records.Verifier.Notes.Data[0] = 'x'
	c.Records.Verifier.Observations[0].Notes.Data[0] = 'x'
	if string(i.Records.Verifier.Notes.Data) != "v" || string(i.Records.Verifier.Observations[0].Notes.Data) != "o" || c.Records.Verifier == i.Records.Verifier {
		t.Fatal("the clone shares the verifier's record")
	}
	if (*Interview)(nil).Recorded() || (&Interview{}).Recorded() {
		t.Fatal("an interview nobody recorded reads as recorded")
	}
}
