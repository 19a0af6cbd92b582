package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAValueNotOfferedReadsWithTheValuesAllowedInDutch: a value a form
// did not offer (a kind of evidence no scheme has, or one of the other
// scheme) is refused with the values allowed, and a Dutch page names
// them too rather than only "choose one from the list".
func TestAValueNotOfferedReadsWithTheValuesAllowedInDutch(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	upload := func(kind string) answer {
		return c.postFile("/applications/"+caseID+"/evidence", [][2]string{{"kind", kind}, {"title", "My certificate"}}, "certificate.pdf", pdf)
	}
	for _, tc := range []struct {
		name, kind string
		en, nl     string
	}{
		{"a kind no scheme has", "diploma",
			"one of case_study, learning_journal, client_feedback,", "kies een van: case_study, learning_journal, client_feedback,"},
		{"a kind of the other scheme", "programme_handbook",
			"must be one of the kinds of EIA evidence: case_study, learning_journal", "kies een soort bewijsstuk van EIA: case_study, learning_journal"},
	} {
		for _, lang := range []string{"en", "nl"} {
			c.setLang(lang)
			a := upload(tc.kind)
			got := html.UnescapeString(errorsOf(a.Body))
			want := map[string]string{"en": tc.en, "nl": tc.nl}[lang]
			if a.Status != http.StatusBadRequest || !strings.Contains(got, want) || strings.Contains(got, "uit de lijst") {
				t.Errorf("%s, %s: got %d %s, want 400 saying %q", tc.name, lang, a.Status, got, want)
			}
		}
	}
}
