package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/framework"
)

// TestBrowserEIAJourney is a whole EIA journey in the browser, across the
// three roles: an applicant registers, applies, uploads, fills in and
// submits; the office screens; an assessor claims the case and the office
// assigns a verifier; both assess; the office decides; the applicant sees
// the award, the certificate and the entry in the public register.
func TestBrowserEIAJourney(t *testing.T) {
	carla := browser(t)
	w := newWorld(t)
	carla.base = w.in.URL
	pdfFile := filepath.Join(t.TempDir(), "reflections.pdf")
	if err := os.WriteFile(pdfFile, makePDF("Reflections on my practice, 2025", "", "1. What I noticed about my own values in sessions.", "2. What supervision taught me this year."), 0o600); err != nil {
		t.Fatal(err)
	}
	cat := framework.Default()

	// The applicant registers.
	carla.open("/")
	carla.shoot("01-home")
	carla.submit(`.hero a[href="/signup"]`)
	carla.fill("#f-name", "Carla Coach")
	carla.fill("#f-email", "carla@example.org")
	carla.fill("#f-password", "carla's long password")
	carla.submit("main form button[type=submit]")
	carla.see("Welcome", "My applications")

	// Applies for EIA at practitioner, the level descriptions at hand.
	carla.submit(`main a[href="/applications/new"]`)
	carla.click("#f-scheme-EIA")
	carla.submit("main form button[type=submit]")
	practitioner, _ := cat.Level(framework.Practitioner)
	carla.see(strings.Split(practitioner.EIA.EN, "\n")[1])
	carla.shoot("02-new-application")
	carla.click("#f-level-practitioner")
	carla.submit("main form button[type=submit]")
	carla.see("Your application is open", "Before you submit", "Client contact hours: at least 100 (now 0)")
	if !js[bool](carla, `document.querySelector("#submit-application").disabled`) {
		t.Fatal("the submit button is enabled while the checklist is not empty")
	}
	caseID := strings.Split(strings.TrimPrefix(carla.path(), "/applications/"), "?")[0]

	// The portfolio.
	carla.submit(`.tabs a[href$="/portfolio"]`)
	carla.set("#f-first_practice_date", "2021-01-15")
	for sel, v := range map[string]string{"#f-client_hours": "140", "#f-client_count": "14", "#f-cpd_hours_last_year": "20",
		"#f-supervision_hours_last_year": "6", "#f-feedback_items_last_12m": "6", "#f-reflection_items_last_12m": "5"} {
		carla.fill(sel, v)
	}
	carla.click("#f-professional_body_member")
	carla.submit("main form button[type=submit]")
	carla.see("Saved.")
	carla.shoot("03-portfolio")

	// Evidence: the limits are on the page before the file is chosen.
	carla.submit(`.tabs a[href$="/evidence"]`)
	if !js[bool](carla, `!!(document.querySelector("#upload-limits").compareDocumentPosition(document.querySelector("#f-file")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Fatal("the upload limits do not come before the file field")
	}
	carla.see("At most 20 MB per file.", "Accepted types: PDF, DOCX, ODT, TXT, MD, PNG, JPG.")
	carla.shoot("04-evidence")
	carla.set("#f-kind", "reflective_statement")
	carla.fill("#f-title", "Reflections 2025")
	carla.click("#f-cat-1")
	js[bool](carla, `document.querySelector("#f-ind-34").closest("details").open = true`)
	carla.click("#f-ind-34") // an indicator of category 2: the picker ticks the category
	if !js[bool](carla, `document.querySelector("#f-cat-2").checked`) {
		t.Fatal("citing indicator 34 did not tick its category")
	}
	carla.do("choose the file", setFiles("#f-file", pdfFile))
	// Note that the upload goes by XMLHttpRequest, showing its progress.
	js[bool](carla, `(() => { const send = XMLHttpRequest.prototype.send;
		XMLHttpRequest.prototype.send = function (body) {
			this.upload.addEventListener("progress", () => {
				if (!document.querySelector("[data-progress]").hidden) { sessionStorage.setItem("progress-shown", "yes"); }
			});
			sessionStorage.setItem("upload-by", "xhr");
			return send.call(this, body);
		}; return true; })()`)
	carla.submit("main form[data-upload] button[type=submit]")
	if by := js[string](carla, `sessionStorage.getItem("upload-by") + "/" + sessionStorage.getItem("progress-shown")`); by != "xhr/yes" {
		t.Fatalf("the upload did not go by XMLHttpRequest with its progress shown: %s", by)
	}
	carla.see("The file is uploaded", "Reflections 2025", "Categories: 1 Understanding Self, 2 Commitment to Self-Development")

	// The self-assessment of the other categories.
	carla.submit(`.tabs a[href$="/self-assessment"]`)
	for n := 3; n <= 8; n++ {
		carla.fill("#f-statement_"+itoa(n), "How my practice shows category "+itoa(n))
	}
	carla.submit("main form button[type=submit]")
	carla.see("Everything is in place. You can submit.")
	carla.shoot("05-self-assessment")

	// Submits: the timeline and the expected decision date.
	carla.submit(`.tabs a[href="/applications/` + caseID + `"]`)
	// Without the declarations she is told what to confirm.
	carla.see("You confirm", "I work to the Global Code of Ethics", "I work to a diversity policy")
	carla.click("#f-declaration_code_of_ethics")
	carla.submit("#submit-application")
	carla.see("Your application does not meet every rule yet", "The diversity declaration: not yet confirmed")
	if !js[bool](carla, `document.querySelector("#f-declaration_code_of_ethics").checked`) {
		t.Fatal("the refused form lost the declaration she ticked")
	}
	carla.click("#f-declaration_diversity")
	carla.submit("#submit-application")
	carla.see("Your application is submitted", "Nothing for you to do now: the EMCC office checks that your application is complete.", "Decision expected by", "1 June 2026", "Application submitted")
	carla.shoot("06-submitted")

	// The office screens it.
	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.see("Dashboard", "case in all") // one case: the singular
	office.submit(`nav a[href="/office/cases"]`)
	office.submit(`main a[href="/office/cases/` + caseID + `"]`)
	office.see("Carla Coach", "Screening")
	office.click("#f-outcome-accepted")
	office.submit(`form[action$="/screen"] button[type=submit]`)
	office.see("The screening is recorded.", "Awaiting assessors")

	// An assessor takes it from the queue.
	anna := browser(t)
	anna.base = w.in.URL
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.see("Cases you can take, oldest first")
	anna.shoot("07-queue")
	anna.submit(`form[action="/queue/` + caseID + `/claim"] button`)
	anna.see("The case is yours to assess.", "Reflections 2025", "Assessment starts once the verifier is assigned")
	if n := js[int](anna, `document.querySelectorAll(".viewer iframe").length`); n != 1 {
		t.Fatalf("the PDF is not shown in the viewer: %d frames", n)
	}

	// The office assigns the verifier, offered only the qualified.
	office.open("/office/cases/" + caseID)
	opts := js[string](office, `Array.from(document.querySelectorAll("#f-assessor_id_verifier option")).map(o => o.textContent).join("|")`)
	if !strings.Contains(opts, "Victor Verifier") || strings.Contains(opts, "Anna Assessor") {
		t.Fatalf("verifier choices: %s", opts)
	}
	office.shoot("09-office-case")
	office.set("#f-assessor_id_verifier", w.verifier.ID)
	office.submit(`form[action$="/assign"] button[type=submit]`)
	office.see("The verifier is assigned.", "In assessment")

	// The assessor assesses; a draft survives a reload.
	anna.open("/assess/" + caseID)
	anna.see("Rating per category")
	anna.click("#f-rating_1-evidenced")
	anna.fill("#f-notes_1", "Clear reflective practice.")
	anna.do("wait for the draft", waitFor(`document.querySelector("[data-draft-status]").textContent !== ""`))
	anna.open("/assess/" + caseID)
	anna.see("is restored")
	if v := js[string](anna, `document.querySelector("#f-notes_1").value`); v != "Clear reflective practice." {
		t.Fatalf("draft notes after reload: %q", v)
	}
	anna.shoot("08-workspace")
	rate(anna)
	anna.submit(`form[data-draft] button[type=submit]`)
	anna.see("Your assessment is submitted.", "The other assessment is not in yet")

	// The verifier assesses.
	victor := browser(t)
	victor.base = w.in.URL
	victor.login(w.verifier.Email, w.verifier.Password)
	victor.submit(`main a[href="/assess/` + caseID + `"]`)
	rate(victor)
	victor.submit(`form[data-draft] button[type=submit]`)
	victor.see("Your assessment is submitted.", "The other assessment", "Consistent practitioner-level evidence.")

	// The office decides.
	office.open("/office/cases/" + caseID)
	office.see("Awaiting decision")
	office.click("#f-outcome-awarded")
	office.fill("#f-rationale", "Meets the practitioner level on every category.")
	office.submit(`form[action$="/decide"] button[type=submit]`)
	office.see("The decision is recorded.", "Awarded")
	office.open("/office")
	office.shoot("10-dashboard")
	office.open("/office/decisions")
	office.see("Meets the practitioner level on every category.")
	office.shoot("10-decisions")
	office.open("/office/users/" + w.assessor.ID)
	office.see("Assessor profile", "Anna Assessor")
	office.shoot("10-user")
	office.open("/office/audit?case_id=" + caseID)
	office.see("Application submitted", "Decision made")
	office.shoot("11-audit")
	office.open("/office/audit/verify")
	office.see("Audit integrity", "Intact")
	office.shoot("11-audit-integrity")

	// The applicant sees the award, the certificate and the register.
	carla.open("/applications/" + caseID)
	carla.see("Decision", "Meets the practitioner level on every category.", "Renew your accreditation before 2 March 2031.")
	carla.shoot("12-decision")
	carla.submit(`main a[href^="/accreditations/"]`)
	carla.see("European Individual Accreditation", "Carla Coach", "Practitioner", "Valid until", "2 March 2031")
	carla.shoot("13-certificate")
	carla.submit(`.cert-verify a`)
	carla.see("This accreditation is valid.", "Carla Coach")
	carla.open("/register?q=carla")
	carla.see("1 accreditation", "Carla Coach", "Practitioner")
	carla.shoot("14-register")
}

// rate fills in the whole rating form: every category evidenced, an
// indicator cited, the award recommended.
func rate(b *tab) {
	b.t.Helper()
	for n := 1; n <= 8; n++ {
		b.click("#f-rating_" + itoa(n) + "-evidenced")
	}
	js[bool](b, `document.querySelector("#f-ind-1-1").closest("details").open = true`)
	b.click("#f-ind-1-1")
	b.click("#f-recommendation-award")
	b.fill("#f-rationale", "Consistent practitioner-level evidence.")
}
