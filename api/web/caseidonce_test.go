package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// TestAQueuesLinkReadsTheCaseIDOnce: a row of the queues named its case
// by a link whose text, for a screen reader, ended in the case id (hidden
// from sight), and then showed the id again: the id was read twice, the
// first time with nothing to say what the number is. The row now reads
// it once, as "Case <id>" ("Dossier <id>") in its link; the id shown is
// for the eyes only. The office's queue and search and the assessor's
// queue (their finished cases' list is drawn alike); in either language.
func TestAQueuesLinkReadsTheCaseIDOnce(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla) // Anna's, in the queues
	w.indexed(t)
	office := w.officeClient(t)
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	row := regexp.MustCompile(`(?s)<th scope="row"><a href="/(?:office/cases|assess)/` + caseID + `">.*?</th>`)
	hidden := regexp.MustCompile(`<[a-z]+ [^>]*aria-hidden="true"[^>]*>[^<]*</[a-z]+>`)
	tag := regexp.MustCompile(`<[^>]+>`)
	for _, lang := range []string{"en", "nl"} {
		office.setLang(lang)
		anna.setLang(lang)
		for _, tc := range []struct {
			who  *client
			page string
		}{{office, "/office/cases"}, {office, "/office/search?q=Carla"}, {anna, "/queue"}} {
			t.Run(tc.page+"/"+lang, func(t *testing.T) {
				m := row.FindString(tc.who.get(tc.page).Body)
				if m == "" {
					t.Fatalf("%s does not list the case", tc.page)
				}
				read := html.UnescapeString(tag.ReplaceAllString(hidden.ReplaceAllString(m, ""), " "))
				if n := strings.Count(read, caseID); n != 1 {
					t.Errorf("the row reads the case id %d times: %q", n, strings.Join(strings.Fields(read), " "))
				}
				if want := map[string]string{"en": "Case ", "nl": "Dossier "}[lang] + caseID; !strings.Contains(read, want) {
					t.Errorf("the row does not read %q: %q", want, strings.Join(strings.Fields(read), " "))
				}
			})
		}
	}
}
