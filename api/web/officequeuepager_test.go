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

// TestOfficeQueuePagesWhileCasesMove walks the office's queue of submitted
// cases by pages of one while, between pages, the case just read is
// screened and so leaves the filter. By offset, the case after it moved
// onto the page already read and was never shown; the next page now goes
// on after the last case read, keeping the filter, in either language.
func TestOfficeQueuePagesWhileCasesMove(t *testing.T) {
	w := newWorld(t)
	t.Cleanup(web.SetOfficeQueuePageSize(1))
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	var ids []string
	for range 4 {
		id := w.readyEIA(t, carla)
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
		w.clock.Advance(time.Hour)
		ids = append(ids, id)
	}
	office := w.officeClient(t)
	caseLink := regexp.MustCompile(`<th scope="row"><a href="/office/cases/([0-9A-Z]+)"`)
	for _, l := range [][2]string{{"en", "Next page"}, {"nl", "Volgende pagina"}} {
		lang, next := l[0], l[1]
		office.setLang(lang)
		nextLink := regexp.MustCompile(`<a href="([^"]+)">` + next + `</a>`)
		var seen []string
		path := "/office/cases?state=submitted"
		for pages := 0; path != "" && pages < 10; pages++ {
			body := office.get(path).Body
			for _, m := range caseLink.FindAllStringSubmatch(body, -1) {
				seen = append(seen, m[1])
			}
			path = ""
			if m := nextLink.FindStringSubmatch(body); m != nil {
				path = html.UnescapeString(m[1])
				if !strings.Contains(path, "state=submitted") {
					t.Fatalf("%s: the next page's link %s drops the filter", lang, path)
				}
				// The case just read leaves the filter before the next page.
				last := seen[len(seen)-1]
				Expect(t, w.in.Post(t, "/api/v1/cases/"+last+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
			}
		}
		if lang == "en" {
			if !slices.Equal(seen, ids) {
				t.Fatalf("the submitted cases by pages: %v, want each of %v once", seen, ids)
			}
			// The last, screened too; four more for the Dutch walk.
			Expect(t, w.in.Post(t, "/api/v1/cases/"+seen[len(seen)-1]+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
			ids = nil
			for range 4 {
				id := w.readyEIA(t, carla)
				Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
				w.clock.Advance(time.Hour)
				ids = append(ids, id)
			}
		} else if !slices.Equal(seen, ids) {
			t.Fatalf("nl: the submitted cases by pages: %v, want each of %v once", seen, ids)
		}
	}
}
