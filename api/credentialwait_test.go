package api_test

import (
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/eventstore"
)

// A holder who downloads their credential or certificate as soon as they
// are awarded, before the register has applied the award, waits for it
// (up to ACCREDIT_READ_WAIT) rather than being refused with a 503: the
// case says the award stands, and a moment later the register does too.
func TestACredentialRightAfterTheAwardWaitsForTheRegister(t *testing.T) {
	var gate *Gate
	tm := newTeamWith(t, app.Options{ReadStore: func(s eventstore.Store) eventstore.Store {
		gate = NewGate(s)
		return gate
	}})
	t.Cleanup(gate.Release) // first: a held read side would keep the stop waiting
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	gate.Hold()
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Well evidenced throughout."}, 200)
	acc := d["accreditation"].(map[string]any)["id"].(string)
	released := time.AfterFunc(300*time.Millisecond, gate.Release)
	defer released.Stop()
	for _, part := range []string{"credential", "certificate"} {
		r := tm.in.Get(t, "/api/v1/accreditations/"+acc+"/"+part, tm.applicant.Token)
		if r.Status != 200 {
			t.Fatalf("the %s asked right after the award, the register a moment behind: %d %s, want 200", part, r.Status, r.Body)
		}
	}
}
