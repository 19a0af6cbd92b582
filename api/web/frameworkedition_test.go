package web_test

import (
	"strings"
	"testing"
)

// The framework's texts come from its Dutch edition; the English is this
// system's translation of them. An English reader who quotes an indicator
// must not take it for the EMCC's own English wording, so each framework
// page names the edition and, in English, says the text is translated; no
// page claims the English is printed.
func TestTheFrameworkPagesNameTheEditionAndTheTranslation(t *testing.T) {
	w := newWorld(t)
	en := w.client(t)
	nl := w.client(t)
	nl.setLang("nl")
	for _, path := range []string{"/framework", "/framework/categories/3", "/framework/indicators/42"} {
		body := en.get(path).Body
		for _, want := range []string{"V3", "12 April 2016", "translat"} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s in English: no %q", path, want)
			}
		}
		if strings.Contains(body, "as the framework prints them") {
			t.Errorf("GET %s in English: says its translated texts are printed", path)
		}
		if body := nl.get(path).Body; !strings.Contains(body, "V3") || !strings.Contains(body, "12 april 2016") {
			t.Errorf("GET %s in Dutch: does not name the edition", path)
		}
	}
}
