package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

var summaryLink = regexp.MustCompile(`<a href="#f-([a-z0-9_]+)">`)

// TestTheErrorSummaryFollowsTheForm (issue 15 item 5): the summary at the
// top of a refused form lists its errors in the order the fields come in
// the form, not by the fields' names. The sign-up form (name, email,
// password) is refused with all three wrong; sorted by name they would
// read email, name, password.
func TestTheErrorSummaryFollowsTheForm(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	a := c.post("/signup", url.Values{"name": {""}, "email": {"not an email"}, "password": {"short"}}, true)
	if a.Status != http.StatusBadRequest {
		t.Fatalf("a wrong sign-up: got %d", a.Status)
	}
	var listed []string
	for _, m := range summaryLink.FindAllStringSubmatch(a.Body, -1) {
		listed = append(listed, m[1])
	}
	if len(listed) < 3 {
		t.Fatalf("the summary lists %v, want the three fields", listed)
	}
	inPage := slices.Clone(listed)
	sort.SliceStable(inPage, func(i, j int) bool {
		return strings.Index(a.Body, `id="f-`+inPage[i]+`"`) < strings.Index(a.Body, `id="f-`+inPage[j]+`"`)
	})
	if !slices.Equal(listed, inPage) {
		t.Fatalf("the summary lists %v; the form's order is %v", listed, inPage)
	}
	if byName := slices.Sorted(slices.Values(listed)); slices.Equal(byName, listed) {
		t.Fatalf("the form's order %v is also the names' order: the test would not see a summary sorted by name", listed)
	}
}

