package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// seniorInAssessment takes an EIA Senior Practitioner case of the applicant
// through the API to both roles assigned: it is in assessment, and its
// applicant is to be interviewed.
func (w *world) seniorInAssessment(t testing.TB, applicant User) string {
	t.Helper()
	id := Expect(t, w.in.Post(t, "/api/v1/cases", applicant.Token, map[string]any{"scheme": "EIA", "level": "senior_practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/portfolio", applicant.Token, map[string]any{"first_practice_date": "2019-01-15", "client_hours": 300, "client_count": 25,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	var cats []map[string]any
	for cat := 1; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("My senior practice in category %d", cat)})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", applicant.Token, map[string]any{"categories": cats}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", applicant.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	// The pages (the queues, the dashboard) read the read models, which
	// an API command does not wait for: wait once for the assignment.
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200))
	return id
}

// TestBrowserInterviewAtSeniorPractitioner (issue 13 item 6): the assessor
// schedules the interview in the workspace and the office moves it on its
// case page; the applicant reads when and where, in English and Dutch;
// once it has taken place each assessor records it (notes and an
// observation per category) before assessing; the office decides; the
// applicant never sees the notes.
func TestBrowserInterviewAtSeniorPractitioner(t *testing.T) {
	anna := browser(t)
	w := newWorld(t)
	anna.base = w.in.URL
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.seniorInAssessment(t, carla)
	notes, observed := "Calm and reflective; grounded in supervision.", "Contracts clearly with the sponsor."

	// The assessor cannot assess before the interview, and schedules it.
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.open("/assess/" + caseID)
	anna.see("Interview", "It is not scheduled yet.", "The EMCC office or an assessor schedules the applicant's interview.", "You assess this case once you have recorded the interview: at this level it is part of the assessment.")
	anna.set("#f-interview_at", "2026-03-02T11:00")
	anna.fill("#f-interview_place", "EMCC office, meeting room 2")
	anna.submit(`form[action$="/interview"] button[type=submit]`)
	anna.see("The interview is scheduled", "On 2 March 2026 at 11:00 UTC, EMCC office, meeting room 2.")

	// The office moves it to a video call, an hour later; a time in the
	// past is refused, naming the field.
	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.open("/office/cases/" + caseID)
	office.see("On 2 March 2026 at 11:00 UTC, EMCC office, meeting room 2.")
	office.click("#interview details summary") // Move the interview
	office.set("#f-interview_at", "2026-03-01T10:00")
	office.fill("#f-interview_place", "https://meet.example.org/carla")
	office.submit(`form[action$="/interview"] button[type=submit]`)
	office.see("There is a problem")
	if n := js[int](office, `document.querySelectorAll("#f-interview_at[aria-invalid=true]").length`); n != 1 {
		t.Fatalf("a time in the past: the time field is not marked invalid")
	}
	office.set("#f-interview_at", "2026-03-02T12:00")
	office.submit(`form[action$="/interview"] button[type=submit]`)
	office.see("The interview is scheduled", "On 2 March 2026 at 12:00 UTC, https://meet.example.org/carla.")

	// The applicant reads it, addressed to her, in English and Dutch.
	mine := browser(t)
	mine.base = w.in.URL
	mine.login(carla.Email, carla.Password)
	mine.open("/applications/" + caseID)
	mine.see("Your interview is on 2 March 2026 at 12:00 UTC, https://meet.example.org/carla.")
	mine.open("/applications") // the place is sealed: the list opens it too
	mine.see("Your interview is on 2 March 2026 at 12:00 UTC, https://meet.example.org/carla.")
	mine.open("/applications/" + caseID)
	mine.lang("nl")
	mine.see("Uw interview is op 2 maart 2026 om 12:00 UTC, https://meet.example.org/carla.")
	mine.lang("en")

	// Before it has taken place there is nothing to record; after, the
	// assessor records it and then assesses.
	anna.open("/assess/" + caseID)
	if n := js[int](anna, `document.querySelectorAll("form[action$='/interview/record']").length`); n != 0 {
		t.Fatalf("the record form is offered before the interview: %d forms", n)
	}
	w.clock.Set(start.Add(4 * time.Hour)) // 13:00, within the day's logins
	anna.open("/assess/" + caseID)
	anna.fill("#f-interview_notes", notes)
	js[bool](anna, `document.querySelector("#f-observation_4").closest("details").open = true`)
	anna.fill("#f-observation_4", observed)
	anna.submit(`form[action$="/interview/record"] button[type=submit]`)
	anna.see("Your record of the interview is saved.", "Recorded by the assessor on 2 March 2026", notes, observed, "Rating per category")
	rate(anna)
	anna.submit(`form[data-draft] button[type=submit]`)
	anna.see("Your assessment is submitted.")

	// The verifier cannot read the assessor's record yet; records theirs
	// and assesses.
	victor := browser(t)
	victor.base = w.in.URL
	victor.login(w.verifier.Email, w.verifier.Password)
	victor.open("/assess/" + caseID)
	if s := js[string](victor, `document.querySelector("main").innerText`); strings.Contains(s, notes) {
		t.Fatal("the verifier reads the assessor's interview notes before assessing")
	}
	victor.fill("#f-interview_notes", "Agree: senior practice, well reflected on.")
	victor.submit(`form[action$="/interview/record"] button[type=submit]`)
	victor.see("Your record of the interview is saved.")
	rate(victor)
	victor.submit(`form[data-draft] button[type=submit]`)
	victor.see("Your assessment is submitted.", notes)

	// The office reads both records and decides.
	office.open("/office/cases/" + caseID)
	office.see("Awaiting decision", "Recorded by the assessor", "Recorded by the verifier", observed)
	office.click("#f-outcome-awarded")
	office.fill("#f-rationale", "Senior practice, confirmed at the interview.")
	office.submit(`form[action$="/decide"] button[type=submit]`)
	office.see("The decision is recorded.", "Awarded")

	// The applicant sees the award, never the interview notes.
	mine.open("/applications/" + caseID)
	mine.see("Awarded", "Senior practice, confirmed at the interview.")
	if s := js[string](mine, `document.querySelector("main").innerText`); strings.Contains(s, notes) || strings.Contains(s, observed) {
		t.Fatal("the applicant reads the assessors' interview notes")
	}
}
