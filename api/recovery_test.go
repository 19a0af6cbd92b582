package api_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/recovery"
)

var tokenIn = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// tokenOf is the token of the link in an email.
func tokenOf(t *testing.T, m Mail) string {
	t.Helper()
	g := tokenIn.FindStringSubmatch(m.Body)
	if g == nil {
		t.Fatalf("no link with a token in:\n%s", m.Body)
	}
	return g[1]
}

// TestPasswordResetLink: asking answers alike for a registered address and
// an unknown one; the mailed link works once, only within 30 minutes, only
// after a password the rules accept; only its hash is stored; the office
// can make one for a user.
func TestPasswordResetLink(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	known := Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": tm.applicant.Email}), 202)
	unknown := Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": "nobody@example.org"}), 202)
	if !bytes.Equal(known.Body, unknown.Body) {
		t.Fatalf("the answers differ: %s / %s", known.Body, unknown.Body)
	}
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": "not an address"}), 400)
	m := mb.Wait(t, to(tm.applicant.Email))
	token := tokenOf(t, m)
	if !strings.Contains(m.Body, tm.in.URL+"/reset-password?token="+token) || !strings.Contains(m.Body, "30 minutes") {
		t.Fatalf("reset email:\n%s", m.Body)
	}

	// Only the hash is stored: the token is nowhere in the data directory.
	_ = filepath.WalkDir(tm.in.Cfg.DataDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(token)) {
				t.Errorf("the token is stored in clear in %s", p)
			}
		}
		return nil
	})

	reset := func(token, password string, want int) Response {
		t.Helper()
		return Expect(t, tm.in.Post(t, "/api/v1/auth/password-resets", "", map[string]string{"token": token, "password": password}), want)
	}
	if r := reset(token, "short", 400); !strings.Contains(string(r.Body), `"password"`) {
		t.Fatalf("a refused password: %s", r.Body)
	}
	reset(token, "a brand new long password", 200)
	Expect(t, tm.in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": tm.applicant.Email, "password": tm.applicant.Password}), 401)
	Expect(t, tm.in.Get(t, "/api/v1/me", tm.applicant.Token), 401) // every session ended
	tm.in.Login(t, tm.applicant.Email, "a brand new long password")
	if r := reset(token, "another long password here", 400); !strings.Contains(string(r.Body), `"token"`) {
		t.Fatalf("a link used twice: %s", r.Body)
	}
	reset("made-up-token", "another long password here", 400)

	// Expiry: 30 minutes.
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": tm.applicant.Email}), 202)
	second := mb.Wait(t, func(m Mail) bool { // a reset link, not the notice of the change
		g := tokenIn.FindStringSubmatch(m.Body)
		return m.To == tm.applicant.Email && g != nil && g[1] != token
	})
	tm.clock.Advance(30*time.Minute + time.Second)
	reset(tokenOf(t, second), "another long password here", 400)

	// The office's link, for a user without mail.
	tm.admin = tm.in.AdminToken(t)
	Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/password-reset-links", tm.verifier.Token, nil), 403)
	Expect(t, tm.in.Post(t, "/api/v1/users/01ARZ3NDEKTSV4RRFFQ69G5FAV/password-reset-links", tm.admin, nil), 404)
	l := Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/password-reset-links", tm.admin, nil), 201).Map(t)
	g := tokenIn.FindStringSubmatch(l["link"].(string))
	if g == nil || !strings.HasPrefix(l["link"].(string), tm.in.URL+"/reset-password?token=") {
		t.Fatalf("office link: %v", l)
	}
	reset(g[1], "the office's new password", 200)
	tm.in.Login(t, tm.applicant.Email, "the office's new password")
}

