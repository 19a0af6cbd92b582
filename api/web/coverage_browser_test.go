package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// coverageRow is what the coverage map's row of indicator n shows: the
// evidence citing it, who observed it, and whether it is marked a gap.
func coverageRow(b *tab, n int) string {
	b.t.Helper()
	return js[string](b, fmt.Sprintf(`(() => {
		document.querySelector("#coverage").open = true;
		const r = [...document.querySelectorAll("#coverage tr")].find(tr => { const i = tr.querySelector(".ind-num"); return i && i.textContent === "%d"; });
		return r ? r.cells[1].innerText.trim() + " | " + r.cells[2].innerText.trim() + (r.classList.contains("coverage-gap") ? " | gap" : "") : "no row";
	})()`, n))
}

// gaps is the coverage map's count of gaps, as its summary says it and as
// rows marked.
func gaps(b *tab) (summary string, rows int) {
	b.t.Helper()
	return js[string](b, `document.querySelector("#coverage summary").textContent`),
		js[int](b, `document.querySelectorAll("#coverage tr.coverage-gap").length`)
}

// TestTheCoverageMapInTheBrowser (issue 16 item 3, "Done means"): the
// applicant uploads evidence citing two indicators on the evidence page
// and sees their cells fill and the count of gaps fall by two; the
// assessor sees the map in the workspace, and once assessed the
// indicators observed, each by the role that observed it; so does the
// office on the case page.
func TestTheCoverageMapInTheBrowser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	id := w.readyEIA(t, carla)
	pdfFile := filepath.Join(t.TempDir(), "reflections.pdf")
	if err := os.WriteFile(pdfFile, makePDF("Reflections on my practice, 2025"), 0o600); err != nil {
		t.Fatal(err)
	}

	applicant := browser(t)
	applicant.base = w.in.URL
	applicant.login(carla.Email, carla.Password)
	applicant.open("/applications/" + id + "/evidence")
	before, rows := gaps(applicant)
	if !strings.HasSuffix(before, fmt.Sprintf("%d indicators without evidence", rows)) || rows < 10 {
		t.Fatalf("before any evidence: summary %q, %d gap rows", before, rows)
	}
	for _, n := range []int{31, 34} {
		if got := coverageRow(applicant, n); got != "none yet | — | gap" {
			t.Fatalf("indicator %d before any evidence: %q", n, got)
		}
	}
	applicant.set("#f-kind", "reflective_statement")
	applicant.fill("#f-title", "Reflections 2025")
	js[bool](applicant, `document.querySelectorAll("#f-categories details").forEach(d => d.open = true); true`)
	applicant.click("#f-ind-31")
	applicant.click("#f-ind-34")
	applicant.do("choose the file", setFiles("#f-file", pdfFile))
	applicant.submit("main form[data-upload] button[type=submit]")
	applicant.see("The file is uploaded")
	after, left := gaps(applicant)
	if left != rows-2 || !strings.HasSuffix(after, fmt.Sprintf("%d indicators without evidence", rows-2)) {
		t.Fatalf("after citing 31 and 34: summary %q, %d gap rows; want %d", after, left, rows-2)
	}
	for _, n := range []int{31, 34} {
		if got := coverageRow(applicant, n); got != "Reflections 2025 | —" {
			t.Fatalf("indicator %d after the upload: %q", n, got)
		}
	}
	if got := coverageRow(applicant, 1); got != "none yet | — | gap" {
		t.Fatalf("indicator 1, cited by nothing: %q", got)
	}

	// Submitted, screened, and both roles taken (through the API).
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)

	anna := browser(t)
	anna.base = w.in.URL
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.open("/assess/" + id)
	if got := coverageRow(anna, 31); got != "Reflections 2025 | —" {
		t.Fatalf("the workspace's map, indicator 31 before assessing: %q", got)
	}
	if s, n := gaps(anna); n != rows-2 || !strings.HasSuffix(s, fmt.Sprintf("%d indicators without evidence", rows-2)) {
		t.Fatalf("the workspace's map: summary %q, %d gap rows", s, n)
	}
	for n := 1; n <= 8; n++ {
		anna.click("#f-rating_" + itoa(n) + "-evidenced")
	}
	js[bool](anna, `document.querySelector("#f-ind-1-31").closest("details").open = true`)
	anna.click("#f-ind-1-31")
	anna.click("#f-recommendation-award")
	anna.fill("#f-rationale", "Consistent practitioner-level evidence.")
	anna.submit(`form[data-draft] button[type=submit]`)
	anna.see("Your assessment is submitted.")
	if got := coverageRow(anna, 31); got != "Reflections 2025 | Assessor" {
		t.Fatalf("the workspace's map, indicator 31 after her assessment: %q", got)
	}
	if got := coverageRow(anna, 34); got != "Reflections 2025 | —" {
		t.Fatalf("the workspace's map, indicator 34 that she did not observe: %q", got)
	}

	// The verifier observes 34 and 31: once both are in, each sees the other's.
	var ratings []map[string]any
	for cat := 1; cat <= 8; cat++ {
		r := map[string]any{"category": cat, "rating": "evidenced"}
		switch cat {
		case 1:
			r["indicators"] = []int{31}
		case 2:
			r["indicators"] = []int{34}
		}
		ratings = append(ratings, r)
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assessments", w.verifier.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Agree."}), 200)
	anna.open("/assess/" + id)
	if got := coverageRow(anna, 31); got != "Reflections 2025 | Assessor, Verifier" {
		t.Fatalf("the workspace's map, indicator 31 after both assessments: %q", got)
	}
	if got := coverageRow(anna, 34); got != "Reflections 2025 | Verifier" {
		t.Fatalf("the workspace's map, indicator 34 after both assessments: %q", got)
	}

	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.open("/office/cases/" + id)
	for n, want := range map[int]string{31: "Reflections 2025 | Assessor, Verifier", 34: "Reflections 2025 | Verifier", 1: "none yet | — | gap"} {
		if got := coverageRow(office, n); got != want {
			t.Fatalf("the office's map, indicator %d: %q, want %q", n, got, want)
		}
	}
}
