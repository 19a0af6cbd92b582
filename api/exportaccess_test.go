package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// The right of access gives a user what the system keeps of them beyond
// their cases: the mail written to them (as they would read it), every
// event of their own account (the address an email change left, the
// reasons they were disabled and enabled, when the password changed but
// never its hash) and their recovery links (when made and when they run
// out, never the token). Nothing of another user's mail, account or links
// is in it.
func TestTheExportHoldsMailAccountHistoryAndRecoveryLinks(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	carla, old := tm.applicant, tm.applicant.Email
	const moved = "carla.moved@example.org"

	Expect(t, tm.in.Post(t, "/api/v1/me/password", carla.Token,
		map[string]string{"current_password": carla.Password, "new_password": "a fresh long passphrase"}), 204)
	carla.Password = "a fresh long passphrase"
	noticed(t, mb, old, "password of your EMCC Accredit account was changed")
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", carla.Token, map[string]string{"email": moved, "current_password": carla.Password}), 202)
	Expect(t, tm.in.Post(t, "/api/v1/auth/email-confirmations", "", map[string]string{"token": tokenOf(t, mb.Wait(t, to(moved)))}), 200)
	noticed(t, mb, old, "email address of your EMCC Accredit account was changed")
	Expect(t, tm.in.Post(t, "/api/v1/users/"+carla.ID+"/disable", tm.admin, map[string]string{"reason": "paused while her employer checks"}), 200)
	Expect(t, tm.in.Post(t, "/api/v1/users/"+carla.ID+"/enable", tm.admin, map[string]string{"reason": "employer confirmed"}), 200)
	carla.Token = tm.in.Login(t, moved, carla.Password)
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": moved}), 202)
	resetToken := tokenOf(t, mb.Wait(t, func(m Mail) bool { return m.To == moved && strings.Contains(m.Body, "reset-password?token=") }))
	// Anna, another user, gets mail and a link of her own.
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": tm.assessor.Email}), 202)
	annaToken := tokenOf(t, mb.Wait(t, to(tm.assessor.Email)))

	res := Expect(t, tm.in.Get(t, "/api/v1/me/export", carla.Token), 200)
	doc, body := res.Map(t), string(res.Body)
	for _, secret := range []string{resetToken, annaToken, "$argon2", tm.assessor.Email, tm.assessor.ID, "Anna"} {
		if strings.Contains(body, secret) {
			t.Fatalf("the export holds %q: %.4000s", secret, body)
		}
	}

	t.Run("account history", func(t *testing.T) {
		byType := map[string]map[string]any{}
		for _, e := range asSlice(doc["account_history"]) {
			m := e.(map[string]any)
			byType[strings.TrimPrefix(m["type"].(string), "accounts.")], _ = m["data"].(map[string]any)
			if d, _ := m["data"].(map[string]any); d["user_id"] != carla.ID {
				t.Errorf("an event of another account: %v", m)
			}
		}
		for typ, want := range map[string]map[string]string{
			"user_registered":  {"email": old, "name": "Carla Coach", "password_hash": "[withheld]"},
			"password_changed": {"password_hash": "[withheld]"},
			"email_changed":    {"email": moved, "previous": old},
			"user_disabled":    {"reason": "paused while her employer checks"},
			"user_enabled":     {"reason": "employer confirmed"},
		} {
			got, ok := byType[typ]
			if !ok {
				t.Errorf("no %s in the account history: %v", typ, doc["account_history"])
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s %s: got %v, want %q", typ, k, got[k], v)
				}
			}
		}
	})

	t.Run("mail", func(t *testing.T) {
		kinds := map[string]map[string]any{}
		for _, m := range asSlice(doc["mail"]) {
			msg := m.(map[string]any)
			kinds[msg["kind"].(string)] = msg
			if to := msg["to"]; to != old && to != moved {
				t.Errorf("mail to %v in carla's export", to)
			}
			if msg["subject"] == "" || msg["body"] == "" || msg["status"] == "" || msg["created_at"] == nil {
				t.Errorf("a message without its subject, body, status or time: %v", msg)
			}
		}
		for _, k := range []string{"password_changed", "email_verification", "email_changed", "password_reset"} {
			if kinds[k] == nil {
				t.Errorf("no %s message in the export's mail: %v", k, doc["mail"])
			}
		}
		if r := kinds["password_reset"]; r != nil && !strings.Contains(r["body"].(string), "reset-password?token=[withheld]") {
			t.Errorf("the reset message's link: %v", r["body"])
		}
		if c := kinds["password_changed"]; c != nil && !strings.Contains(c["body"].(string), "password of your EMCC Accredit account was changed") {
			t.Errorf("the password notice as carla would read it: %v", c["body"])
		}
	})

	t.Run("recovery links", func(t *testing.T) {
		byPurpose := map[string]map[string]any{}
		for _, l := range asSlice(doc["recovery_links"]) {
			m := l.(map[string]any)
			if byPurpose[m["purpose"].(string)] != nil {
				t.Errorf("more than one %s link (another user's?): %v", m["purpose"], doc["recovery_links"])
			}
			byPurpose[m["purpose"].(string)] = m
		}
		reset, email := byPurpose["password"], byPurpose["email"]
		if reset == nil || reset["status"] != "pending" || email == nil || email["status"] != "used" || email["new_email"] != moved {
			t.Fatalf("the recovery links: %v, want a pending password link and the used one confirming %s", doc["recovery_links"], moved)
		}
		made, _ := time.Parse(time.RFC3339Nano, reset["issued_at"].(string))
		ends, _ := time.Parse(time.RFC3339Nano, reset["expires_at"].(string))
		if ends.Sub(made) != 30*time.Minute {
			t.Errorf("the pending link: made %v, runs out %v; want 30 minutes apart", made, ends)
		}
	})

	// Existing fields stay as they were.
	if acc, _ := doc["account"].(map[string]any); acc["email"] != moved || doc["user"] == nil || doc["cases"] == nil || doc["notifications"] == nil {
		t.Fatalf("the export's account, user, cases or notifications: %.2000s", body)
	}
}

