package web_test

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheWorkloadsOpenCountListsWhatItCounts: the dashboard's "Open"
// count of an assessor is the roles they hold and have not assessed yet
// (GET /api/v1/stats, unchanged), but its link listed every case they
// hold, the ones they had assessed and that wait for the verifier too: 1
// led to 2. The link now lists the cases they have still to assess, as
// many as the count, and says so, in either language; the list of every
// case they hold is one link further.
func TestTheWorkloadsOpenCountListsWhatItCounts(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	gus := w.registerApplicant(t, "gus@example.org", "Gus Coach")
	waiting := w.claimedCase(t, carla) // Anna's, not assessed yet
	assessed := w.claimedCase(t, gus)  // Anna's, assessed: the verifier's turn
	Expect(t, w.in.Post(t, "/api/v1/cases/"+assessed+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	var ratings []map[string]any
	for cat := 1; cat <= 8; cat++ {
		ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced"})
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+assessed+"/assessments", w.assessor.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Fine."}), 200)

	office := w.officeClient(t)
	row := regexp.MustCompile(`(?s)<tr><th scope="row"><a href="/office/users/` + w.assessor.ID + `">[^<]*</a></th><td class="num"><a href="([^"]+)">(\d+)</a></td>`)
	caseLink := regexp.MustCompile(`<th scope="row"><a href="/office/cases/([0-9A-Z]+)"`)
	for lang, notice := range map[string]string{"en": "has still to assess", "nl": "die nog te beoordelen zijn"} {
		t.Run(lang, func(t *testing.T) {
			office.setLang(lang)
			m := row.FindStringSubmatch(between(office.get("/office").Body, `id="workload-heading"`, "</section>"))
			if m == nil {
				t.Fatal("Anna's workload row has no link on its open count")
			}
			open, _ := strconv.Atoi(m[2])
			list := office.get(html.UnescapeString(m[1]))
			var listed []string
			for _, c := range caseLink.FindAllStringSubmatch(list.Body, -1) {
				listed = append(listed, c[1])
			}
			if open != 1 || len(listed) != open || listed[0] != waiting {
				t.Errorf("the open count %d links to %v, want 1 and the case %s alone", open, listed, waiting)
			}
			if !strings.Contains(between(list.Body, `id="held-by"`, "</p>"), notice) {
				t.Errorf("the list does not say it holds only what is still to assess (%q)", notice)
			}
			every := office.get("/office/cases?assessor_id=" + w.assessor.ID)
			if n := len(caseLink.FindAllStringSubmatch(every.Body, -1)); n != 2 {
				t.Errorf("every case Anna holds: %d listed, want 2", n)
			}
		})
	}
}