// TestNewEmailCountsOnceConfirmed: a new address is mailed a link; until
// it is followed the old address logs in; then only the new one, and the
// link works once.
func TestNewEmailCountsOnceConfirmed(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": "not an address", "current_password": tm.applicant.Password}), 400)
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": "carla.new@example.org", "current_password": tm.applicant.Password}), 202)
	m := mb.Wait(t, to("carla.new@example.org"))
	token := tokenOf(t, m)
	if !strings.Contains(m.Body, tm.in.URL+"/confirm-email?token=") {
		t.Fatalf("confirmation email:\n%s", m.Body)
	}
	tm.in.Login(t, tm.applicant.Email, tm.applicant.Password) // not yet changed
	Expect(t, tm.in.Post(t, "/api/v1/auth/email-confirmations", "", map[string]string{"token": token}), 200)
	Expect(t, tm.in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": tm.applicant.Email, "password": tm.applicant.Password}), 401)
	tm.in.Login(t, "carla.new@example.org", tm.applicant.Password)
	Expect(t, tm.in.Post(t, "/api/v1/auth/email-confirmations", "", map[string]string{"token": token}), 400)
	// A reset token does not confirm an address, nor the other way round.
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-resets", "", map[string]string{"token": token, "password": "a brand new long password"}), 400)
}

// TestARetriedEmailConfirmationIsAnsweredAsTheFirst: a confirmation sent
// again with its Idempotency-Key (its answer lost) is answered as the first
// was, though its link is used now; the same key with another link is
// refused.
func TestARetriedEmailConfirmationIsAnsweredAsTheFirst(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": "carla.new@example.org", "current_password": tm.applicant.Password}), 202)
	token := tokenOf(t, mb.Wait(t, to("carla.new@example.org")))
	confirm := Request{Method: "POST", Path: "/api/v1/auth/email-confirmations", Body: map[string]string{"token": token}, Header: keyed("confirm-1")}
	first := Expect(t, tm.in.Do(t, confirm), 200)
	if r := tm.in.Do(t, confirm); r.Status != 200 || r.Map(t)["seq"] != first.Map(t)["seq"] {
		t.Fatalf("retried email confirmation: got %d %s, want 200 as the first (%s)", r.Status, r.Body, first.Body)
	}
	other := confirm
	other.Body = map[string]string{"token": token + "x"}
	Expect(t, tm.in.Do(t, other), 422) // the key with another link
	tm.in.Login(t, "carla.new@example.org", tm.applicant.Password)
}

// TestALinkEndsWhenTheUserShutsOthersOut: a recovery link asked for before
// the user changed their password, had their sessions ended or was
// disabled no longer works, so that someone who held a session then (and
// asked to move the account to their own address) cannot take it back by
// the link; a link asked for afterwards works.
func TestALinkEndsWhenTheUserShutsOthersOut(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	confirm := func(token string, want int) {
		t.Helper()
		Expect(t, tm.in.Post(t, "/api/v1/auth/email-confirmations", "", map[string]string{"token": token}), want)
	}
	reset := func(token string, want int) {
		t.Helper()
		Expect(t, tm.in.Post(t, "/api/v1/auth/password-resets", "", map[string]string{"token": token, "password": "an intruder's long password"}), want)
	}

	// Someone who took a session and learnt the password asks to move the
	// account; the owner changes the password.
	stolen := tm.applicant.Token
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", stolen, map[string]string{"email": "mallory@example.net", "current_password": tm.applicant.Password}), 202)
	moved := tokenOf(t, mb.Wait(t, to("mallory@example.net")))
	Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": tm.applicant.Email}), 202)
	mailed := tokenOf(t, mb.Wait(t, to(tm.applicant.Email)))
	own := tm.in.Login(t, tm.applicant.Email, tm.applicant.Password)
	Expect(t, tm.in.Post(t, "/api/v1/me/password", own, map[string]string{"current_password": tm.applicant.Password, "new_password": "carla's brand new passphrase"}), 204)
	Expect(t, tm.in.Get(t, "/api/v1/me", stolen), 401)
	confirm(moved, 400)
	reset(mailed, 400)
	tm.in.Login(t, tm.applicant.Email, "carla's brand new passphrase") // the address did not move

	// A link asked for after the change works.
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", own, map[string]string{"email": "carla.new@example.org", "current_password": "carla's brand new passphrase"}), 202)
	confirm(tokenOf(t, mb.Wait(t, to("carla.new@example.org"))), 200)

	// The office ending a user's sessions ends their links too.
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.verifier.Token, map[string]string{"email": "elsewhere@example.net", "current_password": tm.verifier.Password}), 202)
	elsewhere := tokenOf(t, mb.Wait(t, to("elsewhere@example.net")))
	Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.verifier.ID+"/sessions/revocation", tm.admin, nil), 200)
	confirm(elsewhere, 400)

	// A disabled user's link does not work, nor after they are enabled again.
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.assessor.Token, map[string]string{"email": "anna.away@example.net", "current_password": tm.assessor.Password}), 202)
	away := tokenOf(t, mb.Wait(t, to("anna.away@example.net")))
	Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.assessor.ID+"/disable", tm.admin, map[string]string{"reason": "left the pool"}), 200)
	confirm(away, 400)
	Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.assessor.ID+"/enable", tm.admin, map[string]string{"reason": "back in the pool"}), 200)
	confirm(away, 400)
}

