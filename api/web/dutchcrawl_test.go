package web_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// dutchCase opens an EIA case of the applicant in Dutch at level, with a
// portfolio that meets the rules, a file of evidence and a statement on
// every category, and takes it through the API as far as to says:
// "draft", "submitted", "in_assessment" (both roles held), "assessed"
// (both recommend the award) or "moderation" (they disagree).
func (w *world) dutchCase(t testing.TB, u User, level, to string) string {
	t.Helper()
	id := Expect(t, w.in.Post(t, "/api/v1/cases", u.Token, map[string]any{"scheme": "EIA", "level": level, "language": "nl"}), 201).Map(t)["id"].(string)
	Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/portfolio", u.Token, map[string]any{"first_practice_date": "2018-01-15", "client_hours": 300, "client_count": 25,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	Expect(t, w.in.Upload(t, id, u.Token, map[string]string{"kind": "reflective_statement", "title": "Reflecties 2025", "categories": "1,2"}, "reflecties.pdf", pdf, nil), 201)
	var cats []map[string]any
	for cat := 1; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("Zo werk ik aan categorie %d", cat)})
	}
	last := Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", u.Token, map[string]any{"categories": cats}), 200)
	if to != "draft" {
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", u.Token, declared), 200)
		last = Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	}
	if to == "in_assessment" || to == "assessed" || to == "moderation" {
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
		last = Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	}
	if to == "assessed" || to == "moderation" {
		for i, a := range []User{w.assessor, w.verifier} {
			rec := "award"
			if to == "moderation" && i == 1 {
				rec = "not_award"
			}
			var ratings []map[string]any
			for cat := 1; cat <= 8; cat++ {
				ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced", "notes": "goed"})
			}
			last = Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assessments", a.Token, map[string]any{"ratings": ratings, "recommendation": rec, "rationale": "Overtuigend bewijs."}), 200)
		}
	}
	w.settled(t, last)
	return id
}

var (
	pageScript  = regexp.MustCompile(`(?is)<(script|style|pre|code)[\s>].*?</(script|style|pre|code)>`)
	markedEN    = regexp.MustCompile(`(?s)<([a-z][a-z0-9]*)[^>]*\slang="en"[^>]*>.*?</([a-z][a-z0-9]*)>`)
	shownAttr   = regexp.MustCompile(`\s(aria-label|title|alt|placeholder|data-label|data-msg-[a-z-]+)="([^"]*)"`)
	anyTagOf    = regexp.MustCompile(`(?s)<[^>]*>`)
	pageLink    = regexp.MustCompile(`href="(/[^"#]*)"`)
	rawValue    = regexp.MustCompile(`\b[a-z]+_[a-z_]*[a-z]\b|\[erased\]`)
	englishDate = regexp.MustCompile(`\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December)\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b`)
)

