package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestARefusedClaimKeepsTheQueuesRenewals: a claim the command refuses
// shows the queue again, saying why; that queue is the whole queue, with
// the renewals assigned to the reader, not one saying none is.
func TestARefusedClaimKeepsTheQueuesRenewals(t *testing.T) {
	w := newWorld(t)
	_, _, accID, rene := w.renewalAssigned(t)
	w.assessor.Token = w.in.Login(t, w.assessor.Email, w.assessor.Password)            // the clock moved on
	caseID := w.claimedCase(t, w.registerApplicant(t, "gus@example.org", "Gus Green")) // Anna holds the assessor's role
	c := w.client(t)
	c.login(rene.Email, rene.Password)
	if q := c.get("/queue"); !strings.Contains(q.Body, accID) {
		t.Fatalf("the queue does not list the renewal %s assigned to its reader: %.3000s", accID, q.Body)
	}
	a := c.post("/queue/"+caseID+"/claim", url.Values{"role": {"assessor"}}, true)
	if a.Status != http.StatusConflict {
		t.Fatalf("claiming a role another holds: got %d, want %d", a.Status, http.StatusConflict)
	}
	if !strings.Contains(a.Body, accID) || strings.Contains(a.Body, "No renewal is assigned to you.") {
		t.Errorf("the queue shown with the refused claim does not list the renewal %s assigned to its reader", accID)
	}
	draft := w.readyEIA(t, w.registerApplicant(t, "hana@example.org", "Hana Hill")) // not submitted: in no queue
	if g := c.post("/queue/"+draft+"/claim", url.Values{"role": {"assessor"}}, true); !strings.Contains(g.Body, accID) {
		t.Errorf("the queue shown with a claim of a case out of sight (%d) does not list the renewal %s", g.Status, accID)
	}
}