// noticed waits for the notice mailed from a change to an account (a
// moment after it, and not at all once the account is disabled).
func noticed(t *testing.T, mb *Mailbox, address, text string) {
	t.Helper()
	mb.Wait(t, func(m Mail) bool { return m.To == address && strings.Contains(m.Body, text) })
}

// TestTheExportListsALinkEndedByAChangeOfPassword: a reset link made
// before the password was changed no longer works (the change ends it),
// and the export says so: ended, not pending, though it has not run out.
func TestTheExportListsALinkEndedByAChangeOfPassword(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	carla := tm.applicant
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": carla.Email}), 202)
	resetToken := tokenOf(t, mb.Wait(t, func(m Mail) bool { return m.To == carla.Email && strings.Contains(m.Body, "reset-password?token=") }))
	Expect(t, tm.in.Post(t, "/api/v1/me/password", carla.Token,
		map[string]string{"current_password": carla.Password, "new_password": "a fresh long passphrase"}), 204)

	links := asSlice(Expect(t, tm.in.Get(t, "/api/v1/me/export", carla.Token), 200).Map(t)["recovery_links"])
	if len(links) != 1 {
		t.Fatalf("the recovery links: %v, want the one reset link", links)
	}
	if l := links[0].(map[string]any); l["purpose"] != "password" || l["status"] != "ended" {
		t.Fatalf("the reset link made before the change: %v, want a password link that is ended", l)
	}
	// It is ended indeed: the link no longer sets a password.
	r := Expect(t, tm.in.Post(t, "/api/v1/auth/password-resets", "", map[string]string{"token": resetToken, "password": "yet another long passphrase"}), 400)
	if !strings.Contains(string(r.Body), `"field":"token"`) {
		t.Fatalf("the ended link used: %s, want it refused as no valid link", r.Body)
	}
}
