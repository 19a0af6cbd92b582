package web_test

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/api/web"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAssessorQueuePages: an assessor with more cases than a page walks
// the cases they may take, and then their own, by each list's link to
// more, in either language, and sees each case once. The page showed the
// first cases only, with no way to the rest. A spoilt link says so and
// shows the first page.
func TestAssessorQueuePages(t *testing.T) {
	w := newWorld(t)
	t.Cleanup(web.SetAssessorQueuePageSize(1))
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	var ids []string
	for range 3 {
		id := w.readyEIA(t, carla)
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
		w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200))
		w.clock.Advance(time.Hour)
		ids = append(ids, id)
	}
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	walk := func(rows *regexp.Regexp, more string) []string {
		next := regexp.MustCompile(`<a href="([^"]+)" rel="next">` + more + `</a>`)
		var seen []string
		path := "/queue"
		for pages := 0; path != "" && pages < 10; pages++ {
			body := anna.get(path).Body
			for _, m := range rows.FindAllStringSubmatch(body, -1) {
				seen = append(seen, m[1])
			}
			path = ""
			if m := next.FindStringSubmatch(body); m != nil {
				path = html.UnescapeString(m[1])
			}
		}
		return seen
	}
	toTake := regexp.MustCompile(`<br><code class="case-id">([0-9A-Z]+)</code></th>`)
	own := regexp.MustCompile(`<th scope="row"><a href="/assess/([0-9A-Z]+)">`)
	for _, l := range [][3]string{{"en", "More cases you can take", "More of your cases"}, {"nl", "Meer dossiers die u kunt nemen", "Meer van uw dossiers"}} {
		anna.setLang(l[0])
		if seen := walk(toTake, l[1]); !slices.Equal(seen, ids) {
			t.Fatalf("%s: the cases to take by pages: %v, want each of %v once", l[0], seen, ids)
		}
	}
	for _, id := range ids {
		w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200))
	}
	for _, l := range [][3]string{{"en", "That page link is no longer valid; showing the first page.", "More of your cases"},
		{"nl", "Die paginalink is niet meer geldig; de eerste pagina wordt getoond.", "Meer van uw dossiers"}} {
		anna.setLang(l[0])
		if seen := walk(own, l[2]); !slices.Equal(seen, ids) {
			t.Fatalf("%s: their own cases by pages: %v, want each of %v once", l[0], seen, ids)
		}
		body := anna.get("/queue?mine_cursor=5.3").Body
		if !strings.Contains(body, l[1]) || !strings.Contains(body, `href="/assess/`+ids[0]+`"`) {
			t.Errorf("%s: a spoilt link's page does not say so, or shows no first page", l[0])
		}
	}
}
