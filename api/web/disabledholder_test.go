package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// An assessor the office disables cannot log in, so the cases they hold
// wait for the office: their user page lists them, the queue filtered to
// them marks them disabled, and each case's page says so beside the form
// that gives the role to someone else.
func TestADisabledAssessorsCasesAreShownToTheOffice(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla)
	nina := w.newAssessor(t, "nina@example.org", "Nina Newcomer")

	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	userPage := "/office/users/" + w.assessor.ID
	if a := office.get(userPage); a.Status != 200 || !strings.Contains(a.Body, `href="/office/cases/`+caseID+`"`) || strings.Contains(a.Body, "is disabled and cannot log in") {
		t.Fatalf("an active assessor's page: got %d; want the case they hold listed, and nothing said of disabling: %.3000s", a.Status, a.Body)
	}
	Expect(t, w.in.Post(t, "/api/v1/users/"+w.assessor.ID+"/disable", w.admin, map[string]string{"reason": "left the pool"}), 200)

	a := office.get(userPage)
	if !strings.Contains(a.Body, `href="/office/cases/`+caseID+`"`) || !strings.Contains(a.Body, "This assessor is disabled and cannot log in: these cases wait") ||
		!strings.Contains(a.Body, `href="/office/cases?assessor_id=`+w.assessor.ID+`"`) {
		t.Fatalf("a disabled assessor's page does not list the case they hold as waiting: %.4000s", a.Body)
	}
	q := office.get("/office/cases?assessor_id=" + w.assessor.ID)
	if !strings.Contains(q.Body, `id="held-by"`) || !strings.Contains(q.Body, caseID) || !strings.Contains(q.Body, `Assessor: Anna Assessor <span class="tag tag-attention">Disabled</span>`) {
		t.Fatalf("the queue of the disabled assessor's cases: %.4000s", q.Body)
	}
	if other := office.get("/office/cases?assessor_id=" + nina.ID); strings.Contains(other.Body, caseID) {
		t.Fatal("the queue filtered to another assessor lists the case")
	}
	if d := office.get("/office"); !strings.Contains(d.Body, "Anna Assessor is disabled and has a case still to assess, which waits until you reassign it.") {
		t.Fatalf("the dashboard does not say the disabled assessor's case waits: %.5000s", d.Body)
	}
	c := office.get("/office/cases/" + caseID)
	if !strings.Contains(c.Body, `id="disabled-holder-assessor"`) || !strings.Contains(c.Body, "Anna Assessor, the assessor of this case, is disabled") {
		t.Fatalf("the case's page does not say its assessor is disabled: %.4000s", c.Body)
	}

	// Reassigned, the case is no longer theirs.
	if a := office.post("/office/cases/"+caseID+"/reassign", url.Values{"role": {"assessor"}, "reassign_to_assessor": {nina.ID}, "reassign_reason_assessor": {"Anna left the pool."}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("reassign: got %d: %.2000s", a.Status, a.Body)
	}
	w.in.Settle(t)
	if a := office.get(userPage); strings.Contains(a.Body, caseID) || !strings.Contains(a.Body, "None in progress.") {
		t.Fatalf("after the reassignment the disabled assessor's page still lists the case: %.3000s", a.Body)
	}
	if d := office.get("/office"); strings.Contains(d.Body, "is disabled and holds") {
		t.Fatal("after the reassignment the dashboard still says a disabled assessor holds a case")
	}
	if c := office.get("/office/cases/" + caseID); strings.Contains(c.Body, `id="disabled-holder-`) {
		t.Fatal("after the reassignment the case's page still says its assessor is disabled")
	}
}

// A renewal given to an assessor who is then disabled waits for the office
// too: the assessor's page lists it, and the case's page says so above the
// form that gives it to someone else.
func TestADisabledAssessorsRenewalsAreShownToTheOffice(t *testing.T) {
	w := newWorld(t)
	_, caseID, _, rene := w.renewalAssigned(t)
	Expect(t, w.in.Post(t, "/api/v1/users/"+rene.ID+"/disable", w.admin, map[string]string{"reason": "left the pool"}), 200)

	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	if a := office.get("/office/users/" + rene.ID); !strings.Contains(a.Body, `id="held-renewals"`) || !strings.Contains(a.Body, `href="/office/cases/`+caseID+`"`) ||
		!strings.Contains(a.Body, "This assessor is disabled and cannot log in") {
		t.Fatalf("a disabled assessor's page does not list the renewal they hold: %.4000s", a.Body)
	}
	if c := office.get("/office/cases/" + caseID); !strings.Contains(c.Body, `id="disabled-holder-renewal"`) || !strings.Contains(c.Body, "Rene Renewals, the assessor of this case, is disabled") {
		t.Fatalf("the case's page does not say its renewal's assessor is disabled: %.4000s", c.Body)
	}
}

// The renewal's assessor is named to the office, as a case's assessors are,
// and not to the holder: the certificate page the holder reads shows the
// renewal's progress without its assessor's name; the office's case page
// names them.
func TestTheRenewalsAssessorIsNamedToTheOfficeOnly(t *testing.T) {
	w := newWorld(t)
	carla, caseID, accID, rene := w.renewalAssigned(t)
	name := rene.Name

	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	if c := holder.get("/accreditations/" + accID); c.Status != 200 || !strings.Contains(c.Body, "Five years in which my contracting changed.") || strings.Contains(c.Body, name) {
		t.Fatalf("the holder's certificate page: status %d, names the renewal's assessor %v: %.3000s", c.Status, strings.Contains(c.Body, name), c.Body)
	}
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	if c := office.get("/office/cases/" + caseID); !strings.Contains(c.Body, name) {
		t.Fatalf("the office's case page does not name the renewal's assessor: %.3000s", c.Body)
	}
}

// renewalAssigned is Carla Coach's award, renewed in its last months (the
// reflection "Five years in which my contracting changed.") and given to
// the assessor Rene Renewals: the holder, the case, the accreditation and
// the assessor.
func (w *world) renewalAssigned(t *testing.T) (carla User, caseID, accID string, rene User) {
	t.Helper()
	carla = w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _, accID = w.awardedCase(t, carla)
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	w.admin = w.in.AdminToken(t)
	carla.Token = w.in.Login(t, carla.Email, carla.Password)
	rene = w.newAssessor(t, "rene@example.org", "Rene Renewals")
	var years []map[string]any
	for range 5 {
		years = append(years, map[string]any{"practice_hours": 30, "supervision_hours": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "cpd_hours": 20})
	}
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal", carla.Token, map[string]any{"years": years,
		"reflection": "Five years in which my contracting changed.", "declarations": []string{"code_of_ethics", "diversity"}}), 200)
	// The pages (the assessor's user page, the renewal lists) read the read
	// models, which an API command does not wait for: wait once for it.
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", w.admin, map[string]string{"assessor_id": rene.ID}), 200))
	return carla, caseID, accID, rene
}

// renewalsOpen awards Pia Provider an EQA programme and Carla Coach an EIA
// accreditation, then sets the clock to a day both may be renewed.
func (w *world) renewalsOpen(t *testing.T) (provider User, programme string, carla User, eia string) {
	t.Helper()
	provider = w.registerApplicant(t, "pia@example.org", "Pia Provider")
	programme = w.awardedProgramme(t, provider)
	carla = w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, eia = w.awardedCase(t, carla)
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	return provider, programme, carla, eia
}
