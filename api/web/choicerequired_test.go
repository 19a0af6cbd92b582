package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestARequiredChoiceSaysChoose: the office's decision sent with no
// outcome, and a renewal's assignment sent with no assessor, read
// "Outcome: required" ("Uitkomst: verplicht"), one word meant for a field
// to type in, where the forms that check their choices say "Choose a
// level". A choice left empty now says "Choose one", at the field and in
// the summary, in either language.
func TestARequiredChoiceSaysChoose(t *testing.T) {
	w := newWorld(t)
	dave := w.registerApplicant(t, "dave@example.org", "Dave Decided")
	caseID, _ := w.assessedCase(t, dave)
	// The assign form stays for a renewal under way: its choice is checked
	// before the renewal's state.
	_, renewalCase, _, _ := w.renewalAssigned(t)
	office := w.officeClient(t)
	for _, tc := range []struct {
		name, path, field string
		form              url.Values
	}{
		{"decision", "/office/cases/" + caseID + "/decide", "outcome", url.Values{"rationale": {"Meets the level."}}},
		{"renewal", "/office/cases/" + renewalCase + "/renewal/assign", "renewal_assessor_id", url.Values{}},
	} {
		for lang, want := range map[string]string{"en": "Choose one", "nl": "Kies er een"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				office.setLang(lang)
				a := office.post(tc.path, tc.form, true)
				if a.Status != http.StatusBadRequest && a.Status != http.StatusUnprocessableEntity {
					t.Fatalf("got %d, want the form again with its error", a.Status)
				}
				summary := errorSummary.FindString(a.Body)
				link := between(summary, `<a href="#f-`+tc.field+`">`, "</a>")
				if !strings.HasSuffix(link, ": "+want) {
					t.Errorf("the summary says %q for %s, want it to end %q\n%s", link, tc.field, ": "+want, summary)
				}
				if msg := between(a.Body, `id="f-`+tc.field+`-error"`, "</p>"); !strings.HasSuffix(msg, want) {
					t.Errorf("the field's error says %q, want %q", msg, want)
				}
			})
		}
	}
}

// TestAnErasuresGroundLeftEmptySaysChoose: the erasure's legal ground, a
// choice of radios, said "Fill this in" when none was chosen.
func TestAnErasuresGroundLeftEmptySaysChoose(t *testing.T) {
	w := newWorld(t)
	zoe := w.registerApplicant(t, "zoe@example.org", "Zoë Zeeman")
	office := w.officeClient(t)
	for lang, want := range map[string]string{"en": "Choose one", "nl": "Kies er een"} {
		office.setLang(lang)
		a := office.post("/office/users/"+zoe.ID+"/erase", url.Values{"erase_confirm": {"yes"}}, true)
		if a.Status != http.StatusBadRequest {
			t.Fatalf("%s: an erasure without its ground: got %d, want 400", lang, a.Status)
		}
		if link := between(errorSummary.FindString(a.Body), `<a href="#f-erase_ground">`, "</a>"); !strings.HasSuffix(link, ": "+want) {
			t.Errorf("%s: the summary says %q for the ground, want it to end %q", lang, link, ": "+want)
		}
	}
}

// TestAChoiceLeftEmptySaysChooseWhateverTheDomainAllows: a new user's
// role left unchosen read "Role: one of applicant, assessor, office",
// the codes of the choices the select offered (the Dutch named them in
// words); the renewal's outcome left unchosen read "must be renew, refuse
// or return". An empty choice says "Choose one", in either language.
func TestAChoiceLeftEmptySaysChooseWhateverTheDomainAllows(t *testing.T) {
	w := newWorld(t)
	_, _, accID, rene := w.renewalAssigned(t)
	office := w.officeClient(t)
	assessor := w.client(t)
	assessor.login(rene.Email, rene.Password)
	for _, tc := range []struct {
		name  string
		c     *client
		path  string
		field string
		form  url.Values
	}{
		{"new user's role", office, "/office/users", "role", url.Values{"name": {"Nina New"}, "email": {"nina@example.org"}, "password": {"a long enough password"}}},
		{"renewal's outcome", assessor, "/accreditations/" + accID + "/renewal/assess", "outcome", url.Values{"rationale": {"Complete."}}},
	} {
		for lang, want := range map[string]string{"en": "Choose one", "nl": "Kies er een"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				tc.c.setLang(lang)
				a := tc.c.post(tc.path, tc.form, true)
				if a.Status < 400 || a.Status >= 500 {
					t.Fatalf("got %d, want the form again with its error", a.Status)
				}
				if link := between(errorSummary.FindString(a.Body), `<a href="#f-`+tc.field+`">`, "</a>"); !strings.HasSuffix(link, ": "+want) {
					t.Errorf("the summary says %q for %s, want it to end %q", link, tc.field, ": "+want)
				}
			})
		}
	}
}
