package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// An upload past the quota of all the applicant's applications together
// is refused on the form, saying which limit, in English and in Dutch.
func TestUploadPastTheApplicantQuotaInBothLanguages(t *testing.T) {
	w := newWorld(t, func(c *app.Config) { c.MaxApplicantBytes = int64(len(pdf)) + 10 })
	c, second := fileOnAnotherApplication(t, w)
	upload := func() answer {
		return c.postFile("/applications/"+second+"/evidence", [][2]string{{"kind", "certificate"}, {"title", "A file"}}, "second.pdf", pdf)
	}
	a := upload()
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "With this file your applications together would hold more than") ||
		!strings.Contains(a.Body, "the most one applicant may store") {
		t.Fatalf("past the applicant's quota: got %d, want 422 naming the applicant's quota", a.Status)
	}
	c.setLang("nl")
	a = upload()
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "Met dit bestand zouden uw aanvragen samen meer dan") ||
		!strings.Contains(a.Body, "het maximum dat één aanvrager mag opslaan") {
		t.Fatalf("past the applicant's quota, in Dutch: got %d, want 422 naming the applicant's quota", a.Status)
	}
}

// The evidence page tells the applicant what all their applications
// together hold against their quota (a file on another application
// counts), in English and Dutch.
func TestTheEvidencePageShowsTheApplicantsQuota(t *testing.T) {
	w := newWorld(t, func(c *app.Config) { c.MaxApplicantBytes = 3 << 20 })
	c, second := fileOnAnotherApplication(t, w)
	held := strconv.Itoa(len(pdf))
	for lang, want := range map[string]string{
		"en": "All your applications together may hold 3 MB; they hold " + held + " bytes.",
		"nl": "Al uw aanvragen samen mogen 3 MB bevatten; ze bevatten " + held + " bytes.",
	} {
		c.setLang(lang)
		page := c.get("/applications/" + second + "/evidence")
		if page.Status != http.StatusOK || !strings.Contains(page.Body, want) {
			t.Errorf("%s: the evidence page (%d) does not say %q", lang, page.Status, want)
		}
	}
}

// fileOnAnotherApplication registers an applicant who opens two
// applications and uploads a PDF to the first, and returns their browser,
// logged in, and the second application.
func fileOnAnotherApplication(t *testing.T, w *world) (*client, string) {
	t.Helper()
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	open := func() string {
		return Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	}
	first, second := open(), open()
	Expect(t, w.in.Upload(t, first, carla.Token, map[string]string{"kind": "certificate", "title": "A file"}, "first.pdf", pdf, nil), 201)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	return c, second
}
