package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAnApplicantWhoSignedUpInDutchIsMailedInDutch: someone who signed up
// in Dutch and has no case yet was mailed their account's notices (a
// changed password) in English. The language they signed up in is their
// mail's until they choose one or a case gives one; another language is
// refused with a 400 naming it, and no account is made.
func TestAnApplicantWhoSignedUpInDutchIsMailedInDutch(t *testing.T) {
	tm := newTeam(t)
	const email, password = "dirk@example.org", "Dirk's long first passphrase"
	reg := func(lang string, want int) Response {
		t.Helper()
		return Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": email, "password": password, "name": "Dirk de Vries", "language": lang}), want)
	}
	if p := reg("de", 400).Map(t); !strings.Contains(fmt.Sprint(p["errors"]), "field:language ") {
		t.Fatalf("a registration in German: got %v, want a 400 naming language", p)
	}
	var u struct{ ID string }
	reg("nl", 201).JSON(t, &u)
	token := tm.in.Login(t, email, password)
	Expect(t, tm.in.Post(t, "/api/v1/me/password", token, map[string]string{"current_password": password, "new_password": "Dirk's long second passphrase"}), 204)
	m := tm.waitMail(t, "password_changed", toUser(u.ID))
	if m["language"] != "nl" || !strings.Contains(m["subject"].(string), "wachtwoord") {
		t.Fatalf("the notice to an applicant who signed up in Dutch and has no case: got %v, want it in Dutch", m)
	}

	// Saving their email choices with no language keeps it.
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", token, map[string]any{"receive": []string{}, "language": ""}), 200)
	Expect(t, tm.in.Post(t, "/api/v1/me/password", token, map[string]string{"current_password": "Dirk's long second passphrase", "new_password": "Dirk's long third passphrase"}), 204)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var theirs []map[string]any
		for _, m := range tm.ofKind(t, "password_changed") {
			if m["recipient_id"] == u.ID {
				theirs = append(theirs, m)
			}
		}
		if len(theirs) == 2 {
			if theirs[0]["language"] != "nl" {
				t.Fatalf("the notice after choices saved with no language: got %v, want it in Dutch", theirs[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no second notice of a changed password: %v", theirs)
		}
	}
}

// TestAUserTheOfficeMakesIsMailedInTheLanguageItGave: an assessor or an
// office user has no case, so their account's notices were in English
// whatever language they read; the office gives the language as it makes
// the account.
func TestAUserTheOfficeMakesIsMailedInTheLanguageItGave(t *testing.T) {
	tm := newTeam(t)
	body := map[string]string{"email": "vera@example.org", "name": "Vera Verifier", "role": "assessor", "password": "Vera's long first passphrase", "language": "fr"}
	if p := Expect(t, tm.in.Post(t, "/api/v1/users", tm.admin, body), 400).Map(t); !strings.Contains(fmt.Sprint(p["errors"]), "field:language ") {
		t.Fatalf("a user made in French: got %v, want a 400 naming language", p)
	}
	body["language"] = "nl"
	var u struct{ ID string }
	Expect(t, tm.in.Post(t, "/api/v1/users", tm.admin, body), 201).JSON(t, &u)
	Expect(t, tm.in.Post(t, "/api/v1/users/"+u.ID+"/disable", tm.admin, map[string]string{"reason": "A check."}), 200)
	if m := tm.waitMail(t, "account_disabled", toUser(u.ID)); m["language"] != "nl" {
		t.Fatalf("the notice to an assessor the office made in Dutch: got %v, want it in Dutch", m)
	}
}
