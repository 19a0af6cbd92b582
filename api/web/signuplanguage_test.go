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
	if m := w.waitOutbox(t, "password_changed", me.ID); m["language"] != "nl" {
		t.Fatalf("the notice to an applicant who signed up in Dutch: got %v, want it in Dutch", m)
	}
}

// waitOutbox is the outbox's message of kind to recipient, once the
// notifier has written it.
func (w *world) waitOutbox(t *testing.T, kind, recipient string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var outbox struct {
			Messages []map[string]any `json:"messages"`
		}
		Expect(t, w.in.Get(t, "/api/v1/outbox?limit=500", w.admin), 200).JSON(t, &outbox)
		for _, m := range outbox.Messages {
			if m["kind"] == kind && m["recipient_id"] == recipient {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s message to %s", kind, recipient)
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
	if m := w.waitOutbox(t, "account_disabled", id); m["language"] != "nl" {
		t.Fatalf("the notice to an assessor the office made with Dutch: got %v, want it in Dutch", m)
	}
}
