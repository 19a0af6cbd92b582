package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// goesBack posts form as the confirmation page's "Go back without doing
// it" sends it (confirm=yes and edit=yes) and wants the form's page, not
// the confirmation, showing every one of texts (as the HTML has them).
func goesBack(t *testing.T, c *client, path string, form url.Values, texts ...string) {
	t.Helper()
	back := url.Values{"confirm": {"yes"}, "edit": {"yes"}}
	for k, v := range form {
		back[k] = v
	}
	a := c.postAsking(path, back, true)
	if a.Status != http.StatusOK || strings.Contains(a.Body, "data-confirm") {
		t.Fatalf("going back from the confirmation of %s: got %d, want the form's page; %s", path, a.Status, errorsOf(a.Body))
	}
	body := html.UnescapeString(a.Body)
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("going back from the confirmation of %s: the page does not show %q", path, s)
		}
	}
}

// TestGoingBackFromAnyConfirmationKeepsWhatWasTyped: "Go back without
// doing it" on the confirmation of a revocation, a withdrawal (of an
// application, or of an accreditation by the holder or the office), an
// erasure, a submission, an assessment or the removal of evidence was a
// link to the form's page, whose empty form lost the reason typed (and
// the declarations ticked). It now sends the fields back, as a decision's
// confirmation does: the form shows them as typed, the section that holds
// it open, and nothing is done. In English and in Dutch.
func TestGoingBackFromAnyConfirmationKeepsWhatWasTyped(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	ben := w.registerApplicant(t, "ben@example.org", "Ben Mentor")
	zoe := w.registerApplicant(t, "zoe@example.org", "Zoë Zeeman")
	applicant, holder, office := w.client(t), w.client(t), w.officeClient(t)
	applicant.login(carla.Email, carla.Password)
	holder.login(ben.Email, ben.Password)
	draft := w.readyEIA(t, carla)
	evID := Expect(t, w.in.Upload(t, draft, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1"},
		"reflections.pdf", makePDF("Reflections"), nil), 201).Map(t)["evidence"].([]any)[0].(map[string]any)["id"].(string)
	_, _, mine := w.awardedCase(t, ben)
	_, _, accID := w.awardedCase(t, carla)

	for _, lang := range []string{"en", "nl"} {
		for _, c := range []*client{applicant, holder, office} {
			c.setLang(lang)
		}
		for _, tc := range []struct {
			name string
			who  *client
			path string
			form url.Values
			// what the form's page shows again
			shows []string
		}{
			{"the office's revocation", office, "/office/accreditations/" + accID + "/revoke", url.Values{"revoke_reason": {"Upheld ethics complaint (" + lang + ")."}},
				[]string{">Upheld ethics complaint (" + lang + ").</textarea>", `<details class="danger-zone" open>`}},
			{"the office's withdrawal", office, "/office/accreditations/" + accID + "/withdraw", url.Values{"withdraw_reason": {"At the holder's request (" + lang + ")."}},
				[]string{">At the holder's request (" + lang + ").</textarea>", `<details class="danger-zone" open>`}},
			{"the holder's withdrawal", holder, "/accreditations/" + mine + "/withdraw", url.Values{"withdraw_reason": {"I retire (" + lang + ")."}},
				[]string{">I retire (" + lang + ").</textarea>", `<details class="danger-zone" open>`}},
			{"the application's withdrawal", applicant, "/applications/" + draft + "/withdraw", url.Values{"reason": {"Moving abroad (" + lang + ")."}},
				[]string{">Moving abroad (" + lang + ").</textarea>", `<details class="danger-zone" open>`}},
			{"the erasure", office, "/office/users/" + zoe.ID + "/erase",
				url.Values{"erase_ground": {"legal_obligation"}, "erase_reason": {"Court order (" + lang + ")."}, "erase_confirm": {"yes"}},
				[]string{">Court order (" + lang + ").</textarea>", `value="legal_obligation" checked`, `name="erase_confirm" value="yes" checked`}},
			{"the submission", applicant, "/applications/" + draft + "/submit", url.Values{"declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}},
				[]string{`name="declaration_code_of_ethics" value="yes" checked`, `name="declaration_diversity" value="yes" checked`}},
			{"the removal of evidence", applicant, "/applications/" + draft + "/evidence/" + evID + "/remove", nil,
				[]string{"Reflections 2025"}},
		} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				a := tc.who.postAsking(tc.path, tc.form, true)
				back := map[string]string{"en": "Go back without doing it", "nl": "Terug zonder het te doen"}[lang]
				if a.Status != http.StatusOK || !strings.Contains(a.Body, `<button type="submit" name="edit" value="yes" class="button button-secondary" id="confirm-back">`+back+`</button>`) {
					t.Fatalf("the confirmation (%d) has no button going back with the fields; %s", a.Status, errorsOf(a.Body))
				}
				goesBack(t, tc.who, tc.path, tc.form, tc.shows...)
			})
		}
	}
	if s := Expect(t, w.in.Get(t, "/api/v1/cases/"+draft, w.admin), 200).Map(t); s["state"] != "draft" || len(s["evidence"].([]any)) != 1 {
		t.Errorf("going back did something: state %v, %d evidence", s["state"], len(s["evidence"].([]any)))
	}
	for _, acc := range []string{accID, mine} {
		if s := Expect(t, w.in.Get(t, "/api/v1/accreditations/"+acc, w.admin), 200).Map(t)["accreditation"].(map[string]any)["status"]; s != "active" {
			t.Errorf("going back ended accreditation %s: %v", acc, s)
		}
	}
	if u := Expect(t, w.in.Get(t, "/api/v1/users/"+zoe.ID, w.admin), 200).Map(t); u["erased"] == true {
		t.Error("going back erased the person")
	}
}
