package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestSigningUpInDutchMakesTheAccountsMailDutch: someone who signed up on
// the Dutch page and has no case yet was mailed the notice of their
// changed password in English; it is in Dutch.
func TestSigningUpInDutchMakesTheAccountsMailDutch(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	c.setLang("nl")
	idem := idemField.FindStringSubmatch(c.get("/signup").Body)[1]
	const email, password = "dirk@example.org", "Dirk's long first passphrase"
	if a := c.post("/signup", url.Values{"name": {"Dirk de Vries"}, "email": {email}, "password": {password}, "idem": {idem}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("sign-up on the Dutch page: got %d, want 303: %.1000s", a.Status, a.Body)
	}
	token := w.in.Login(t, email, password)
	var me struct{ ID string }
	Expect(t, w.in.Get(t, "/api/v1/me", token), 200).JSON(t, &me)
	Expect(t, w.in.Post(t, "/api/v1/me/password", token, map[string]string{"current_password": password, "new_password": "Dirk's long second passphrase"}), 204)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var outbox struct {
			Messages []map[string]any `json:"messages"`
		}
		Expect(t, w.in.Get(t, "/api/v1/outbox?limit=500", w.admin), 200).JSON(t, &outbox)
		for _, m := range outbox.Messages {
			if m["kind"] == "password_changed" && m["recipient_id"] == me.ID {
				if m["language"] != "nl" {
					t.Fatalf("the notice to an applicant who signed up in Dutch: got %v, want it in Dutch", m)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no notice of the changed password")
		}
	}
}

// TestTheOfficeGivesTheLanguageOfANewUsersMail: the users page asks the
// language of a new user's emails, its own language chosen; an assessor
// made with Dutch is mailed their account's notices in Dutch.
func TestTheOfficeGivesTheLanguageOfANewUsersMail(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	office.setLang("nl")
	page := office.get("/office/users").Body
	if !strings.Contains(page, `name="language"`) || !strings.Contains(page, `<option value="nl" selected>Nederlands</option>`) {
		t.Fatalf("the users page on the Dutch side does not offer the new user's mail language with Dutch chosen: %.3000s", page)
	}
	a := office.post("/office/users", url.Values{"name": {"Vera Verifier"}, "email": {"vera@example.org"}, "role": {"assessor"},
		"password": {"Vera's long first passphrase"}, "language": {"nl"}}, true)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("making the user: got %d, want 303: %.1000s", a.Status, a.Body)
	}
	id := strings.TrimPrefix(strings.Split(a.Location, "?")[0], "/office/users/")
	Expect(t, w.in.Post(t, "/api/v1/users/"+id+"/disable", w.admin, map[string]string{"reason": "A check."}), 200)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var outbox struct {
			Messages []map[string]any `json:"messages"`
		}
		Expect(t, w.in.Get(t, "/api/v1/outbox?limit=500", w.admin), 200).JSON(t, &outbox)
		for _, m := range outbox.Messages {
			if m["kind"] == "account_disabled" && m["recipient_id"] == id {
				if m["language"] != "nl" {
					t.Fatalf("the notice to an assessor the office made with Dutch: got %v, want it in Dutch", m)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no notice of the disabled account")
		}
	}
}