// TestResetRequestsCannotFloodAnInbox: an account is mailed at most
// recovery.PerHour reset links in an hour, however often it is asked for,
// with the same answer each time; a client asking too often is refused
// with 429 and Retry-After, alike for a registered and an unknown address;
// the next hour and a wait renew them. A new address gets at most
// PerHour confirmation links an hour.
func TestResetRequestsCannotFloodAnInbox(t *testing.T) {
	tm := newTeam(t) // no SMTP: mail is kept in the outbox, where it is counted
	tm.admin = tm.in.AdminToken(t)
	ask := func(email string, want int) Response {
		t.Helper()
		return Expect(t, tm.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": email}), want)
	}
	resets := func() int {
		n := 0
		for _, m := range tm.outbox(t) {
			if m["kind"] == "password_reset" && m["recipient_id"] == tm.applicant.ID {
				n++
			}
		}
		return n
	}
	first := ask(tm.applicant.Email, 202)
	for range recovery.PerHour {
		tm.clock.Advance(recovery.ClientEvery) // the client's allowance is not what is tested here
		if r := ask(tm.applicant.Email, 202); !bytes.Equal(r.Body, first.Body) {
			t.Fatalf("the answer changed: %s / %s", r.Body, first.Body)
		}
	}
	// The request past the account's allowance is dropped after the answer,
	// and says so in the log (without the address).
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(tm.in.Log.String(), "password reset not mailed") {
		if time.Now().After(deadline) {
			t.Fatalf("no request was held back after %d; outbox has %d", recovery.PerHour+1, resets())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(tm.in.Log.String(), tm.applicant.Email) {
		t.Fatal("the address is in the log")
	}
	for deadline := time.Now().Add(time.Minute); resets() < recovery.PerHour; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("outbox has %d reset links, want %d", resets(), recovery.PerHour)
		}
	}
	if n := resets(); n != recovery.PerHour {
		t.Fatalf("%d reset links mailed in one hour, want %d", n, recovery.PerHour)
	}

	// The client: a burst, then refused alike for any address, with a wait.
	tm.clock.Advance(time.Hour)
	for range recovery.ClientBurst {
		ask("nobody@example.org", 202)
	}
	known, unknown := ask(tm.applicant.Email, 429), ask("nobody@example.org", 429)
	if known.Header.Get("Retry-After") == "" || known.Map(t)["detail"] != unknown.Map(t)["detail"] {
		t.Fatalf("refusals differ or lack Retry-After: %s %v / %s", known.Body, known.Header, unknown.Body)
	}
	if p := known.Map(t); p["status"] != float64(429) || !strings.Contains(p["detail"].(string), "too many password reset requests") {
		t.Fatalf("problem: %v", p)
	}
	tm.clock.Advance(recovery.ClientEvery)
	ask(tm.applicant.Email, 202) // a new hour, and the client waited: mailed again
	for deadline := time.Now().Add(time.Minute); resets() < recovery.PerHour+1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no link mailed in the next hour; outbox has %d", resets())
		}
	}

	// One's own address (in capitals) is no new one: refused, naming it,
	// with no link mailed and none of the hour's allowance spent.
	wantField(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": strings.ToUpper(tm.applicant.Email), "current_password": tm.applicant.Password}),
		"email", recovery.ReasonEmailUnchanged)
	// Confirmation links for a new address: PerHour an hour, then 429.
	for i := range recovery.PerHour {
		Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": fmt.Sprintf("carla.%d@example.org", i), "current_password": tm.applicant.Password}), 202)
	}
	r := Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": "carla.flood@example.org", "current_password": tm.applicant.Password}), 429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatalf("no Retry-After: %v", r.Header)
	}
	n := 0
	for _, m := range tm.outbox(t) {
		if m["kind"] == "email_verification" && m["recipient_id"] == tm.applicant.ID {
			n++
		}
	}
	if n != recovery.PerHour {
		t.Fatalf("%d confirmation links kept, want %d", n, recovery.PerHour)
	}
}

