package main

import (
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestRegisterVerifySaysWhenARevokedAccreditationEnded: it printed a
// revoked accreditation as "revoked, valid until" its date five years
// ahead; it says the day it was revoked, and the date it would have run
// until.
func TestRegisterVerifySaysWhenARevokedAccreditationEnded(t *testing.T) {
	h := newHarness(t)
	tm := newTeam(t, h.in)
	accID := tm.awarded(t, tm.submitted(t))
	apptest.Expect(t, h.in.Post(t, "/api/v1/accreditations/"+accID+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint upheld."}), 200)
	caughtUp(t, h.in, "")
	a := apptest.Expect(t, h.in.Get(t, "/api/v1/register/"+accID, ""), 200).Map(t)["accreditation"].(map[string]any)
	ended, err := time.Parse(time.RFC3339Nano, a["ended_at"].(string))
	if err != nil {
		t.Fatalf("ended_at %v: %v", a["ended_at"], err)
	}
	until, _ := time.Parse(time.RFC3339Nano, a["valid_until"].(string))
	r := h.must(exitFailed, "", "register", "verify", accID)
	contains(t, "register verify of a revoked accreditation", r.stdout,
		"NOT VALID: EIA practitioner accreditation of Carla Coach, revoked on "+ended.UTC().Format("2006-01-02")+" (it would have run until "+until.UTC().Format("2006-01-02")+").")
}
