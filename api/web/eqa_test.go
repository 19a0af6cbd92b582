package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
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
	b.see("Uw aanvraag is geopend", "Voordat u indient", "Contacturen van de opleiding: minstens 120 (nu 0)")
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

// TestBrowserEQAJourney: a training programme's provider applies for the
// EQA with its curriculum mapped to the categories; after the assessment
// (through the API) the certificate and the register name the programme.
func TestBrowserEQAJourney(t *testing.T) {
	b := browser(t)
	w := newWorld(t)
	b.base = w.in.URL
	nora := w.registerApplicant(t, "nora@academie.example", "Nora Noord")
	b.login(nora.Email, nora.Password)
	b.submit(`main a[href="/applications/new"]`)
	b.click("#f-scheme-EQA")
	b.submit("main form button[type=submit]")
	b.click("#f-level-senior_practitioner")
	b.set("#f-language", "nl")
	b.fill("#f-programme_name", "Coachopleiding Plus")
	b.fill("#f-programme_provider", "Academie Noord")
	b.submit("main form button[type=submit]")
	caseID := strings.Split(strings.TrimPrefix(b.path(), "/applications/"), "?")[0]
	b.see("Coachopleiding Plus", "Curriculum covers category 8, Evaluation")

	b.submit(`.tabs a[href$="/portfolio"]`)
	b.fill("#f-contact_hours", "150")
	b.fill("#f-completed_cycles", "2")
	for n := 1; n <= 8; n++ {
		b.fill("#f-curriculum_"+itoa(n), "Module "+itoa(n)+" of the programme")
	}
	js[bool](b, `document.querySelector("#f-cur-1-1").closest("details").open = true`)
	b.click("#f-cur-1-1")
	b.submit("main form button[type=submit]")
	b.see("Saved.")
	b.shoot("15-eqa-portfolio")

	md := filepath.Join(t.TempDir(), "curriculum.md")
	if err := os.WriteFile(md, []byte("# Curriculum\n\nEight modules, one per category.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.submit(`.tabs a[href$="/evidence"]`)
	b.set("#f-kind", "programme_document")
	b.fill("#f-title", "Curriculum 2026")
	for n := 1; n <= 8; n++ {
		b.click("#f-cat-" + itoa(n))
	}
	b.do("choose the file", setFiles("#f-file", md))
	b.submit("main form[data-upload] button[type=submit]")
	b.see("The file is uploaded", "Curriculum 2026", "Everything is in place. You can submit.")
	b.submit("#submit-application")
	b.see("Your application is submitted")

	// Screening, assessment and decision, through the API.
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/claim", w.verifier.Token, map[string]string{"role": "verifier"}), 200)
	for _, u := range []User{w.assessor, w.verifier} {
		var ratings []map[string]any
		for cat := 1; cat <= 8; cat++ {
			ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced"})
		}
		Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", u.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Sterk programma."}), 200)
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/decision", w.admin, map[string]string{"outcome": "awarded", "level": "senior_practitioner", "rationale": "Het programma voldoet."}), 200)

	b.open("/applications/" + caseID)
	b.see("Het programma voldoet.")
	b.submit(`main a[href^="/accreditations/"]`)
	b.see("European Quality Award", "Coachopleiding Plus", "Academie Noord", "Senior Practitioner")
	b.open("/register?q=academie")
	b.see("Academie Noord", "Coachopleiding Plus")
}
