package web_test

import (
	"net/http"
	"regexp"
	"testing"
)

// TestTheRenewalAssessorsWayBackFromTheAccreditationIsTheirQueue: the
// assessor given a renewal works on the accreditation's page, whose way
// back (the breadcrumb) led to the applicant's page of the case, which
// answers an assessor 403. It leads to their queue, which they may open.
func TestTheRenewalAssessorsWayBackFromTheAccreditationIsTheirQueue(t *testing.T) {
	w := newWorld(t)
	_, _, accID, rene := w.renewalAssigned(t)
	assessor := w.client(t)
	assessor.login(rene.Email, rene.Password)
	page := assessor.get("/accreditations/" + accID)
	if page.Status != http.StatusOK {
		t.Fatalf("the renewal's assessor opens the accreditation: got %d", page.Status)
	}
	m := regexp.MustCompile(`<p class="breadcrumbs"><a href="([^"]+)">`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("the accreditation page has no way back: %.2000s", page.Body)
	}
	if m[1] != "/queue" {
		t.Errorf("the way back leads to %s, want /queue", m[1])
	}
	if back := assessor.get(m[1]); back.Status != http.StatusOK {
		t.Errorf("following the way back, %s: got %d, want 200", m[1], back.Status)
	}
}
