package web_test

import (
	"html"
	"strings"
	"testing"
)

// TestEQAPagesSpeakOfTheProgramme: an EQA application is a training
// programme's, applied for by its provider, so the level hint and the
// self-assessment's introduction speak of the programme and its
// curriculum, not of "you" and "your practice", and the evidence's title
// is suggested as a programme's document, not "Reflections on my
// practice"; an EIA application keeps
// the individual's wording. In English and in Dutch.
func TestEQAPagesSpeakOfTheProgramme(t *testing.T) {
	w := newWorld(t)
	c, eqa, eia := w.eqaAndEIA(t)
	words := map[string]struct{ eqaLevel, eiaLevel, eqaSelf, eiaSelf, eqaTitle, eiaTitle string }{
		"en": {"Choose the one the programme trains its participants to", "Choose the one that describes you best",
			"say how the programme's curriculum and its delivery address it", "say how your practice shows it",
			"For example: Programme handbook, 2025.", "For example: Reflections on my practice, 2025."},
		"nl": {"Kies het niveau waartoe de opleiding haar deelnemers opleidt", "Kies het niveau dat het best bij u past",
			"hoe het curriculum en de uitvoering van de opleiding haar behandelen", "hoe uw praktijk haar laat zien",
			"Bijvoorbeeld: Handboek van de opleiding, 2025.", "Bijvoorbeeld: Reflecties op mijn praktijk, 2025."},
	}
	for _, lang := range []string{"en", "nl"} {
		c.setLang(lang)
		wd := words[lang]
		for _, tc := range []struct{ name, path, want, not string }{
			{"EQA level hint", "/applications/new?scheme=EQA", wd.eqaLevel, wd.eiaLevel},
			{"EIA level hint", "/applications/new?scheme=EIA", wd.eiaLevel, wd.eqaLevel},
			{"EQA self-assessment", "/applications/" + eqa + "/self-assessment", wd.eqaSelf, wd.eiaSelf},
			{"EIA self-assessment", "/applications/" + eia + "/self-assessment", wd.eiaSelf, wd.eqaSelf},
			{"EQA evidence title", "/applications/" + eqa + "/evidence", wd.eqaTitle, wd.eiaTitle},
			{"EIA evidence title", "/applications/" + eia + "/evidence", wd.eiaTitle, wd.eqaTitle},
		} {
			t.Run(lang+"/"+tc.name, func(t *testing.T) {
				a := c.get(tc.path)
				body := html.UnescapeString(a.Body)
				if a.Status != 200 || !strings.Contains(body, tc.want) || strings.Contains(body, tc.not) {
					t.Fatalf("%s: got %d; want %q and not %q on the page", tc.path, a.Status, tc.want, tc.not)
				}
			})
		}
	}
}
