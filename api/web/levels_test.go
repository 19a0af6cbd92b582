package web_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/framework"
)

// The assessor places a level against the framework's own words (issue 16
// item 5): the workspace shows the description of the case's level and of
// the one below, of the case's scheme, in the reader's language, from the
// catalogue.
func TestTheWorkspaceShowsTheLevelDescriptions(t *testing.T) {
	w := newWorld(t)
	id := w.inAssessment(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))

	cat := framework.Default()
	text := func(l framework.Level, eqa bool, lang string) string {
		info, _ := cat.Level(l)
		t := info.EIA
		if eqa {
			t = info.EQA
		}
		if lang == "nl" {
			return html.EscapeString(strings.Split(t.NL, "\n")[1])
		}
		return html.EscapeString(strings.Split(t.EN, "\n")[1])
	}
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	page := anna.get("/assess/" + id).Body
	i := strings.Index(page, `id="level-texts"`)
	if i < 0 {
		t.Fatal("the workspace has no level descriptions")
	}
	section := page[i : strings.Index(page[i:], "</details>")+i]
	for _, want := range []string{text(framework.Practitioner, false, "en"), text(framework.Foundation, false, "en"), "Practitioner", "Foundation"} {
		if !strings.Contains(section, want) {
			t.Fatalf("the level descriptions do not hold %q", want)
		}
	}
	for _, not := range []string{text(framework.SeniorPractitioner, false, "en"), text(framework.Practitioner, true, "en")} {
		if strings.Contains(section, not) {
			t.Fatalf("the level descriptions hold %q: another level's or scheme's", not)
		}
	}
	anna.setLang("nl")
	if page := anna.get("/assess/" + id).Body; !strings.Contains(page, text(framework.Practitioner, false, "nl")) {
		t.Fatal("the Dutch workspace does not show the Dutch description")
	}
}

// The coverage map on the pages (issue 16 item 3): the applicant sees it
// on the evidence page before submitting, with the gaps counted; the
// assessor in the workspace and the office on the case page, the
// assessor's observations once assessed.
func TestTheCoverageMapOnThePages(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	var id string
	id, _ = w.assessedCaseBefore(t, carla, func(caseID string) {
		id = caseID
		c := w.client(t)
		c.login(carla.Email, carla.Password)
		page := c.get("/applications/" + caseID + "/evidence").Body
		n := len(framework.Default().IndicatorsAtOrBelow(framework.Practitioner)) - 1 // reflections.pdf cites indicator 31
		for _, want := range []string{`id="coverage"`, "Evidence coverage map", fmt.Sprintf("%d indicators without evidence", n)} {
			if !strings.Contains(page, want) {
				t.Fatalf("the evidence page: no %q", want)
			}
		}
		if !regexp.MustCompile(`<span class="ind-num">31</span>[^<]*<span class="ind-level">[^<]*</span></th>\s*<td>Reflections 2025</td>`).MatchString(page) {
			t.Fatal("the evidence page's map does not show the reflections against indicator 31")
		}
	})
	office := w.officeClient(t)
	page := office.get("/office/cases/" + id).Body
	if !regexp.MustCompile(`<span class="ind-num">31</span>[^<]*<span class="ind-level">[^<]*</span></th>\s*<td>Reflections 2025</td>\s*<td>`).MatchString(page) {
		t.Fatal("the office's map does not show the reflections against indicator 31")
	}
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	if page := anna.get("/assess/" + id).Body; !strings.Contains(page, `id="coverage"`) || !strings.Contains(page, "Observed in the assessment of") {
		t.Fatal("the workspace has no coverage map")
	}
}
