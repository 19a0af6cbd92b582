package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestProblemsWithoutAFieldAreDutch: a refusal that names no field, whose
// words the web does not have its own key for, reads in Dutch on a Dutch
// page (the error page of a form that cannot be read, the summary of a
// rules form that changes nothing), not as the domain's English.
func TestProblemsWithoutAFieldAreDutch(t *testing.T) {
	w := newWorld(t)
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	if a := office.post("/office/rules/eqa", eqaForm("publish", "2026-03-03"), true); a.Status != http.StatusSeeOther {
		t.Fatalf("publish: got %d", a.Status)
	}
	same := eqaForm("publish", "2026-03-03")
	same.Set("based_on", "eqa-2026-1")
	for _, tc := range []struct {
		lang, want, notWant string
	}{
		{"nl", "Er verandert niets ten opzichte van Regels van 3 maart 2026", "nothing changes"},
		{"en", "Nothing changes from Rules of 3 March 2026, so nothing was published.", ""},
	} {
		office.setLang(tc.lang)
		a := office.post("/office/rules/eqa", same, true)
		body := html.UnescapeString(a.Body)
		if a.Status != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) || tc.notWant != "" && strings.Contains(body, tc.notWant) {
			t.Errorf("%s: rules that change nothing: got %d, want 422 saying %q: %s", tc.lang, a.Status, tc.want, errorsOf(a.Body))
		}
	}

	office.setLang("nl")
	token := office.csrf()
	req, _ := http.NewRequest(http.MethodPost, office.base+"/account/password", strings.NewReader("csrf="+url.QueryEscape(token)+"&current_password=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	a := office.do(req)
	body := html.UnescapeString(a.Body)
	if a.Status != http.StatusBadRequest || strings.Contains(body, "unreadable form") || !strings.Contains(body, "Wat u verstuurde, kon niet worden gelezen. Ga terug, laad de pagina opnieuw") {
		t.Errorf("a form that cannot be read, in Dutch: got %d: %s", a.Status, body)
	}
}

// TestRefusalsKeepTheirDetailInDutch: three refusals the domain words
// only in English read in Dutch with what they say, not as the general
// sentence of their kind ("U mag deze stap niet zetten."): an assessor
// assessing a renewal given to someone else, the office assigning the
// renewal of a case never awarded, and evidence removed a second time.
func TestRefusalsKeepTheirDetailInDutch(t *testing.T) {
	w := newWorld(t)
	_, _, accID, _ := w.renewalAssigned(t) // to Rene, not Anna
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	dora := w.registerApplicant(t, "dora@example.org", "Dora Draft")
	caseID := w.readyEIA(t, dora)
	evID := Expect(t, w.in.Upload(t, caseID, dora.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1"},
		"reflections.pdf", makePDF("Reflections"), nil), 201).Map(t)["evidence"].([]any)[0].(map[string]any)["id"].(string)
	applicant, office := w.client(t), w.client(t)
	applicant.login(dora.Email, dora.Password)
	office.login(AdminEmail, AdminPassword)
	remove := "/applications/" + caseID + "/evidence/" + evID + "/remove"
	if a := applicant.post(remove, url.Values{"confirm": {"yes"}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("removing the evidence: got %d", a.Status)
	}

	for _, tc := range []struct {
		name   string
		c      *client
		send   func() answer
		status int
		en, nl string
	}{
		{"a renewal assigned to someone else", anna, func() answer {
			return anna.post("/accreditations/"+accID+"/renewal/assess", url.Values{"outcome": {"renew"}, "rationale": {"Five years evidenced."}}, true)
		}, http.StatusForbidden,
			"Only the assessor the renewal is assigned to may assess it, and it is not assigned to you.",
			"Alleen de assessor aan wie de verlenging is toegewezen, mag deze beoordelen, en ze is niet aan u toegewezen."},
		{"a case with no accreditation", office, func() answer {
			return office.post("/office/cases/"+caseID+"/renewal/assign", url.Values{"renewal_assessor_id": {w.assessor.ID}}, true)
		}, http.StatusConflict,
			"This case holds no accreditation, so there is no renewal to assign.",
			"Dit dossier heeft geen accreditatie, dus er is geen verlenging om toe te wijzen."},
		{"evidence removed already", applicant, func() answer {
			return applicant.post(remove, url.Values{"confirm": {"yes"}}, true)
		}, http.StatusNotFound,
			"This evidence is not in the application (any more): it may have been removed already, in another tab or window.",
			"Dit bewijsstuk staat niet (meer) in de aanvraag: het is misschien al verwijderd, in een ander tabblad of venster."},
	} {
		for _, lang := range []string{"nl", "en"} {
			want := map[string]string{"en": tc.en, "nl": tc.nl}[lang]
			tc.c.setLang(lang)
			a := tc.send()
			if got := html.UnescapeString(errorsOf(a.Body)); a.Status != tc.status || !strings.Contains(got, want) {
				t.Errorf("%s, %s: got %d %s, want %d saying %q", tc.name, lang, a.Status, got, tc.status, want)
			}
		}
	}
}
