package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPortfolioSaysWhatIsWrongWithANumber: on the portfolio page a
// negative figure is refused for its sign ("Enter 0 or more"), not as if
// it were not whole; and the example a whole-number field's message gives
// is one the field accepts (completed cycles go up to 1000). In English
// and in Dutch, on an EQA and an EIA portfolio.
func TestPortfolioSaysWhatIsWrongWithANumber(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	eqa := w.openEQA(t, carla, "practitioner", "en", "Coaching Plus", "Academy North")
	eia := w.readyEIA(t, carla)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	eiaForm := func(field, value string) url.Values {
		f := url.Values{"first_practice_date": {"2021-01-15"}, "client_hours": {"140"}, "client_count": {"14"}, "cpd_hours_last_year": {"20"},
			"supervision_hours_last_year": {"6"}, "feedback_items_last_12m": {"6"}, "reflection_items_last_12m": {"5"}, "professional_body_member": {"yes"}}
		f.Set(field, value)
		return f
	}
	// fieldError is the message the page shows at field.
	fieldError := func(t *testing.T, caseID string, form url.Values, field string) string {
		t.Helper()
		a := c.post("/applications/"+caseID+"/portfolio", form, true)
		if a.Status == http.StatusSeeOther {
			t.Fatalf("the portfolio with %s=%q was saved", field, form.Get(field))
		}
		m := regexp.MustCompile(`(?s)<p class="error-message" id="f-` + regexp.QuoteMeta(field) + `-error"><span class="visually-hidden">[^<]*</span>\s*([^<]*)</p>`).FindStringSubmatch(a.Body)
		if m == nil {
			t.Fatalf("the portfolio with %s=%q: no error at the field; %s", field, form.Get(field), errorsOf(a.Body))
		}
		return strings.TrimSpace(html.UnescapeString(m[1]))
	}
	for _, lang := range []string{"en", "nl"} {
		c.setLang(lang)
		want := map[string]string{"en": "Enter 0 or more", "nl": "Vul 0 of meer in"}[lang]
		for _, tc := range []struct {
			name, caseID string
			form         url.Values
			field        string
		}{
			{"EQA completed cycles", eqa, url.Values{"contact_hours": {"150"}, "completed_cycles": {"-1"}}, "completed_cycles"},
			{"EQA contact hours", eqa, url.Values{"contact_hours": {"-2,5"}, "completed_cycles": {"2"}}, "contact_hours"},
			{"EIA client count", eia, eiaForm("client_count", "-1"), "client_count"},
			{"EIA client hours", eia, eiaForm("client_hours", "-140"), "client_hours"},
		} {
			t.Run(lang+"/negative "+tc.name, func(t *testing.T) {
				if got := fieldError(t, tc.caseID, tc.form, tc.field); got != want {
					t.Fatalf("got %q, want %q", got, want)
				}
			})
		}
		t.Run(lang+"/example within the maximum", func(t *testing.T) {
			got := fieldError(t, eqa, url.Values{"contact_hours": {"150"}, "completed_cycles": {"2,5"}}, "completed_cycles")
			if !strings.Contains(got, map[string]string{"en": "whole number", "nl": "geheel getal"}[lang]) {
				t.Fatalf("2,5 completed cycles: got %q, want it to ask for a whole number", got)
			}
			for _, n := range regexp.MustCompile(`\d+`).FindAllString(got, -1) {
				if v, _ := strconv.Atoi(n); v > 1000 {
					t.Fatalf("2,5 completed cycles: %q gives %d as an example, above the maximum of 1000", got, v)
				}
			}
		})
	}
}