// shownTexts is what a page shows its reader, each text, each name an
// element gives a screen reader and each message its script shows
// (data-msg-...), leaving out what the page marks English (quoted
// sources, an English mail), scripts, and code (the audit's event data).
func shownTexts(page string) []string {
	page = pageScript.ReplaceAllString(page, "")
	page = markedEN.ReplaceAllStringFunc(page, func(s string) string {
		if m := markedEN.FindStringSubmatch(s); m[1] == m[2] {
			return ""
		}
		return s
	})
	var out []string
	for _, m := range shownAttr.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(m[2]))
	}
	for _, s := range anyTagOf.Split(page, -1) {
		if s = strings.Join(strings.Fields(html.UnescapeString(s)), " "); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// notDutch says what in a text shown on a Dutch page is not Dutch: a word
// of English, a value of the domain shown as stored, a date in English.
func notDutch(s string) string {
	for _, re := range []*regexp.Regexp{englishWord, rawValue, englishDate} {
		for _, i := range re.FindAllStringIndex(s, -1) {
			// \b is ASCII's: "be" in "beëindigd" is no word.
			before, _ := utf8.DecodeLastRuneInString(s[:i[0]])
			after, _ := utf8.DecodeRuneInString(s[i[1]:])
			if !unicode.IsLetter(before) && !unicode.IsLetter(after) {
				return s[i[0]:i[1]]
			}
		}
	}
	return ""
}

// dutchWorld is a world whose applicants have cases in Dutch in many
// states (see TestEveryDutchPageIsDutch), and the people to log in as: the
// applicants with a case, the assessors and the office.
func dutchWorld(t *testing.T) (*world, []User) {
	t.Helper()
	w := newWorld(t)
	reg := func(email, name string) User { return w.registerApplicant(t, email, name) }
	ada, ben, dirk, eva := reg("ada@example.org", "Ada Jansen"), reg("ben@example.org", "Ben Bakker"), reg("dirk@example.org", "Dirk Visser"), reg("eva@example.org", "Eva Smit")
	gijs, sanne, wim, henk := reg("gijs@example.org", "Gijs Mulder"), reg("sanne@example.org", "Sanne de Vries"), reg("wim@example.org", "Wim de Boer"), reg("henk@example.org", "Henk Dekker")
	pia, fleur, mila := reg("pia@example.org", "Pia Peters"), reg("fleur@example.org", "Fleur Hendriks"), reg("mila@example.org", "Mila Bos")
	lotte, tom, joost, kees := reg("lotte@example.org", "Lotte Meijer"), reg("tom@example.org", "Tom de Graaf"), reg("joost@example.org", "Joost Kok"), reg("kees@example.org", "Kees Vos")
	decide := func(u User, level string) string {
		id := w.dutchCase(t, u, "practitioner", "assessed")
		outcome := map[bool]string{true: "awarded", false: "not_awarded"}[level != ""]
		d := Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/decision", w.admin, map[string]string{"outcome": outcome, "level": level, "rationale": "Zo besloten."}), 200).Map(t)
		if level == "" {
			return id
		}
		return d["accreditation"].(map[string]any)["id"].(string)
	}
	w.dutchCase(t, ada, "practitioner", "draft")
	Expect(t, w.in.Post(t, "/api/v1/me/self-checks", ada.Token, map[string]any{"ratings": []map[string]any{{"indicator": 1, "rating": "consistently"}}}), 201)
	bid := w.dutchCase(t, ben, "practitioner", "draft")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+bid+"/submit", ben.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+bid+"/screening", w.admin, map[string]string{"outcome": "returned", "reason": "Onderteken het formulier."}), 200)
	did := w.dutchCase(t, dirk, "practitioner", "in_assessment")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+did+"/information-requests", w.assessor.Token, map[string]string{"questions": "Stuur het logboek."}), 200)
	w.dutchCase(t, eva, "practitioner", "assessed")
	w.dutchCase(t, mila, "practitioner", "moderation")
	gid := w.dutchCase(t, gijs, "practitioner", "assessed")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+gid+"/decision", w.admin, map[string]string{"outcome": "not_awarded", "rationale": "Nog niet op het niveau."}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+gid+"/appeal", gijs.Token, map[string]string{"grounds": "Mijn logboek is over het hoofd gezien."}), 200)
	sid := w.dutchCase(t, sanne, "senior_practitioner", "in_assessment")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+sid+"/interview", w.assessor.Token, map[string]string{"at": "2026-03-20T10:00:00Z", "place": "Zeeburgerdijk 77"}), 200)
	wid := w.dutchCase(t, wim, "practitioner", "submitted")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+wid+"/withdraw", wim.Token, map[string]string{"reason": "Het duurt te lang."}), 200)
	w.dutchCase(t, henk, "practitioner", "submitted")
	Expect(t, w.in.Post(t, "/api/v1/users/"+henk.ID+"/erasure", w.admin, map[string]string{"reason": "Op verzoek."}), 200)
	w.awardedProgrammeNamed(t, pia, "Coachopleiding Plus", "Academie Noord")
	w.openEQA(t, pia, "practitioner", "nl", "Coachen in de praktijk", "Academie Zuid")
	fid := w.dutchCase(t, fleur, "practitioner", "assessed")
	d := Expect(t, w.in.Post(t, "/api/v1/cases/"+fid+"/decision", w.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Voldoet aan het niveau."}), 200).Map(t)
	accID := d["accreditation"].(map[string]any)["id"].(string)
	decide(lotte, "foundation") // lower than applied for
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+decide(tom, "practitioner")+"/revocation", w.admin, map[string]string{"reason": "De ethische code geschonden."}), 200)
	joostAcc := decide(joost, "practitioner")
	kid := decide(kees, "")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+kid+"/appeal", kees.Token, map[string]string{"grounds": "Niet eerlijk."}), 200)
	rita := w.in.CreateUser(t, w.admin, "office", "rita@example.org", "Rita Smits")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+kid+"/appeal/decision", rita.Token, map[string]string{"outcome": "dismissed", "rationale": "Het besluit blijft."}), 200)
	// The renewal opens in the accreditation's last months.
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	w.admin = w.in.AdminToken(t)
	fleur.Token = w.in.Login(t, fleur.Email, fleur.Password)
	rene := w.newAssessor(t, "rene@example.org", "René Jacobs")
	var years []map[string]any
	for range 5 {
		years = append(years, map[string]any{"practice_hours": 30, "supervision_hours": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "cpd_hours": 20})
	}
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal", fleur.Token, map[string]any{"years": years,
		"reflection": "Vijf jaar waarin mijn contracten veranderden.", "declarations": []string{"code_of_ethics", "diversity"}}), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", w.admin, map[string]string{"assessor_id": rene.ID}), 200))
	joost.Token = w.in.Login(t, joost.Email, joost.Password)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+joostAcc+"/renewal", joost.Token, map[string]any{"years": years,
		"reflection": "Vijf jaar.", "declarations": []string{"code_of_ethics", "diversity"}}), 200)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+joostAcc+"/renewal/assignment", w.admin, map[string]string{"assessor_id": rene.ID}), 200)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+joostAcc+"/renewal/assessment", rene.Token, map[string]string{"outcome": "return", "rationale": "Vertel meer."}), 200)
	// The interview took place: the assessor records it.
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+sid+"/interview/record", w.in.Login(t, w.assessor.Email, w.assessor.Password),
		map[string]any{"notes": "Reflectief.", "observations": []map[string]any{{"category": 4, "notes": "Bouwt vertrouwen op."}}}), 200))

	return w, []User{ada, ben, dirk, gijs, sanne, wim, pia, fleur, lotte, tom, joost, kees, w.assessor, w.verifier, rene, {Email: AdminEmail, Password: AdminPassword}}
}

