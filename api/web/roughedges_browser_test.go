package web_test

import (
	"fmt"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// settled waits until the read models hold the write that answered r (its
// seq), as a client does with min_seq: the lists read them.
func (w *world) settled(t testing.TB, r Response) {
	t.Helper()
	seq := int64(r.Map(t)["seq"].(float64))
	Expect(t, Retry(t, func(map[string]string) Response {
		return w.in.Get(t, fmt.Sprintf("/api/v1/stats?min_seq=%d", seq), w.admin)
	}), 200)
}

// TestOpenItemsAndActionBadgeInTheBrowser (issue 15 item 5): an application
// the office returned lists the office's reasons as an open item of its
// checklist (not "Everything is in place"), and carries an "Action needed"
// badge on its card and its page; once resubmitted the badge is gone; a
// request for information is an open item too, with the badge again. In
// English and Dutch.
func TestOpenItemsAndActionBadgeInTheBrowser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	id := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin,
		map[string]string{"outcome": "returned", "reason": "Add your supervisor's reference."}), 200))

	b := browser(t)
	b.base = w.in.URL
	b.login(carla.Email, carla.Password)
	b.open("/applications")
	if got := b.text(".case-card .action-needed"); got != "Action needed" {
		t.Fatalf("the returned case's card: badge %q, want Action needed", got)
	}
	b.open("/applications/" + id)
	b.see("Action needed")
	if got := b.text("#checklist .open-items li"); got != "The office returned your application: Add your supervisor's reference." {
		t.Fatalf("the checklist's open item reads %q", got)
	}
	b.see("When you have addressed the office's reasons, submit again.")
	b.notSee("Everything is in place. You can submit.")
	// The open item leads to the office's reasons on the page.
	if got := js[string](b, `document.querySelector("#checklist .open-items a").getAttribute("href")`); got != "/applications/"+id+"#returned-heading" {
		t.Fatalf("the open item links to %q", got)
	}
	b.lang("nl")
	b.see("Actie nodig", "Van u gevraagd (1):", "Het bureau heeft uw aanvraag teruggestuurd: Add your supervisor's reference.")
	b.lang("en")

	// Resubmitted, it waits on the office: no badge, no open item.
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200))
	b.open("/applications")
	if n := js[int](b, `document.querySelectorAll(".action-needed").length`); n != 0 {
		t.Fatalf("a resubmitted case shows %d action badges", n)
	}
	b.open("/applications/" + id)
	b.notSee("Action needed", "The office returned your application")

	// An assessor's question is an open item, and the badge is back.
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/information-requests", w.assessor.Token,
		map[string]string{"questions": "Who supervises you?"}), 200))
	b.open("/applications")
	if got := b.text(".case-card .action-needed"); got != "Action needed" {
		t.Fatalf("the card of a case with a question: badge %q", got)
	}
	b.open("/applications/" + id)
	b.see("Action needed", "Open items", "Asked of you (1):")
	if got := b.text("#checklist .open-items li"); got != "Answer the request for information: Who supervises you?" {
		t.Fatalf("the open item of the question reads %q", got)
	}
	b.notSee("Before you submit")
	b.shoot("open-items")
	b.lang("nl")
	b.see("Actie nodig", "Openstaande punten", "Beantwoord het verzoek om informatie: Who supervises you?")
}

// TestEditEvidenceInTheBrowser (issue 15 item 5): the applicant edits an
// uploaded file's kind, title and categories from the evidence list, the
// form starting from what it holds; a title left empty is refused at its
// field; the list then shows the new description, in English and Dutch.
// Once submitted, the list offers no edit and the edit page says why.
func TestEditEvidenceInTheBrowser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	id := w.readyEIA(t, carla)
	ev := Expect(t, w.in.Upload(t, id, carla.Token, map[string]string{"kind": "other", "title": "Scan 14", "categories": "1"}, "scan.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")

	b := browser(t)
	b.base = w.in.URL
	b.login(carla.Email, carla.Password)
	b.open("/applications/" + id + "/evidence")
	b.submit(`a.evidence-edit[href="/applications/` + id + `/evidence/` + ev + `/edit"]`)
	b.see("Edit the evidence", "File: scan.pdf")
	if got := js[string](b, `document.querySelector("#f-title").value + "|" + document.querySelector("#f-kind").value + "|" + document.querySelector("#f-cat-1").checked`); got != "Scan 14|other|true" {
		t.Fatalf("the form starts from title|kind|category 1: %q", got)
	}
	b.fill("#f-title", "")
	b.submit("#save-evidence")
	b.see("Fill in ‘Title’")
	b.fill("#f-title", "Supervision log 2025")
	b.set("#f-kind", "supervision_record")
	b.click("#f-cat-1")
	b.click("#f-cat-4")
	b.submit("#save-evidence")
	if p := b.path(); p != "/applications/"+id+"/evidence?ok=evidence_edited" {
		t.Fatalf("after saving: at %s", p)
	}
	b.see("The evidence is updated.", "Supervision log 2025", "Supervision record · scan.pdf", "4 Building the Relationship")
	b.notSee("Scan 14", "1 Understanding Self")
	b.lang("nl")
	b.see("Supervision log 2025", "Overzicht supervisie", "Bewerken")
	b.open("/applications/" + id + "/evidence/" + ev + "/edit")
	b.see("Bewijs bewerken", "Wijzigingen opslaan")
	b.lang("en")

	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
	b.open("/applications/" + id + "/evidence")
	if n := js[int](b, `document.querySelectorAll("a.evidence-edit").length`); n != 0 {
		t.Fatalf("a submitted application offers %d edit links", n)
	}
	b.open("/applications/" + id + "/evidence/" + ev + "/edit")
	b.see("This evidence can no longer be changed")
	if n := js[int](b, `document.querySelectorAll("#save-evidence").length`); n != 0 {
		t.Fatal("a submitted application's evidence offers a save button")
	}
}