// TestChangesToHowAUserLogsInAreMailedToTheAddressTheyConcern: a changed
// password is told to the account's address, and a moved address to the
// one it left (the new one masked), whatever the user's preferences: whoever
// took a session or learnt the password must not shut the owner out
// unseen.
func TestChangesToHowAUserLogsInAreMailedToTheAddressTheyConcern(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	// Every kind the applicant may choose, off.
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{}}), 200)
	old := tm.applicant.Email

	Expect(t, tm.in.Post(t, "/api/v1/me/password", tm.applicant.Token,
		map[string]string{"current_password": tm.applicant.Password, "new_password": "a fresh long passphrase"}), 204)
	changed := mb.Wait(t, func(m Mail) bool {
		return m.To == old && strings.Contains(m.Body, "password of your EMCC Accredit account was changed")
	})
	if !strings.Contains(changed.Body, tm.in.URL+"/forgot-password") {
		t.Fatalf("the notice of a changed password leads nowhere:\n%s", changed.Body)
	}

	const moved = "carla.elsewhere@example.org"
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": moved, "current_password": "a fresh long passphrase"}), 202)
	Expect(t, tm.in.Post(t, "/api/v1/auth/email-confirmations", "", map[string]string{"token": tokenOf(t, mb.Wait(t, to(moved)))}), 200)
	left := mb.Wait(t, func(m Mail) bool {
		return m.To == old && strings.Contains(m.Body, "email address of your EMCC Accredit account was changed")
	})
	if !strings.Contains(left.Body, "c***@example.org") || strings.Contains(left.Body, moved) {
		t.Fatalf("the notice to the address left should name the new one masked, and only so:\n%s", left.Body)
	}
	for _, m := range tm.outbox(t) {
		if m["kind"] == "email_changed" && m["recipient_id"] == tm.applicant.ID {
			return
		}
	}
	t.Fatal("no email_changed message in the outbox")
}

// TestARetriedPasswordResetIsAnsweredAsTheFirst: POST /auth/password-resets
// with a key, answered 200; its retry (same key, same body) is answered 200
// too, not refused for the link its first attempt used (400).
func TestARetriedPasswordResetIsAnsweredAsTheFirst(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	l := Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/password-reset-links", tm.admin, nil), 201).Map(t)
	token := tokenIn.FindStringSubmatch(l["link"].(string))[1]
	reset := Request{Method: "POST", Path: "/api/v1/auth/password-resets", Body: map[string]string{"token": token, "password": "the office's new password"}, Header: keyed("reset-1")}
	first := Expect(t, tm.in.Do(t, reset), 200)
	if r := tm.in.Do(t, reset); r.Status != 200 || r.Map(t)["seq"] != first.Map(t)["seq"] {
		t.Fatalf("retried password reset: got %d %s, want 200 as the first (%s)", r.Status, r.Body, first.Body)
	}
	other := reset
	other.Body = map[string]string{"token": token, "password": "another new password"}
	Expect(t, tm.in.Do(t, other), 422) // the key with another password
	tm.in.Login(t, tm.applicant.Email, "the office's new password")
}

