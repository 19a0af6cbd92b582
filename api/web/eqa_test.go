package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// TestBrowserLanguageSwitch: the language switch on every page, remembered
// in a cookie; the interface in Dutch and the framework's texts in Dutch.
func TestBrowserLanguageSwitch(t *testing.T) {
	b := browser(t)
	w := newWorld(t)
	b.base = w.in.URL
	cat := framework.Default()

	b.open("/")
	b.see("EMCC accreditation")
	b.lang("nl")
	b.see("EMCC-accreditatie", "Vraag de European Individual Accreditation (EIA) aan")
	if l := js[string](b, `document.documentElement.lang`); l != "nl" {
		t.Fatalf("html lang: %q", l)
	}
	if js[string](b, `document.querySelector(".lang-switch [aria-current=true]").value`) != "nl" {
		t.Fatal("the switch does not mark Dutch as current")
	}
	b.open("/register") // remembered
	b.see("Openbaar register van EMCC-accreditaties")

	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	b.login(carla.Email, carla.Password)
	b.see("Mijn aanvragen", "Nieuwe aanvraag beginnen")
	b.open("/applications/new?scheme=EQA")
	senior, _ := cat.Level(framework.SeniorPractitioner)
	b.see("Op welk niveau?", strings.Split(senior.EQA.NL, "\n")[1])
	b.click("#f-level-senior_practitioner")
	b.fill("#f-programme_name", "Coachopleiding Plus")
	b.fill("#f-programme_provider", "Academie Noord")
	b.submit("main form button[type=submit]")
	b.see("Uw aanvraag is geopend", "Voordat u indient", "Volledig afgeronde cycli van de opleiding: minstens 1 (nu 0)")
	b.submit(`.tabs a[href$="/evidence"]`)
	c1, _ := cat.Category(1)
	in1, _ := cat.Indicator(1)
	b.see("Hoogstens 20 MB per bestand.", "1. "+c1.Name.NL)
	if !strings.Contains(js[string](b, `document.querySelector("label[for=f-ind-1]").textContent`), in1.Text.NL) {
		t.Fatal("the indicators are not in Dutch")
	}
	b.lang("en")
	b.see("At most 20 MB per file.", "1. "+c1.Name.EN)
}

