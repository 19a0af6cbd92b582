package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/framework"
)

var formInput = regexp.MustCompile(`<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"`)

// rulesFormAsShown is the office's rules form of scheme as the page fills
// it in, to be reviewed from effective_from.
func rulesFormAsShown(t *testing.T, c *client, scheme, from string) url.Values {
	t.Helper()
	f := url.Values{}
	for _, m := range formInput.FindAllStringSubmatch(c.get("/office/rules/"+scheme).Body, -1) {
		if m[1] != "csrf" {
			f.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	if f.Get("based_on") == "" {
		t.Fatalf("the %s rules form is not filled in", scheme)
	}
	f.Set("action", "review")
	f.Set("effective_from", from)
	return f
}

// TestTheRulesFormsRefusalsAreDutch: a figure of the office's rules form
// that the rules refuse (a fraction of a count, a figure over the most, a
// limit of 0, a flag other than 0 or 1, a fee past the cent, a source too
// long) is named in the error summary of a Dutch page by its rule and
// level, and refused in Dutch, not as "v client count practitioner: a
// whole number of clients".
func TestTheRulesFormsRefusalsAreDutch(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	office.setLang("nl")
	practitioner, _ := framework.Default().Level(framework.Practitioner)
	level := practitioner.Name.In("nl")
	for _, tc := range []struct {
		scheme, field, value, want string
	}{
		{"eia", "v_client_count_practitioner", "2,5", "Aantal cliënten (" + level + "): een geheel aantal cliënten"},
		{"eia", "v_client_hours_practitioner", "99999999", "Contacturen met cliënten (" + level + "): moet van 0 tot 1000000 zijn"},
		{"eia", "v_appeals_per_decision_practitioner", "0", "(" + level + "): moet minstens 1 zijn; laat het veld leeg voor geen grens"},
		{"eia", "v_fee_practitioner", "0,001", "(" + level + "): een bedrag in euro tot op de cent, zoals 450 of 450,50"},
		{"eia", "g_client_hours_practitioner", "99999999", "Contacturen met cliënten (" + level + ", afgestudeerden van een EQA-geaccrediteerde opleiding): moet van 0 tot 1000000 zijn"},
		{"eia", "src_client_hours", strings.Repeat("b", 501), "Contacturen met cliënten (bron): hoogstens 500 tekens"},
		{"eqa", "v_curriculum_all_categories_practitioner", "2", "Curriculum dekt alle acht categorieën (" + level + "): 1 (vereist) of 0 (niet vereist)"},
	} {
		f := rulesFormAsShown(t, office, tc.scheme, "2026-03-03")
		f.Set(tc.field, tc.value)
		a := office.post("/office/rules/"+tc.scheme, f, true)
		if got := summaryItem(a.Body, tc.field); a.Status != http.StatusBadRequest || !strings.Contains(got, tc.want) {
			t.Errorf("%s = %q: got %d, %q; want 400, %q", tc.field, tc.value, a.Status, got, tc.want)
		}
	}
}