// TestTheErrorSummaryNamesEveryFieldInWords: the summary names a field as
// the form does, in the page's language, never by its form name
// ("reassign reason assessor"); a refused rule's message names the rule
// itself; the domain's reasons read in Dutch on a Dutch page.
func TestTheErrorSummaryNamesEveryFieldInWords(t *testing.T) {
	w := newWorld(t)
	id := w.inAssessment(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	office := w.officeClient(t)
	office.setLang("nl")
	summary := func(a answer) string {
		t.Helper()
		i := strings.Index(a.Body, `class="error-summary"`)
		if a.Status != http.StatusBadRequest || i < 0 {
			t.Fatalf("want a refused form: got %d", a.Status)
		}
		return a.Body[i : i+strings.Index(a.Body[i:], "</ul>")]
	}
	for _, tc := range []struct {
		path string
		form url.Values
		want []string
	}{
		{"/office/cases/" + id + "/reassign", url.Values{"role": {"assessor"}}, []string{"Vul ‘Reden van de nieuwe toewijzing (Assessor)’ in", "Nieuwe houder van de rol (Assessor): Kies er een"}},
		{"/office/cases/" + id + "/unassign", url.Values{"role": {"verifier"}}, []string{"Vul ‘Reden om de houder eraf te halen (Verificateur)’ in"}},
		{"/office/cases/" + id + "/assign", url.Values{"role": {"assessor"}}, []string{">Assessor: Kies er een<"}},
		{"/office/rules/eqa", url.Values{"based_on": {"eqa-2024-1"}, "action": {"review"}}, []string{"verplicht: de dag waarop de regels ingaan, zoals 2026-03-02"}},
		{"/office/rules/eqa", url.Values{"based_on": {"eqa-2024-1"}, "action": {"review"}, "effective_from": {"2207-03-02"}}, []string{"moet binnen 5 jaar vanaf vandaag liggen (uiterlijk 2031-03-02)"}},
	} {
		s := summary(office.post(tc.path, tc.form, true))
		for _, want := range tc.want {
			if !strings.Contains(s, want) {
				t.Errorf("POST %s: the summary lacks %q:\n%s", tc.path, want, s)
			}
		}
		for _, raw := range []string{"reassign ", "unassign ", "required", "must be", "(Assessor) (Assessor)", "Assessor (Assessor)"} {
			if strings.Contains(s, raw) {
				t.Errorf("POST %s: the summary says %q:\n%s", tc.path, raw, s)
			}
		}
	}
}

// TestProfileLanguageErrorIsDutch: a word typed in the assessor profile's
// languages field ("nederlands") is refused in Dutch on a Dutch page, not
// with the domain's English reason.
func TestProfileLanguageErrorIsDutch(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	office.setLang("nl")
	a := office.post("/office/users/"+w.assessor.ID+"/profile", url.Values{
		"schemes": {"EIA"}, "max_level": {"practitioner"}, "languages": {"nederlands"}}, true)
	if a.Status != http.StatusBadRequest {
		t.Fatalf("want a refused form, got %d", a.Status)
	}
	if i := strings.Index(a.Body, "is not a two-letter language code"); i >= 0 {
		t.Fatalf("Dutch page shows the English reason: %q", a.Body[max(0, i-20):i+40])
	}
	if !strings.Contains(a.Body, "&#34;nederlands&#34; is geen taalcode van twee letters") && !strings.Contains(a.Body, "&quot;nederlands&quot; is geen taalcode van twee letters") {
		t.Errorf("the Dutch reason is missing")
	}
}

// TestRulesDateErrorIsDutch: a date the rules form cannot read
// ("1-3-2027", typed where the browser shows a text box) is refused in
// Dutch on a Dutch page, whatever example date the domain gives.
func TestRulesDateErrorIsDutch(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	office.setLang("nl")
	a := office.postAsking("/office/rules/eqa", url.Values{"based_on": {"eqa-2024-1"}, "action": {"review"}, "effective_from": {"1-3-2027"}}, true)
	if a.Status != http.StatusBadRequest {
		t.Fatalf("want a refused form, got %d", a.Status)
	}
	if i := strings.Index(a.Body, "a date such as"); i >= 0 {
		t.Fatalf("Dutch page shows the English reason: %q", a.Body[max(0, i-40):i+40])
	}
	if !strings.Contains(a.Body, "een datum zoals 2027-01-01") {
		t.Errorf("the Dutch reason is missing")
	}
}

// TestTheErrorSummaryNamesAccountAndUserFieldsInWords: a refused new email
// address, a user enabled without a reason and a renewal given to no one
// are listed in the Dutch error summary under their labels, not under the
// form's names ("new email", "enable reason", "renewal assessor id").
func TestTheErrorSummaryNamesAccountAndUserFieldsInWords(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	id := w.readyEIA(t, carla)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	c.setLang("nl")
	office := w.officeClient(t)
	if a := office.post("/office/users/"+w.verifier.ID+"/disable", url.Values{"disable_reason": {"left"}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", a.Status)
	}
	office.setLang("nl")
	for _, tc := range []struct {
		c          *client
		path       string
		form       url.Values
		name, want string
	}{
		{c, "/account/email", url.Values{"new_email": {"not-an-address"}}, "new_email", "Nieuw e-mailadres"},
		{office, "/office/users/" + w.verifier.ID + "/enable", url.Values{}, "enable_reason", "Reden"},
		{office, "/office/cases/" + id + "/renewal/assign", url.Values{}, "renewal_assessor_id", "Assessor"},
	} {
		a := tc.c.postAsking(tc.path, tc.form, true)
		if a.Status != http.StatusBadRequest {
			t.Errorf("POST %s: want a refused form, got %d", tc.path, a.Status)
			continue
		}
		link := `<a href="#f-` + tc.name + `">`
		if !strings.Contains(a.Body, `id="f-`+tc.name+`"`) {
			// A field the page does not show: named in words, not linked.
			link = `<li>`
		}
		i := strings.Index(a.Body, `class="error-summary"`)
		if j := strings.Index(a.Body[max(i, 0):], link); i < 0 || j < 0 {
			i = -1
		} else {
			i += j
		}
		if i < 0 {
			t.Errorf("POST %s: the summary has no link to %s", tc.path, tc.name)
			continue
		}
		if got := a.Body[i+len(link):]; !strings.HasPrefix(got, tc.want+":") && !strings.HasPrefix(got, "Vul ‘"+tc.want+"’ in") {
			t.Errorf("POST %s: the summary names the field %q, want %q", tc.path, got[:min(len(got), 60)], tc.want)
		}
	}
}

// TestRefusedChoicesAreTiedToTheirErrors: a group of choices refused (an
// assessor's rating or indicators, the assessor profile's schemes or
// conflicts) is marked invalid and described by its error message, as the
// level of a new application is, so a screen reader entering the group
// hears why.
func TestRefusedChoicesAreTiedToTheirErrors(t *testing.T) {
	w := newWorld(t)
	caseID := w.inAssessment(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	anna, office := w.client(t), w.officeClient(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	rated := url.Values{"recommendation": {"award"}, "rationale": {"Well evidenced."}, "indicators_1": {"99"}}
	for n := 1; n <= 8; n++ {
		rated.Set(fmt.Sprintf("rating_%d", n), "evidenced")
	}
	errID := regexp.MustCompile(`id="(f-[a-z0-9_]+-error)"`)
	for _, tc := range []struct {
		c    *client
		path string
		form url.Values
		// the groups marked invalid, and the errors that describe them
		want map[string]string
	}{
		{anna, "/assess/" + caseID, url.Values{}, map[string]string{"rating_1": "f-rating_1-error"}},
		{anna, "/assess/" + caseID, rated, map[string]string{"rating_1": "f-indicators_1-error"}},
		{office, "/office/users/" + w.assessor.ID + "/profile", url.Values{"max_level": {"practitioner"}, "languages": {"en"}, "conflicts": {w.assessor.ID}},
			map[string]string{"schemes": "f-schemes-error", "conflicts": "f-conflicts-error"}},
	} {
		a := tc.c.post(tc.path, tc.form, true)
		if a.Status != http.StatusBadRequest {
			t.Errorf("POST %s: want a refused form, got %d", tc.path, a.Status)
			continue
		}
		for group, err := range tc.want {
			tag := regexp.MustCompile(`<fieldset [^>]*id="f-` + group + `"[^>]*>`).FindString(a.Body)
			if !strings.Contains(a.Body, `id="`+err+`"`) || !strings.Contains(tag, `aria-invalid="true"`) || !regexp.MustCompile(`aria-describedby="[^"]*\b`+err+`\b`).MatchString(tag) {
				t.Errorf("POST %s: the group %s is not marked invalid and described by %s: %s", tc.path, group, err, tag)
			}
		}
		for _, m := range errID.FindAllStringSubmatch(a.Body, -1) {
			if !regexp.MustCompile(`aria-describedby="[^"]*\b` + m[1] + `\b`).MatchString(a.Body) {
				t.Errorf("POST %s: the error %s describes no field", tc.path, m[1])
			}
		}
	}
}

// TestTheEvidencePickerIsTiedToItsErrors: the categories and indicators a
// file of evidence is chosen for are one group of choices; refused, it is
// marked invalid and described by its errors, as other groups are.
func TestTheEvidencePickerIsTiedToItsErrors(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	up := w.in.Upload(t, caseID, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1"}, "reflections.pdf", pdf, nil)
	if up.Status != http.StatusCreated {
		t.Fatalf("upload: status %d", up.Status)
	}
	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	a := applicant.post("/applications/"+caseID+"/evidence/"+up.Header.Get("X-Evidence-Id")+"/edit",
		url.Values{"kind": {"reflective_statement"}, "title": {"Reflections 2025"}, "categories": {"9"}, "indicators": {"999"}}, true)
	if a.Status != http.StatusBadRequest {
		t.Fatalf("an edit with no such category or indicator: status %d, want 400", a.Status)
	}
	tag := regexp.MustCompile(`<[a-z]+ [^>]*id="f-categories"[^>]*>`).FindString(a.Body)
	for _, err := range []string{"f-categories-error", "f-indicators-error"} {
		if !strings.Contains(a.Body, `id="`+err+`"`) || !regexp.MustCompile(`aria-describedby="[^"]*\b`+err+`\b`).MatchString(tag) {
			t.Errorf("the picker is not described by %s: %s", err, tag)
		}
	}
	if !strings.Contains(tag, `aria-invalid="true"`) || !strings.Contains(tag, `role="group"`) {
		t.Errorf("the picker is not a group marked invalid: %s", tag)
	}
}

// TestTheErrorSummaryNamesEQAReviewAreasInWords: an EQA assessment sent
// without the five review areas rated lists each area in the summary as
// the form names it, in the page's language ("Rating (Course content)",
// "Waardering (Inhoud van de opleiding)"), never by the form's name
// ("area course content").
func TestTheErrorSummaryNamesEQAReviewAreasInWords(t *testing.T) {
	w := newWorld(t)
	provider := w.registerApplicant(t, "paula@example.org", "Paula Provider")
	id := w.claimedEQA(t, provider)
	// In assessment: both roles held.
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)

	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	form := url.Values{"recommendation": {"award"}, "rationale": {"Solid programme."}}
	for n := 1; n <= 8; n++ {
		form.Set(fmt.Sprintf("rating_%d", n), "evidenced")
	}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Rating (Course content): Rate this review area", "Rating (Quality systems): Rate this review area"}},
		{"nl", []string{"Waardering (Inhoud van de opleiding): Waardeer dit beoordelingsgebied", "Waardering (Kwaliteitssystemen): Waardeer dit beoordelingsgebied"}},
	} {
		anna.setLang(tc.lang)
		a := anna.postAsking("/assess/"+id, form, true)
		i := strings.Index(a.Body, `class="error-summary"`)
		if a.Status != http.StatusBadRequest || i < 0 {
			t.Fatalf("%s: an EQA assessment with no review area rated: got %d, want 400 with the summary", tc.lang, a.Status)
		}
		s := a.Body[i : i+strings.Index(a.Body[i:], "</ul>")]
		for _, want := range tc.want {
			if !strings.Contains(s, want) {
				t.Errorf("%s: the summary lacks %q:\n%s", tc.lang, want, s)
			}
		}
		if strings.Contains(s, "area ") {
			t.Errorf("%s: the summary names an area by its form name:\n%s", tc.lang, s)
		}
	}
}
