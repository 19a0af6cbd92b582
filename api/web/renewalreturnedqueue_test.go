package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestARenewalReturnedStaysOnItsAssessorsQueue: once its assessor returned
// a renewal to the holder, their queue said "No renewal is assigned to
// you", though it comes back to them when the holder resubmits it. It
// stays listed, marked as returned.
func TestARenewalReturnedStaysOnItsAssessorsQueue(t *testing.T) {
	w := newWorld(t)
	_, _, accID, rene := w.renewalAssigned(t)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", rene.Token,
		map[string]string{"outcome": "return", "rationale": "Say more about supervision."}), 200))
	c := w.client(t)
	c.login(rene.Email, rene.Password)
	q := c.get("/queue").Body
	if !strings.Contains(q, "/accreditations/"+accID) || !strings.Contains(q, "Returned to the holder") || strings.Contains(q, "No renewal is assigned to you.") {
		t.Fatalf("the queue of the assessor who returned the renewal does not list it as returned: %s", between(q, `id="renewals-heading"`, "</section>"))
	}
}
