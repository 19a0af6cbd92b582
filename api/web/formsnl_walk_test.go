package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/emcc/accredit/api/web"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// englishWord is a word of English no Dutch sentence of the pages has.
var englishWord = regexp.MustCompile(`(?i)\b(the|and|with|must|should|your|you|has|have|been|not|are|for|from|only|cannot|unknown|required|already|which|this|that|when|than|least|most|one of|or|to|be|at|number|below|above|twice)\b`)

var (
	summaryLines = regexp.MustCompile(`<li><a href="#f-[^"]*">([^<]*)</a></li>`)
	errorDetail  = regexp.MustCompile(`(?s)<div class="narrow error-page">.*?<p class="prose">(.*?)</p>`)
)

// TestEveryFormRefusesInDutch sends every form of the pages, from a Dutch
// page of each role, empty and with values no page offers (a word for a
// number, a level or role that does not exist, a date in the past), and
// fails on English in what the answer says went wrong (the error
// summary's lines and the error page's detail) and on a field the summary
// names by its form name rather than its label.
func TestEveryFormRefusesInDutch(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	ready := w.readyEIA(t, carla)
	dave := w.registerApplicant(t, "dave@example.org", "Dave Assessed")
	inAssessment := w.inAssessment(t, dave)
	erin := w.registerApplicant(t, "erin@example.org", "Erin Assessed")
	assessed, ev := w.assessedCase(t, erin)
	fred := w.registerApplicant(t, "fred@example.org", "Fred Awarded")
	awarded, _, acc := w.awardedCase(t, fred)
	senior := w.seniorInAssessment(t, w.registerApplicant(t, "sam@example.org", "Sam Senior"))
	as := func(email, password string) *client {
		c := w.client(t)
		c.login(email, password)
		c.setLang("nl")
		return c
	}
	anon := w.client(t)
	anon.setLang("nl")
	office := as(AdminEmail, AdminPassword)
	by := []struct {
		c     *client
		cases []string
	}{
		{as(carla.Email, carla.Password), []string{ready}},
		{as(fred.Email, fred.Password), []string{awarded}},
		{as(w.assessor.Email, w.assessor.Password), []string{inAssessment, senior}},
		{office, []string{ready, inAssessment, assessed, senior}},
	}
	forms := []url.Values{{}, {
		"title": {"x"}, "kind": {"bogus"}, "level": {"bogus"}, "scheme": {"bogus"}, "outcome": {"bogus"}, "recommendation": {"award_lower"},
		"recommended_level": {"master_practitioner"}, "moderation_level": {"bogus"}, "status": {"bogus"}, "role": {"bogus"},
		"email": {"not-an-email"}, "new_email": {"not-an-email"}, "password": {"short"}, "new_password": {"password"}, "name": {"  "},
		"first_practice_date": {"1800-01-01"}, "client_hours": {"lots"}, "client_count": {"99999999"}, "interview_at": {"2020-01-01T10:00"},
		"interview_place": {"Room 1"}, "effective_from": {"2020-01-01"}, "assessor_id": {"nobody"}, "renewal_assessor_id": {"nobody"},
		"language": {"xx"}, "languages": {"english"}, "max_level": {"bogus"}, "schemes": {"XYZ"}, "conflicts": {"nobody"}, "receive": {"bogus"},
		"ground": {"bogus"}, "erase_ground": {"bogus"}, "vote": {"bogus"}, "categories": {"99"}, "indicators": {"999"},
		"years[0].cpd_hours": {"lots"}, "reflection": {strings.Repeat("a", 20001)}, "v_client_count_practitioner": {"2,5"},
	}}
	seen := map[string]bool{}
	for _, r := range web.Routes() {
		if r.Method != "POST" || r.Path == "/lang" || r.Path == "/logout" || strings.HasSuffix(r.Path, "/sessions") || strings.HasSuffix(r.Path, "/sessions/end") {
			continue
		}
		for _, b := range by {
			if r.Public {
				b.c = anon
			}
			for _, id := range b.cases {
				path := strings.NewReplacer(":case", id, ":ev", ev, ":acc", acc, ":user", w.assessor.ID, ":scheme", "eia").Replace(r.Path)
				for _, f := range forms {
					sent := url.Values{"confirm": {"yes"}}
					for k, v := range f {
						sent[k] = v
					}
					a := b.c.postAsking(path, sent, true)
					if strings.HasPrefix(a.Header.Get("Content-Type"), "text/html") {
						for _, p := range structureProblems(a.Body) {
							if !seen[path+p] {
								seen[path+p] = true
								t.Errorf("POST %s (%d): %s", path, a.Status, p)
							}
						}
					}
					var said []string
					for _, m := range summaryLines.FindAllStringSubmatch(a.Body, -1) {
						said = append(said, m[1])
					}
					if m := errorDetail.FindStringSubmatch(a.Body); m != nil {
						said = append(said, m[1])
					}
					for _, s := range said {
						s = html.UnescapeString(s)
						label, _, labelled := strings.Cut(s, ": ")
						unlabelled := labelled && label != "" && unicode.IsLower([]rune(label)[0]) // a field's name
						if (englishWord.MatchString(s) || unlabelled) && !seen[s] {
							seen[s] = true
							t.Errorf("POST %s: %q", r.Path, s)
						}
					}
				}
				if r.Public {
					break
				}
			}
			if r.Public {
				break
			}
		}
	}
}
