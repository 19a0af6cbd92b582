package api_test

import (
	"fmt"
	"testing"
	"time"
)

// TestTheVerificationSaysWhenAnAccreditationEndedAndWhatReplacedIt: an
// employer checking a coach needs the day an accreditation stopped being
// valid; the answer gave only its valid_until, years ahead, for one
// revoked or withdrawn. It says ended_at (the day of the revocation or
// withdrawal), and for an award replaced after an appeal, replaced_by the
// one in force; an active one has neither.
func TestTheVerificationSaysWhenAnAccreditationEndedAndWhatReplacedIt(t *testing.T) {
	tm := newTeam(t)
	_, accID := tm.awardedCase(t)
	acc := func(id string) map[string]any {
		t.Helper()
		return tm.get(t, fmt.Sprintf("/api/v1/register/%s?min_seq=%d", id, lastSeq(t, tm.in)), "")["accreditation"].(map[string]any)
	}
	if a := acc(accID); a["ended_at"] != nil || a["replaced_by"] != nil {
		t.Fatalf("active: got ended_at %v, replaced_by %v, want neither", a["ended_at"], a["replaced_by"])
	}
	revokedAt := time.Date(2027, 2, 3, 10, 0, 0, 0, time.UTC)
	tm.setClock(t, revokedAt)
	tm.post(t, "/api/v1/accreditations/"+accID+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint upheld."}, 200)
	if a := acc(accID); a["status"] != "revoked" || a["ended_at"] != revokedAt.Format(time.RFC3339) {
		t.Fatalf("revoked: got status %v, ended_at %v, want revoked on %s", a["status"], a["ended_at"], revokedAt.Format(time.RFC3339))
	}

	_, first, second := tm.replacedAfterAppeal(t)
	if a := acc(first); a["status"] != "withdrawn" || a["replaced_by"] != second || a["ended_at"] == nil {
		t.Fatalf("replaced after the appeal: got status %v, replaced_by %v, ended_at %v, want withdrawn, replaced by %s, with its day", a["status"], a["replaced_by"], a["ended_at"], second)
	}
	if a := acc(second); a["replaced_by"] != nil || a["ended_at"] != nil {
		t.Fatalf("the new award: got replaced_by %v, ended_at %v, want neither", a["replaced_by"], a["ended_at"])
	}
}
