package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAUserIsToldByEmailWhenTheOfficeDisablesOrEnablesTheirAccount: the
// office disables the applicant over HTTP on one accreditd and enables them
// again on another; each is mailed to the applicant's address, in the
// language they chose, with the date in words, although they turned every
// kind they may choose off, and the one of the disabling although the
// account is disabled when it is sent. Neither gives the office's reason.
// Two processes notify and send; after more commands, and a third process whose
// notifier replays the store from before the disabling, the outbox and the
// mail server still hold one of each.
func TestAUserIsToldByEmailWhenTheOfficeDisablesOrEnablesTheirAccount(t *testing.T) {
	ctx := context.Background()
	mb := StartMailbox(t, "", "")
	tm, second := twoProcesses(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	tm.setClock(t, time.Date(2026, 3, 3, 10, 15, 0, 0, time.UTC))
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{}, "language": "nl"}), 200)
	before := lastSeq(t, tm.in)

	const disabledSubject, enabledSubject = "Uw EMCC Accredit-account is geblokkeerd", "Uw EMCC Accredit-account is gedeblokkeerd"
	const disableReason, enableReason = "Internal: complaint 2026-17 under investigation", "Internal: complaint 2026-17 closed"
	Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/disable", tm.admin, map[string]string{"reason": disableReason}), 200)
	mb.Wait(t, func(m Mail) bool { return m.To == tm.applicant.Email && m.Header.Get("Subject") == disabledSubject })
	Expect(t, tm.in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": tm.applicant.Email, "password": tm.applicant.Password}), 401)
	Expect(t, second.Post(t, "/api/v1/users/"+tm.applicant.ID+"/enable", second.AdminToken(t), map[string]string{"reason": enableReason}), 200)
	mb.Wait(t, func(m Mail) bool { return m.To == tm.applicant.Email && m.Header.Get("Subject") == enabledSubject })

	for _, c := range []struct{ kind, says string }{
		{"account_disabled", "Het EMCC-bureau heeft uw EMCC Accredit-account geblokkeerd op 3 maart 2026 om 10:15 UTC."},
		{"account_enabled", "Het EMCC-bureau heeft uw EMCC Accredit-account gedeblokkeerd op 3 maart 2026 om 10:15 UTC."},
	} {
		got := tm.waitKind(t, c.kind, 1)
		if len(got) != 1 {
			t.Fatalf("%d messages of kind %s, want 1: %v", len(got), c.kind, got)
		}
		m, body := got[0], got[0]["body"].(string)
		if m["recipient_id"] != tm.applicant.ID || m["to"] != tm.applicant.Email || m["language"] != "nl" || !strings.Contains(body, c.says) {
			t.Fatalf("the %s notice: got %v, want it to %s in Dutch, saying %q", c.kind, m, tm.applicant.Email, c.says)
		}
		if strings.Contains(body, "complaint") {
			t.Fatalf("the %s notice gives the office's reason:\n%s", c.kind, body)
		}
	}

	// More commands: the applicant logs in again and changes their
	// password (a notice of another kind).
	tm.applicant.Token = tm.in.Login(t, tm.applicant.Email, tm.applicant.Password)
	Expect(t, tm.in.Post(t, "/api/v1/me/password", tm.applicant.Token, map[string]string{"current_password": tm.applicant.Password, "new_password": "Carla's fresh long passphrase"}), 204)
	tm.waitKind(t, "password_changed", 1)
	last := lastSeq(t, tm.in)
	for _, in := range []*Instance{tm.in, second} {
		waitNotified(t, in, last)
		for deadline := time.Now().Add(time.Minute); in.App.Notifier.Saved() < last; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the notifier's cursor saved at %d, not at %d after a minute", in.App.Notifier.Saved(), last)
			}
		}
	}

	// A replay: the cursor set back to before the disabling (the first
	// notifier idle, with nothing to save), the second process stopped,
	// and a third started from it handles it all again.
	st := tm.in.App.Outbox.Store()
	if err := st.SetCursor(ctx, before); err != nil {
		t.Fatal(err)
	}
	second.App.Close()
	if p, _, err := st.Cursor(ctx); err != nil || p != before {
		t.Fatalf("the cursor at %d (%v), want %d: the replay would not reach the disabling", p, err, before)
	}
	third := StartWith(t, second.Cfg, app.Options{Now: tm.clock.Now})
	waitNotified(t, third, last)
	if n := tm.in.App.Outbox.SendDue(ctx) + third.App.Outbox.SendDue(ctx); n != 0 {
		t.Fatalf("the replay sent %d more", n)
	}
	for _, kind := range []string{"account_disabled", "account_enabled"} {
		if got := tm.ofKind(t, kind); len(got) != 1 {
			t.Errorf("after the replay the outbox holds %d messages of kind %s, want 1: %v", len(got), kind, got)
		}
	}
	for _, subject := range []string{disabledSubject, enabledSubject} {
		n := 0
		for _, m := range mb.Received() {
			if m.To == tm.applicant.Email && m.Header.Get("Subject") == subject {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the mail server got %q %d times, want once", subject, n)
		}
	}
}