// TestARetriedRegistrationIsAnsweredAsTheFirstAfterTheEmailMoved: a
// registration sent again with its Idempotency-Key (its answer lost) after
// the user it created has moved to another address is answered 201 with
// that user, not 409 "a user with this email already exists" for the
// address its first attempt reserved and the user's move released; the
// same key with another body is refused.
func TestARetriedRegistrationIsAnsweredAsTheFirstAfterTheEmailMoved(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	register := Request{Method: "POST", Path: "/api/v1/auth/register", Header: keyed("register-1"),
		Body: map[string]string{"email": "dora@example.org", "password": "dora's long password", "name": "Dora Coach"}}
	first := Expect(t, tm.in.Do(t, register), 201)
	id := first.Map(t)["id"].(string)
	token := tm.in.Login(t, "dora@example.org", "dora's long password")
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", token, map[string]string{"email": "dora.new@example.org", "current_password": "dora's long password"}), 202)
	Expect(t, tm.in.Post(t, "/api/v1/auth/email-confirmations", "", map[string]string{"token": tokenOf(t, mb.Wait(t, to("dora.new@example.org")))}), 200)
	r := tm.in.Do(t, register)
	if r.Status != 201 || r.Map(t)["id"] != id || r.Header.Get("X-Accredit-Seq") != first.Header.Get("X-Accredit-Seq") {
		t.Fatalf("retried registration after the user's email moved: got %d %s (seq %s), want 201 naming %s as the first (seq %s)",
			r.Status, r.Body, r.Header.Get("X-Accredit-Seq"), id, first.Header.Get("X-Accredit-Seq"))
	}
	other := register
	other.Body = map[string]string{"email": "dora@example.org", "password": "dora's long password", "name": "Dora Other"}
	Expect(t, tm.in.Do(t, other), 422) // the key with another body
	tm.in.Login(t, "dora.new@example.org", "dora's long password")
}

// TestASessionAloneCannotMoveTheAddress: whoever holds the address can
// reset the password, so moving it asks for the password too; a session
// left open or stolen is not enough. None is a 400 naming it, a wrong one
// a 401, slowed down like a failed login (429 naming it, with Retry-After),
// and no link is mailed for any of them.
func TestASessionAloneCannotMoveTheAddress(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	move := func(password string) Response {
		body := map[string]string{"email": "mallory@example.net"}
		if password != "" {
			body["current_password"] = password
		}
		return tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, body)
	}
	wantField(t, move(""), "current_password", "required")
	var got []int
	var last Response
	for range 6 {
		last = move("a guess at carla's password")
		got = append(got, last.Status)
	}
	if !slices.Equal(got, []int{401, 401, 401, 401, 401, 429}) {
		t.Fatalf("wrong current passwords: got %v, want five 401s and a 429", got)
	}
	if last.Header.Get("Retry-After") == "" || !strings.Contains(string(last.Body), `"field":"current_password"`) {
		t.Fatalf("the 429 names neither its wait nor current_password: %v %s", last.Header, last.Body)
	}
	Expect(t, move(tm.applicant.Password), 429) // paused, even with the right one
	for _, m := range mb.Received() {
		if m.To == "mallory@example.net" {
			t.Fatalf("a link was mailed to the new address without the password:\n%s", m.Body)
		}
	}
	// Another user, with their password, moves theirs.
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.assessor.Token, map[string]string{"email": "anna.new@example.net", "current_password": tm.assessor.Password}), 202)
	mb.Wait(t, to("anna.new@example.net"))
}
