package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTheCalibrationPages (issue 17 item 2): the office's page draws every
// assessor's agreement and each category's, with bars, quarter by quarter;
// an assessor's page shows their own figures and nobody else's; an
// applicant has no such page. The figures themselves are tested against
// hand-worked examples in the API and the domain.
func TestTheCalibrationPages(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	if page := office.get("/office/calibration").Body; !strings.Contains(page, "No case has been assessed by both its assessors yet.") {
		t.Fatal("the empty calibration page does not say so")
	}
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	w.assessedCase(t, carla) // both rate every category evidenced
	// The read models follow the store: wait until they hold both
	// assessments, as long as a busy machine needs.
	page := office.get("/office/calibration").Body
	for deadline := time.Now().Add(time.Minute); !strings.Contains(page, "Victor Verifier") && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		page = office.get("/office/calibration").Body
	}
	for _, want := range []string{`id="calibration-categories"`, `id="calibration-assessors"`, "Anna Assessor", "Victor Verifier",
		"2026-Q1", "100%", `<rect class="bar-fill" x="0" y="0" width="100"`, "Cohen"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the office's calibration page: no %q", want)
		}
	}
	// One rating throughout: kappa is not defined, shown as a dash.
	if !strings.Contains(page, `<td class="num">—</td>`) {
		t.Fatal("an undefined kappa is not shown as a dash")
	}

	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	own := anna.get("/calibration").Body
	if !strings.Contains(own, "Anna Assessor") || strings.Contains(own, "Victor Verifier") || strings.Contains(own, `id="calibration-categories"`) {
		t.Fatal("the assessor's page shows more than their own figures")
	}
	if a := anna.get("/office/calibration"); a.Status == http.StatusOK {
		t.Fatal("an assessor opened the office's calibration page")
	}
	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	if a := applicant.get("/calibration"); a.Status == http.StatusOK {
		t.Fatal("an applicant opened a calibration page")
	}
	anna.setLang("nl")
	if nl := anna.get("/calibration").Body; !strings.Contains(nl, "Hoe assessoren overeenstemmen") || !strings.Contains(nl, "Per kwartaal") {
		t.Fatal("the Dutch calibration page")
	}
}