// TestAUserIsToldByEmailWhenTheOfficeLogsThemOutEverywhere: the office
// ending every session of the applicant is mailed to them in the language
// they chose, with the date in words and what to do if they do not know
// why, although they turned every kind they may choose off; the applicant
// ending their own other sessions, just before, is not mailed.
func TestAUserIsToldByEmailWhenTheOfficeLogsThemOutEverywhere(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	tm.setClock(t, time.Date(2026, 3, 3, 10, 15, 0, 0, time.UTC))
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{}, "language": "nl"}), 200)
	Expect(t, tm.in.Post(t, "/api/v1/me/sessions/revocation", tm.applicant.Token, nil), 200)
	Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/sessions/revocation", tm.admin, nil), 200)
	waitNotified(t, tm.in, lastSeq(t, tm.in))

	got := tm.ofKind(t, "sessions_ended")
	if len(got) != 1 {
		t.Fatalf("%d messages of kind sessions_ended, want 1 (the office's, not the user's own): %v", len(got), got)
	}
	m, body := got[0], got[0]["body"].(string)
	for _, says := range []string{"Het EMCC-bureau heeft alle sessies van uw EMCC Accredit-account beëindigd op 3 maart 2026 om 10:15 UTC:",
		"/login", "Wachtwoord vergeten?"} {
		if m["recipient_id"] != tm.applicant.ID || m["to"] != tm.applicant.Email || m["language"] != "nl" || !strings.Contains(body, says) {
			t.Fatalf("the notice: got %v, want it to %s in Dutch, saying %q", m, tm.applicant.Email, says)
		}
	}
	mb.Wait(t, func(m Mail) bool {
		return m.To == tm.applicant.Email && m.Header.Get("Subject") == "U bent uitgelogd uit EMCC Accredit"
	})
}

// TestAUserIsToldByEmailWhenTheOfficeMakesAResetLinkForThem: a link the
// office makes to set a user's password is mailed to the user as a notice,
// when it was made and whom to contact if they did not ask, without the
// link itself (the office hands it on); a retry of the command makes no
// second notice.
func TestAUserIsToldByEmailWhenTheOfficeMakesAResetLinkForThem(t *testing.T) {
	tm := newTeam(t)
	tm.setClock(t, time.Date(2026, 3, 3, 10, 15, 0, 0, time.UTC))
	issue := func() string {
		r := tm.in.Do(t, Request{Method: "POST", Path: "/api/v1/users/" + tm.applicant.ID + "/password-reset-links", Token: tm.admin,
			Header: map[string]string{"Idempotency-Key": "reset-carla-1"}})
		return Expect(t, r, 201).Map(t)["link"].(string)
	}
	first, second := issue(), issue()
	tm.waitKind(t, "reset_link_issued", 1)
	waitNotified(t, tm.in, lastSeq(t, tm.in))
	got := tm.ofKind(t, "reset_link_issued")
	if len(got) != 1 {
		t.Fatalf("%d notices of the office's link after a retry, want 1: %v", len(got), got)
	}
	m, body := got[0], got[0]["body"].(string)
	if m["recipient_id"] != tm.applicant.ID || m["to"] != tm.applicant.Email || m["language"] != "en" ||
		!strings.Contains(body, "The EMCC office made a link to set a new password for your EMCC Accredit account on\n3 March 2026 10:15 UTC") ||
		!strings.Contains(body, "If you did not, contact\nthe EMCC office at once") {
		t.Fatalf("the notice: got %v\n%s", m, body)
	}
	for _, link := range []string{first, second} {
		if token := link[strings.Index(link, "token=")+len("token="):]; strings.Contains(body, token) {
			t.Fatalf("the notice holds the link %s:\n%s", link, body)
		}
	}
}