// TestBrowserEQAJourney is a whole EQA journey in the browser, across the
// three roles: a programme's provider registers, applies for the EQA with
// the programme's name and provider, fills in the programme's figures and
// its curriculum mapped to the eight categories, uploads the programme
// document and submits; the office screens; an assessor claims the case
// and the office assigns a verifier; both assess in the workspace; the
// office decides; the provider sees the award and the certificate, and the
// public register lists the programme and its provider.
func TestBrowserEQAJourney(t *testing.T) {
	nora := browser(t)
	w := newWorld(t)
	nora.base = w.in.URL
	cat := framework.Default()
	doc := filepath.Join(t.TempDir(), "curriculum.pdf")
	if err := os.WriteFile(doc, makePDF("Coachopleiding Plus: curriculum 2026", "", "Eight modules, one per category.", "Module 8: evaluation of the programme."), 0o600); err != nil {
		t.Fatal(err)
	}

	// The provider registers.
	nora.open("/")
	nora.submit(`.hero a[href="/signup"]`)
	nora.fill("#f-name", "Nora Noord")
	nora.fill("#f-email", "nora@academie.example")
	nora.fill("#f-password", "nora's long password")
	nora.submit("main form button[type=submit]")
	nora.see("Welcome", "My applications")

	// Applies for the EQA at senior practitioner, for the programme.
	nora.submit(`main a[href="/applications/new"]`)
	nora.click("#f-scheme-EQA")
	nora.submit("main form button[type=submit]")
	senior, _ := cat.Level(framework.SeniorPractitioner)
	nora.see(strings.Split(senior.EQA.EN, "\n")[1])
	nora.click("#f-level-senior_practitioner")
	nora.set("#f-language", "nl")
	nora.fill("#f-programme_name", "Coachopleiding Plus")
	nora.fill("#f-programme_provider", "Academie Noord")
	nora.submit("main form button[type=submit]")
	nora.see("Your application is open", "Coachopleiding Plus", "Full cycles of the programme completed: at least 1 (now 0)", "Curriculum covers category 8, Evaluation")
	if !js[bool](nora, `document.querySelector("#submit-application").disabled`) {
		t.Fatal("the submit button is enabled while the checklist is not empty")
	}
	caseID := strings.Split(strings.TrimPrefix(nora.path(), "/applications/"), "?")[0]

	// The programme in figures, and its curriculum mapped to all eight categories.
	nora.submit(`.tabs a[href$="/portfolio"]`)
	nora.fill("#f-contact_hours", "150")
	nora.fill("#f-completed_cycles", "2")
	for n := 1; n <= 8; n++ {
		nora.fill("#f-curriculum_"+itoa(n), "Module "+itoa(n)+" of the programme")
	}
	js[bool](nora, `document.querySelector("#f-cur-1-1").closest("details").open = true`)
	nora.click("#f-cur-1-1")
	nora.submit("main form button[type=submit]")
	nora.see("Saved.")
	nora.shoot("15-eqa-portfolio")

	// The programme document, citing every category.
	nora.submit(`.tabs a[href$="/evidence"]`)
	nora.set("#f-kind", "programme_document")
	nora.fill("#f-title", "Curriculum 2026")
	for n := 1; n <= 8; n++ {
		nora.click("#f-cat-" + itoa(n))
	}
	nora.do("choose the file", setFiles("#f-file", doc))
	nora.submit("main form[data-upload] button[type=submit]")
	nora.see("The file is uploaded", "Curriculum 2026", "Everything is in place. You can submit.")

	// Submits.
	nora.submit(`.tabs a[href="/applications/` + caseID + `"]`)
	nora.click("#f-declaration_code_of_ethics")
	nora.submit("#submit-application")
	nora.see("Your application is submitted", "Nothing for you to do now: the EMCC office checks that your application is complete.", "Decision expected by")

	// The office screens it, seeing the programme and its provider.
	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.submit(`nav a[href="/office/cases"]`)
	office.submit(`main a[href="/office/cases/` + caseID + `"]`)
	office.see("Coachopleiding Plus", "Nora Noord", "Academie Noord", "Screening")
	office.click("#f-outcome-accepted")
	office.submit(`form[action$="/screen"] button[type=submit]`)
	office.see("The screening is recorded.", "Awaiting assessors")

	// An assessor takes it from the queue and sees the programme.
	anna := browser(t)
	anna.base = w.in.URL
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.see("Cases you can take, oldest first")
	anna.submit(`form[action="/queue/` + caseID + `/claim"] button`)
	anna.see("The case is yours to assess.", "Coachopleiding Plus", "Academie Noord", "Curriculum 2026", "Assessment starts once the verifier is assigned")
	if n := js[int](anna, `document.querySelectorAll(".viewer iframe").length`); n != 1 {
		t.Fatalf("the programme document is not shown in the viewer: %d frames", n)
	}
	if s := js[string](anna, `Array.from(document.querySelectorAll("details.panel")).map(d => d.textContent).join("|")`); !strings.Contains(s, "Module 8 of the programme") || !strings.Contains(s, "150") {
		t.Fatalf("the workspace does not show the programme's portfolio: %s", s)
	}

	// The office assigns the verifier.
	office.open("/office/cases/" + caseID)
	office.set("#f-assessor_id_verifier", w.verifier.ID)
	office.submit(`form[action$="/assign"] button[type=submit]`)
	office.see("The verifier is assigned.", "In assessment")

	// Both assess in the workspace: the eight categories and the five
	// review areas. Anna first forgets the areas, and is told so.
	anna.open("/assess/" + caseID)
	anna.see("Rating per category", "EQA review areas", "Course content", "Learner experience", "Tutor effectiveness", "Methods of assessing students", "Quality systems")
	rate(anna)
	anna.submit(`form[data-draft] button[type=submit]`)
	anna.see("There is a problem", "Rate this review area")
	if n := js[int](anna, `document.querySelectorAll("fieldset.field-invalid[id^=f-area_]").length`); n != 5 {
		t.Fatalf("review areas marked invalid: got %d, want 5", n)
	}
	rateAreas(anna, "evidenced")
	anna.fill("#f-area_notes_quality_systems", "A quality manual, reviewed every year.")
	anna.submit(`form[data-draft] button[type=submit]`)
	anna.see("Your assessment is submitted.", "The other assessment is not in yet", "A quality manual, reviewed every year.")
	victor := browser(t)
	victor.base = w.in.URL
	victor.login(w.verifier.Email, w.verifier.Password)
	victor.submit(`main a[href="/assess/` + caseID + `"]`)
	victor.see("Coachopleiding Plus", "Rating per category")
	rate(victor)
	rateAreas(victor, "evidenced")
	victor.click("#f-area_learner_experience-partially_evidenced")
	victor.submit(`form[data-draft] button[type=submit]`)
	victor.see("Your assessment is submitted.", "The other assessment")

	// The office decides, seeing both assessments' review areas.
	office.open("/office/cases/" + caseID)
	office.see("Awaiting decision", "Review area", "A quality manual, reviewed every year.")
	if s := js[string](office, `Array.from(document.querySelectorAll("table.review-areas tr")).map(r => Array.from(r.cells).map(c => c.textContent.trim()).join(" ")).join("|")`); !strings.Contains(s, "Learner experience Partially evidenced") || strings.Count(s, "Quality systems Evidenced") != 2 {
		t.Fatalf("the office's view of the review areas: %s", s)
	}
	office.click("#f-outcome-awarded")
	if l := js[string](office, `document.querySelector("#f-level").value`); l != "senior_practitioner" {
		t.Fatalf("the decision's level is %q, not the case's", l)
	}
	office.fill("#f-rationale", "Het programma voldoet.")
	office.submit(`form[action$="/decide"] button[type=submit]`)
	office.see("The decision is recorded.", "Awarded")

	// The provider sees the award, the certificate and the register.
	nora.open("/applications/" + caseID)
	nora.see("Decision", "Awarded", "Het programma voldoet.")
	nora.submit(`main a[href^="/accreditations/"]`)
	nora.see("European Quality Award", "Coachopleiding Plus", "Academie Noord", "Senior Practitioner", "Valid until")
	nora.submit(`.cert-verify a`)
	nora.see("This accreditation is valid.", "Academie Noord", "Coachopleiding Plus")
	nora.open("/register?q=academie")
	nora.see("1 accreditation", "Academie Noord", "Coachopleiding Plus", "Senior Practitioner")
}

// rateAreas rates every EQA review area in the workspace.
func rateAreas(b *tab, rating string) {
	b.t.Helper()
	for _, a := range accreditation.ReviewAreas {
		b.click("#f-area_" + string(a) + "-" + rating)
	}
}
