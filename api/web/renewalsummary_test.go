package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTheRenewalsErrorSummaryLeadsToItsFields: a renewal refused for its
// rules listed each unmet rule in the error summary with a link to
// #f-renewal_aim_still_run, #f-renewal_reflection, ... while the fields
// are f-aims.still_run and f-reflection, and nothing had those ids: the
// links led nowhere, the summary did not follow the form, and the fields
// were not marked invalid. Each link now lands on its field (a statement,
// the reflection) or, for a rule over several fields, on its message
// above them; in either language.
func TestTheRenewalsErrorSummaryLeadsToItsFields(t *testing.T) {
	w := newWorld(t)
	provider, programme, carla, eia := w.renewalsOpen(t)

	eqa := url.Values{"scheme": {"EQA"}, "aims.still_run": {"Yes, two cohorts a year."}, "declaration_code_of_ethics": {"yes"}}
	eiaForm := url.Values{"scheme": {"EIA"}, "declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}}
	for i := range 5 {
		eiaForm.Set(fmt.Sprintf("years[%d].practice_hours", i), "1")
		eiaForm.Set(fmt.Sprintf("years[%d].supervision_hours", i), "6")
		eiaForm.Set(fmt.Sprintf("years[%d].cpd_hours", i), "20")
		for q := range 4 {
			eiaForm.Set(fmt.Sprintf("years[%d].supervision_hours_by_quarter[%d]", i, q), "2")
		}
	}
	for _, tc := range []struct {
		name, email, password, acc string
		form                       url.Values
		// the links the summary must have, in the form's order
		links []string
		// the fields marked invalid
		invalid []string
	}{
		{"EQA", provider.Email, provider.Password, programme, eqa,
			[]string{"aims.student_feedback", "aims.quality_assurance", "aims.emcc_criteria", "aims.ethics_code"},
			[]string{"aims.student_feedback", "aims.quality_assurance", "aims.emcc_criteria", "aims.ethics_code"}},
		{"EIA", carla.Email, carla.Password, eia, eiaForm,
			[]string{"renewal_practice_hours", "reflection"}, []string{"reflection"}},
	} {
		for _, lang := range []string{"en", "nl"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				c := w.client(t)
				c.setLang(lang)
				c.login(tc.email, tc.password)
				a := c.post("/accreditations/"+tc.acc+"/renew", tc.form, true)
				if a.Status != http.StatusUnprocessableEntity {
					t.Fatalf("a renewal short of its rules: got %d, want 422\n%.2000s", a.Status, a.Body)
				}
				var got []string
				for _, m := range anySummaryLink.FindAllStringSubmatch(errorSummary.FindString(a.Body), -1) {
					got = append(got, m[1])
				}
				if strings.Join(got, " ") != strings.Join(tc.links, " ") {
					t.Errorf("the summary links to %v, want %v", got, tc.links)
				}
				if missing := unlinkedErrors(a.Body); missing != nil {
					t.Errorf("the summary links to %v, which the page does not have", missing)
				}
				for _, f := range tc.invalid {
					field := regexp.MustCompile(`<textarea id="f-` + regexp.QuoteMeta(f) + `"[^>]*aria-describedby="[^"]*f-` + regexp.QuoteMeta(f) + `-error"[^>]*aria-invalid="true"`)
					if !field.MatchString(a.Body) {
						t.Errorf("the field %s is not marked invalid with its error", f)
					}
				}
				if tc.name == "EQA" && !strings.Contains(a.Body, "Yes, two cohorts a year.</textarea>") {
					t.Errorf("the statement typed is lost")
				}
			})
		}
	}
}

var (
	// errorSummary is the error summary at the top of a refused form.
	errorSummary   = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)
	anySummaryLink = regexp.MustCompile(`<a href="#f-([^"]+)">`)
)

// unlinkedErrors are the fields the error summary of page links to
// (href="#f-NAME") that the page has no element of (id="f-NAME"): a link
// that takes the reader nowhere.
func unlinkedErrors(page string) []string {
	var out []string
	for _, m := range anySummaryLink.FindAllStringSubmatch(errorSummary.FindString(page), -1) {
		if !strings.Contains(page, `id="f-`+m[1]+`"`) {
			out = append(out, m[1])
		}
	}
	return out
}

// TestARefusedRenewalSaysSoOnce: a renewal short of its rules said "The
// renewal does not meet the rules yet" in the error summary and again
// above the form; a page says a problem once, in its summary, as every
// other form does.
func TestARefusedRenewalSaysSoOnce(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, acc := w.awardedCase(t, carla)
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	form := url.Values{"scheme": {"EIA"}, "declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}}
	for i := range 5 {
		form.Set(fmt.Sprintf("years[%d].practice_hours", i), "1")
		form.Set(fmt.Sprintf("years[%d].supervision_hours", i), "6")
		form.Set(fmt.Sprintf("years[%d].cpd_hours", i), "20")
	}
	for lang, unmet := range map[string]string{"en": "The renewal does not meet the rules yet", "nl": "De verlenging voldoet nog niet aan de regels"} {
		t.Run(lang, func(t *testing.T) {
			c := w.client(t)
			c.setLang(lang)
			c.login(carla.Email, carla.Password)
			a := c.post("/accreditations/"+acc+"/renew", form, true)
			if a.Status != http.StatusUnprocessableEntity {
				t.Fatalf("a renewal short of its rules: got %d, want 422", a.Status)
			}
			if n := strings.Count(a.Body, unmet); n != 1 {
				t.Errorf("the page says %q %d times, want once", unmet, n)
			}
			if !strings.Contains(errorSummary.FindString(a.Body), unmet) {
				t.Errorf("the error summary does not say %q", unmet)
			}
		})
	}
}
