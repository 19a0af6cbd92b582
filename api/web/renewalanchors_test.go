package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// TestARenewalSentAsTheOtherSchemesLinksItsRefusals: a renewal form sent
// as the other scheme's (its scheme field) is refused for what that
// scheme does not take: "aims" on an EIA accreditation, "years" and
// "reflection" on an EQA programme's. The error summary linked to
// #f-aims, #f-years, #f-reflection, and the form had no element with
// that id: the links went nowhere. Every link of the summary now lands on
// an element of the page; in either language.
func TestARenewalSentAsTheOtherSchemesLinksItsRefusals(t *testing.T) {
	w := newWorld(t)
	provider, programme, carla, eia := w.renewalsOpen(t)

	asEQA := url.Values{"scheme": {"EQA"}, "aims.still_run": {"Yes, every year."}}
	asEIA := url.Values{"scheme": {"EIA"}, "reflection": {"Five good years."}}
	for i := range 5 {
		asEIA.Set(fmt.Sprintf("years[%d].practice_hours", i), "100")
	}
	for _, tc := range []struct {
		name, email, password, acc string
		form                       url.Values
		field                      string // a refusal it must link
	}{
		{"an EIA accreditation's sent as EQA", carla.Email, carla.Password, eia, asEQA, "aims"},
		{"an EQA programme's sent as EIA", provider.Email, provider.Password, programme, asEIA, "years"},
	} {
		for _, lang := range []string{"en", "nl"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				c := w.client(t)
				c.setLang(lang)
				c.login(tc.email, tc.password)
				a := c.post("/accreditations/"+tc.acc+"/renew", tc.form, true)
				if a.Status != http.StatusBadRequest {
					t.Fatalf("got %d, want 400; %s", a.Status, errorsOf(a.Body))
				}
				links := anySummaryLink.FindAllStringSubmatch(errorSummary.FindString(a.Body), -1)
				found := false
				for _, l := range links {
					found = found || l[1] == tc.field
				}
				if !found {
					t.Errorf("the summary does not list %s: %s", tc.field, errorsOf(a.Body))
				}
				if missing := unlinkedErrors(a.Body); missing != nil {
					t.Errorf("the summary links to %v, which the page does not have", missing)
				}
			})
		}
	}
}
