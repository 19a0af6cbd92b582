package web_test

import (
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// inAssessment takes a ready EIA case of the applicant through the API to
// both roles held: Anna claimed the assessor's, Victor was assigned the
// verifier's.
func (w *world) inAssessment(t testing.TB, applicant User) string {
	t.Helper()
	id := w.readyEIA(t, applicant)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", applicant.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	// The pages (the queues, the dashboard) read the read models, which
	// an API command does not wait for: wait once for the assignment.
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200))
	return id
}

// TestReassignAndUnassignInTheBrowser (issue 15 item 5): on the office's
// case page the office gives the assessor's role to another qualified
// assessor and takes the verifier off the case, each with a reason and
// after a confirmation page that says who leaves and who takes over; a
// missing reason is refused at its field. The old assessor loses the
// case, the new one has it, the timeline says what happened and why, and
// the case waits for a verifier again. In English, then in Dutch.
func TestReassignAndUnassignInTheBrowser(t *testing.T) {
	w := newWorld(t)
	id := w.inAssessment(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	nina := w.newAssessor(t, "nina@example.org", "Nina New")

	b := browser(t)
	b.base = w.in.URL
	b.login(AdminEmail, AdminPassword)
	b.open("/office/cases/" + id)
	b.see("Change the assessors", "Assessor: Anna Assessor", "Verifier: Victor Verifier")

	// The reason is required: refused at its field, nothing done.
	b.set("#f-reassign_to_assessor", nina.ID)
	b.submitAsking("#role-change-assessor .reassign-form button[type=submit]")
	if !js[bool](b, `document.querySelector("#f-reassign_reason_assessor").getAttribute("aria-invalid") === "true"`) {
		t.Fatalf("a reassignment without a reason: the reason field is not marked invalid (at %s)", b.path())
	}
	b.see("Assessor: Anna Assessor")

	// With a reason: the confirmation says who leaves and who takes over.
	b.set("#f-reassign_to_assessor", nina.ID)
	b.fill("#f-reassign_reason_assessor", "Anna is on leave until March.")
	b.submitAsking("#role-change-assessor .reassign-form button[type=submit]")
	b.see("Reassign the role of assessor?", "Held now by", "Anna Assessor", "Given to", "Nina New", "Anna is on leave until March.",
		"Anna Assessor will no longer see this case and cannot take it back from the queue. Nina New takes over the role at once")
	b.submitAsking("#confirm-button")
	if p := b.path(); p != "/office/cases/"+id+"?ok=reassigned" {
		t.Fatalf("after confirming: at %s", p)
	}
	b.see("The role has a new holder.", "Assessor: Nina New", "Assessor taken off the case", "Taken off: Anna Assessor", "Reason: Anna is on leave until March.")
	b.shoot("reassigned")
	Expect(t, w.in.Get(t, "/api/v1/cases/"+id, w.assessor.Token), 404)
	if got := Expect(t, w.in.Get(t, "/api/v1/cases/"+id, nina.Token), 200).Map(t)["state"]; got != "in_assessment" {
		t.Fatalf("the new assessor sees the case in state %v, want in_assessment", got)
	}

	// In Dutch: the verifier is taken off the case.
	b.lang("nl")
	b.see("Assessoren wijzigen", "Toewijzing van een assessor ingetrokken", "Verificateur: Victor Verifier")
	b.fill("#f-unassign_reason_verifier", "Belangenconflict gemeld.")
	b.submitAsking("#role-change-verifier .unassign-form button[type=submit]")
	b.see("Toewijzing van de verificateur intrekken?", "Nu in handen van", "Victor Verifier", "Belangenconflict gemeld.",
		"Victor Verifier ziet dit dossier niet meer")
	b.submitAsking("#confirm-button")
	if p := b.path(); p != "/office/cases/"+id+"?ok=unassigned" {
		t.Fatalf("after confirming the unassignment: at %s", p)
	}
	b.see("De toewijzing is ingetrokken.", "Assessoren toewijzen", "Reden: Belangenconflict gemeld.")
	b.notSee("Verificateur: Victor Verifier")
	if got := Expect(t, w.in.Get(t, "/api/v1/cases/"+id, w.admin), 200).Map(t)["state"]; got != "awaiting_assessment" {
		t.Fatalf("after the unassignment: state %v, want awaiting_assessment", got)
	}
	Expect(t, w.in.Get(t, "/api/v1/cases/"+id, w.verifier.Token), 404)
}
