package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// anyMail waits until the outbox holds a message and returns its id.
func (w *world) anyMail(t testing.TB) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		list := Expect(t, w.in.Get(t, "/api/v1/outbox", w.admin), 200).Map(t)["messages"].([]any)
		if len(list) > 0 {
			return list[0].(map[string]any)["id"].(string)
		}
		if time.Now().After(deadline) {
			t.Fatal("the outbox is still empty after a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var linkIn = regexp.MustCompile(`https?://\S+`)

// TestEmailLinkOpensTheCaseInTheBrowser is the email flow end to end: a
// coach chooses Dutch email on her account page; the office returns her
// application (the event); the notifier writes it to the outbox and it is
// delivered to a real SMTP server; the link in the email, followed in a
// browser that is not logged in, leads through the login to the returned
// application. The office reads the same email in its outbox.
func TestEmailLinkOpensTheCaseInTheBrowser(t *testing.T) {
	mb := StartMailbox(t, "", "")
	w := newWorld(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")

	settings := browser(t)
	settings.base = w.in.URL
	settings.login(carla.Email, carla.Password)
	settings.open("/account")
	settings.see("Email notifications", "Application returned", "Decision")
	settings.click("#f-language-nl")
	settings.click("#f-receive-decision") // off
	settings.submit(`form[action="/account/notifications"] button[type=submit]`)
	settings.see("Your email choices are saved.")
	if js[bool](settings, `document.querySelector("#f-receive-decision").checked`) || !js[bool](settings, `document.querySelector("#f-language-nl").checked`) {
		t.Fatal("the account page does not show the choices saved")
	}

	caseID := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "returned", "reason": "The supervision log is missing."}), 200)

	got := mb.Wait(t, func(m Mail) bool { return m.To == carla.Email })
	if !strings.Contains(got.Body, "Beste Carla Coach") {
		t.Fatalf("the email is not in Dutch:\n%s", got.Body)
	}
	link := linkIn.FindString(got.Body)
	if link != w.in.URL+"/applications/"+caseID {
		t.Fatalf("the email links to %q, want the application", link)
	}

	b := browser(t)
	b.base = w.in.URL
	b.do("follow the link in the email", chromedp.Navigate(link), chromedp.WaitReady(chromedp.CSS("footer")))
	if !strings.HasPrefix(b.path(), "/login") {
		t.Fatalf("the link, not logged in, led to %s, want the login", b.path())
	}
	b.fill("#f-email", carla.Email)
	b.fill("#f-password", carla.Password)
	b.submit("main form button[type=submit]")
	if b.path() != "/applications/"+caseID {
		t.Fatalf("after the login the link led to %s, want /applications/%s", b.path(), caseID)
	}
	b.see("The supervision log is missing.")

	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.open("/office/outbox")
	office.see("Uw aanvraag "+caseID+" is teruggestuurd", "Application returned")
	office.submit(`main a[href^="/office/outbox/"]`)
	office.see("carla@example.org", "Beste Carla Coach", link)
}

// TestForgottenPasswordInTheBrowser: from the login page to "forgot your
// password", the emailed link followed in the browser, a new password set
// (the repeat checked), the login with it; the link then no longer works.
// The office makes a reset link on a user's page.
func TestForgottenPasswordInTheBrowser(t *testing.T) {
	mb := StartMailbox(t, "", "")
	w := newWorld(t, func(c *app.Config) { c.SMTPURL = mb.URL() })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")

	b := browser(t)
	b.base = w.in.URL
	b.open("/login")
	b.submit(`main a[href="/forgot-password"]`)
	b.fill("#f-email", carla.Email)
	b.submit(`form[action="/forgot-password"] button[type=submit]`)
	b.see("If an account has this address, a link to set a new password is on its way to it.")

	link := linkIn.FindString(mb.Wait(t, func(m Mail) bool { return m.To == carla.Email }).Body)
	if !strings.HasPrefix(link, w.in.URL+"/reset-password?token=") {
		t.Fatalf("the email links to %q", link)
	}
	b.do("follow the reset link", chromedp.Navigate(link), chromedp.WaitReady(chromedp.CSS("footer")))
	b.fill("#f-password", "my new and long password")
	b.fill("#f-repeat_password", "my new and long passwrod")
	b.submit(`form[action="/reset-password"] button[type=submit]`)
	b.see("Set a new password") // the repeat did not match: the form again
	b.fill("#f-password", "my new and long password")
	b.fill("#f-repeat_password", "my new and long password")
	b.submit(`form[action="/reset-password"] button[type=submit]`)
	b.see("Your new password is set. Log in with it.")
	b.login(carla.Email, "my new and long password")
	if b.path() != "/applications" {
		t.Fatalf("after logging in with the new password: %s", b.path())
	}
	b.do("follow the reset link again", chromedp.Navigate(link), chromedp.WaitReady(chromedp.CSS("footer")))
	b.see("This link does not work")

	office := browser(t)
	office.base = w.in.URL
	office.login(AdminEmail, AdminPassword)
	office.open("/office/users/" + carla.ID)
	office.click(`details:has(form[action$="/reset-link"]) summary`)
	office.submit(`form[action$="/reset-link"] button[type=submit]`)
	office.see("Reset link (works once, within 30 minutes): " + w.in.URL + "/reset-password?token=")
}
