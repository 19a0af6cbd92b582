package web_test

import (
	"html"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheWorkspaceOpensEvidenceFilesToThoseWhoTakePart: an assessor who may
// only claim a case sees its evidence listed in the workspace and is told
// the files open once they take a role, with no link to them and a 403 for
// the file; the assessor on the case has the viewer and the file, until
// they declare a conflict of interest with the applicant. English and
// Dutch.
func TestTheWorkspaceOpensEvidenceFilesToThoseWhoTakePart(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	id := w.readyEIA(t, carla)
	Expect(t, w.in.Upload(t, id, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1"}, "reflections.pdf", pdf, nil), 201)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	quinn := w.newAssessor(t, "quinn@example.org", "Quinn Queue")
	ev := Expect(t, w.in.Get(t, "/api/v1/cases/"+id, w.admin), 200).Map(t)["evidence"].([]any)[0].(map[string]any)
	file := "/cases/" + id + "/evidence/" + ev["id"].(string)
	title := html.EscapeString(ev["title"].(string))

	type notice map[string]string // by language
	onClaim := notice{"en": "The evidence files open once you take a role on this case", "nl": "De bewijsbestanden gaan open zodra u een rol op deze zaak hebt"}
	conflicted := notice{"en": "the evidence files are closed to you", "nl": "de bewijsbestanden zijn voor u gesloten"}
	check := func(when, who string, u User, closed notice) {
		t.Helper()
		for _, lang := range []string{"en", "nl"} {
			c := w.client(t)
			c.login(u.Email, u.Password)
			c.setLang(lang)
			page := c.get("/assess/" + id)
			if page.Status != 200 || !strings.Contains(page.Body, title) {
				t.Fatalf("%s, %s, %s: the workspace answered %d, lists the evidence %v", when, who, lang, page.Status, strings.Contains(page.Body, title))
			}
			linked := strings.Contains(page.Body, `href="`+file) || strings.Contains(page.Body, `src="`+file)
			status := c.get(file).Status
			if closed == nil {
				if !linked || status != 200 || strings.Contains(page.Body, `id="files-closed"`) {
					t.Errorf("%s, %s, %s: the file linked %v, answered %d (want 200), said closed %v", when, who, lang, linked, status, strings.Contains(page.Body, `id="files-closed"`))
				}
				continue
			}
			if linked || status != 403 {
				t.Errorf("%s, %s, %s: the file linked %v (want not), answered %d (want 403)", when, who, lang, linked, status)
			}
			if !strings.Contains(page.Body, `id="files-closed"`) || !strings.Contains(page.Body, html.EscapeString(closed[lang])) {
				t.Errorf("%s, %s, %s: the workspace does not say %q", when, who, lang, closed[lang])
			}
		}
	}
	check("in the queue", "an assessor who may claim it", quinn, onClaim)
	check("in the queue", "the assessor on the case", w.assessor, nil)

	Expect(t, w.in.Put(t, "/api/v1/users/"+w.assessor.ID+"/assessor-profile", w.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{carla.ID}}), 200)
	check("after a conflict declared", "the assessor on the case", w.assessor, conflicted)
}