// TestEveryDutchPageIsDutch (the Dutch experience end to end): each role,
// and a visitor, with cases in many states (a draft and a saved
// self-check, returned, information asked, in assessment with an
// interview, awaiting the decision, in moderation, appealed and an appeal
// dismissed, withdrawn, an erased applicant's, awarded, awarded lower,
// revoked, in renewal and a renewal returned, an EQA programme), follows
// every link of its pages in Dutch and meets no English: no word of it,
// no value shown as stored, no English date, in the texts and in what a
// screen reader names. Each mail to a case in Dutch is Dutch too. The
// framework's own pages are left out (its texts are the catalogue's), and
// so are the API's documentation and files. The outbox shows each mail
// as it was sent, in its language, which it marks (an English subject on
// a Dutch page was read out with Dutch sounds).
func TestEveryDutchPageIsDutch(t *testing.T) {
	w, people := dutchWorld(t)
	// What the pages show as written: a name, and what the tests' helpers
	// write in English (the EQA programme's assessments and decision).
	written := strings.NewReplacer("European Mentoring and Coaching Council", "", "Meets the level.", "")
	failed := map[string]bool{}
	for _, who := range append(people, User{}) { // and a visitor, not logged in
		c := w.client(t)
		c.setLang("nl")
		if who.Email != "" {
			c.login(who.Email, who.Password)
		}
		seen := map[string]bool{}
		for queue := []string{"/"}; len(queue) > 0; queue = queue[1:] {
			path := queue[0]
			if seen[path] || len(seen) > 400 {
				continue
			}
			seen[path] = true
			a := c.get(path)
			if a.Status == 303 && strings.HasPrefix(a.Location, "/") {
				queue = append(queue, a.Location)
				continue
			}
			if !strings.HasPrefix(a.Header.Get("Content-Type"), "text/html") {
				continue
			}
			for _, s := range shownTexts(a.Body) {
				if m := notDutch(written.Replace(s)); m != "" && !failed[s] {
					failed[s] = true
					t.Errorf("%s, GET %s: %q in %q", who.Email, path, m, s)
				}
			}
			for _, m := range pageLink.FindAllStringSubmatch(a.Body, -1) {
				u, err := url.Parse(html.UnescapeString(m[1]))
				if err != nil || strings.HasPrefix(u.Path, "/framework/") || strings.HasPrefix(u.Path, "/static/") || strings.HasPrefix(u.Path, "/api/") || u.Path == "/logout" {
					continue
				}
				queue = append(queue, u.String())
			}
		}
	}

	// The mails to the people of the Dutch cases, once the last is written.
	w.mailOf(t, "renewal_outcome")
	dutch := map[string]bool{}
	for _, m := range Expect(t, w.in.Get(t, "/api/v1/outbox?limit=200", w.admin), 200).Map(t)["messages"].([]any) {
		m := m.(map[string]any)
		if m["language"] != "nl" {
			continue
		}
		msg := Expect(t, w.in.Get(t, "/api/v1/outbox/"+m["id"].(string), w.admin), 200).Map(t)
		dutch[m["kind"].(string)] = true
		for _, s := range append([]string{msg["subject"].(string)}, strings.Split(msg["body"].(string), "\n")...) {
			if n := notDutch(s); n != "" && !failed[s] {
				failed[s] = true
				t.Errorf("mail %s: %q in %q", m["kind"], n, s)
			}
		}
	}
	if len(dutch) < 4 {
		t.Errorf("Dutch mails of %d kinds, want more: %v", len(dutch), dutch)
	}
}
