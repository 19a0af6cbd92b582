package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// mailOf waits until the outbox holds a message of kind and returns it.
func (w *world) mailOf(t testing.TB, kind string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		for _, m := range Expect(t, w.in.Get(t, "/api/v1/outbox", w.admin), 200).Map(t)["messages"].([]any) {
			if m := m.(map[string]any); m["kind"] == kind {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s message in the outbox after a minute", kind)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRecoveryLinksAreMailedInThePagesLanguage: a password reset asked for
// from a Dutch page, and a new address asked for from a Dutch account
// page, are mailed in Dutch to someone who chose no language for their
// email, not in English.
func TestRecoveryLinksAreMailedInThePagesLanguage(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	anon := w.client(t)
	anon.setLang("nl")
	if a := anon.post("/forgot-password", url.Values{"email": {carla.Email}}, true); a.Status != http.StatusOK {
		t.Fatalf("forgot password: got %d", a.Status)
	}
	if m := w.mailOf(t, "password_reset"); m["language"] != "nl" || m["subject"] == "" {
		t.Errorf("the reset link asked for from a Dutch page: language %v, subject %v; want nl", m["language"], m["subject"])
	}
	me := w.client(t)
	me.login(carla.Email, carla.Password)
	me.setLang("nl")
	if a := me.post("/account/email", url.Values{"new_email": {"carla.new@example.org"}, "email_password": {carla.Password}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("a new address: got %d", a.Status)
	}
	if m := w.mailOf(t, "email_verification"); m["language"] != "nl" {
		t.Errorf("the confirmation link asked for from a Dutch page: language %v, subject %v; want nl", m["language"], m["subject"])
	}
}
