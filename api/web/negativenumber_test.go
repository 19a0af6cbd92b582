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
	c, eqa, eia := w.eqaAndEIA(t)
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
		got, ok := fieldMessage(a.Body, field)
		if !ok {
			t.Fatalf("the portfolio with %s=%q: no error at the field; %s", field, form.Get(field), errorsOf(a.Body))
		}
		return got
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

// fieldMessage is the error message a page shows at field, if any.
func fieldMessage(body, field string) (string, bool) {
	m := regexp.MustCompile(`(?s)<p class="error-message" id="f-` + regexp.QuoteMeta(field) + `-error"><span class="visually-hidden">[^<]*</span>\s*([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return strings.TrimSpace(html.UnescapeString(m[1])), true
}

// TestRenewalAndRulesFormsRefuseANegativeFigureForItsSign: the holder's
// renewal form and the office's rules form refuse a negative figure for
// its sign ("Enter 0 or more"), as the portfolio does, not as if it were
// not a number ("Enter a number without a thousands separator", "A number
// without a thousands separator"). In English and in Dutch.
func TestRenewalAndRulesFormsRefuseANegativeFigureForItsSign(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	office := w.officeClient(t)
	rules := func(field, value string) url.Values {
		return url.Values{"based_on": {"eqa-2024-1"}, "effective_from": {"2026-03-03"}, "action": {"review"}, field: {value}}
	}
	eiaRules := rules("g_client_hours_practitioner", "-10")
	eiaRules.Set("based_on", "eia-2024-1")
	for _, lang := range []string{"en", "nl"} {
		holder.setLang(lang)
		office.setLang(lang)
		want := map[string]string{"en": "Enter 0 or more", "nl": "Vul 0 of meer in"}[lang]
		for _, tc := range []struct {
			name, path string
			c          *client
			form       url.Values
			field      string
		}{
			{"renewal practice hours", "/accreditations/" + accID + "/renew", holder, url.Values{"years[0].practice_hours": {"-30"}}, "years[0].practice_hours"},
			{"renewal supervision hours", "/accreditations/" + accID + "/renew", holder, url.Values{"years[2].supervision_hours": {"-6"}}, "years[2].supervision_hours"},
			{"renewal cpd hours", "/accreditations/" + accID + "/renew", holder, url.Values{"years[4].cpd_hours": {"-0,5"}}, "years[4].cpd_hours"},
			{"renewal quarter", "/accreditations/" + accID + "/renew", holder, url.Values{"years[1].supervision_hours_by_quarter[3]": {"-1,5"}}, "years[1].supervision_hours_by_quarter[3]"},
			{"EQA rule", "/office/rules/eqa", office, rules("v_contact_hours_practitioner", "-20"), "v_contact_hours_practitioner"},
			{"EIA graduates' rule", "/office/rules/eia", office, eiaRules, "g_client_hours_practitioner"},
		} {
			t.Run(lang+"/"+tc.name, func(t *testing.T) {
				a := tc.c.post(tc.path, tc.form, true)
				got, ok := fieldMessage(a.Body, tc.field)
				if a.Status != http.StatusBadRequest || !ok {
					t.Fatalf("%s=%q: got %d, want 400 with an error at the field; %s", tc.field, tc.form.Get(tc.field), a.Status, errorsOf(a.Body))
				}
				if got != want {
					t.Fatalf("%s=%q: got %q, want %q", tc.field, tc.form.Get(tc.field), got, want)
				}
			})
		}
	}
}
