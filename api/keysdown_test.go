package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/pii"
)

// TestAnEmailConfirmationWhileTheKeyStoreIsDownKeepsItsLink: the new
// address is sealed in the link's record; a process that cannot read the
// key store for a moment must answer 503, and leave the link unused, not
// call it bad and use it up (the user would have to ask for another).
// The confirmation goes to a second process, which has never read the
// applicant's key (a process keeps the keys it read).
func TestAnEmailConfirmationWhileTheKeyStoreIsDownKeepsItsLink(t *testing.T) {
	mb := StartMailbox(t, "", "")
	natsAddr := freeAddr(t)
	tm := newTeam(t, func(c *app.Config) { c.NATSListen, c.SMTPURL = natsAddr, mb.URL() })
	Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token, map[string]string{"email": "carla.new@example.org", "current_password": tm.applicant.Password}), 202)
	token := tokenOf(t, mb.Wait(t, to("carla.new@example.org")))

	second, keys := keysDownProcess(t, tm, natsAddr, mb.URL())
	confirm := func() Response {
		return second.Post(t, "/api/v1/auth/email-confirmations", "", map[string]string{"token": token})
	}
	r := Expect(t, confirm(), 503)
	if r.Header.Get("Retry-After") == "" {
		t.Fatalf("the 503 carries no Retry-After: %v", r.Header)
	}
	keys.SetDown(false)
	Expect(t, confirm(), 200)
	tm.in.Login(t, "carla.new@example.org", tm.applicant.Password)
}

// keysDownProcess starts a second process on tm's NATS (listening on
// natsAddr) whose key store fails until its down flag is cleared: it never
// read a key before, so every personal value it opens meets the failure.
func keysDownProcess(t *testing.T, tm *team, natsAddr, smtpURL string) (*Instance, *KeysDown) {
	t.Helper()
	keys := &KeysDown{}
	keys.SetDown(true)
	cfg := Config(t.TempDir())
	cfg.NATSURL, cfg.SMTPURL = "nats://"+natsAddr, smtpURL
	cfg.MasterKeyFile, cfg.SigningKeyFile = tm.in.Cfg.MasterKeyFile, tm.in.Cfg.SigningKeyFile
	second := StartWith(t, cfg, app.Options{Now: tm.clock.Now, Keys: keys.Wrap})
	return second, keys
}

// TestExportsWhileTheKeyStoreIsDownHoldNoPlaceholder: what is handed over
// for good is never made with [unavailable] (or [erased]) standing for a
// person's data the key store could not give for a moment: the
// right-of-access export is a 503 with Retry-After, the office's audit
// export ends early and says it is not complete; both are whole once the
// key store answers again.
func TestExportsWhileTheKeyStoreIsDownHoldNoPlaceholder(t *testing.T) {
	natsAddr := freeAddr(t)
	tm := newTeam(t, func(c *app.Config) { c.NATSListen = natsAddr })
	tm.openEIA(t)
	second, keys := keysDownProcess(t, tm, natsAddr, "")
	waitNotified(t, second, lastSeq(t, tm.in))
	admin := tm.admin // a login needs the password's hash, sealed: the second process cannot check one now

	r := Expect(t, second.Get(t, "/api/v1/me/export", tm.applicant.Token), 503)
	if r.Header.Get("Retry-After") == "" {
		t.Fatalf("the export's 503 carries no Retry-After: %v", r.Header)
	}
	audit := func() Response {
		return second.Do(t, Request{Method: "GET", Path: "/api/v1/audit", Token: admin, Header: map[string]string{"Accept": "application/x-ndjson"}})
	}
	a := audit()
	if a.Trailer.Get("X-Accredit-Export-Complete") == "true" || strings.Contains(string(a.Body), pii.Unavailable) || strings.Contains(string(a.Body), pii.Erased) {
		t.Fatalf("the audit export with the key store down: status %d, trailers %v, a placeholder in it: %v", a.Status, a.Trailer,
			strings.Contains(string(a.Body), pii.Unavailable) || strings.Contains(string(a.Body), pii.Erased))
	}

	keys.SetDown(false)
	if body := string(Expect(t, second.Get(t, "/api/v1/me/export", tm.applicant.Token), 200).Body); !strings.Contains(body, tm.applicant.Email) {
		t.Fatalf("the export once the key store answers does not hold the applicant's address:\n%s", body)
	}
	if a := audit(); a.Status != 200 || a.Trailer.Get("X-Accredit-Export-Complete") != "true" || strings.Contains(string(a.Body), pii.Unavailable) {
		t.Fatalf("the audit export once the key store answers: status %d, trailers %v", a.Status, a.Trailer)
	}
}

// TestAViewsPlaceholderIsNotSavedAsAText: a client that read a case while
// the key store did not answer got [unavailable] for each statement; sent
// back once the key store answers (an editor saving what it showed), the
// placeholder must be refused, naming each field, and the statements kept,
// not replaced for good by the placeholder.
func TestAViewsPlaceholderIsNotSavedAsAText(t *testing.T) {
	natsAddr := freeAddr(t)
	tm := newTeam(t, func(c *app.Config) { c.NATSListen = natsAddr })
	id := tm.openEIA(t)
	second, keys := keysDownProcess(t, tm, natsAddr, "")
	waitNotified(t, second, lastSeq(t, tm.in))

	view := Expect(t, second.Get(t, "/api/v1/cases/"+id, tm.applicant.Token), 200).Map(t)
	cats, _ := view["self_assessment"].([]any)
	if len(cats) == 0 || cats[0].(map[string]any)["statement"] != pii.Unavailable {
		t.Fatalf("the view with the key store down: self_assessment %v", view["self_assessment"])
	}
	keys.SetDown(false)
	r := Expect(t, second.Put(t, "/api/v1/cases/"+id+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 400)
	for i := range cats {
		if field := fmt.Sprintf("categories[%d].statement", i); !strings.Contains(string(r.Body), field) {
			t.Errorf("the refusal does not name %s: %s", field, r.Body)
		}
	}
	after := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, tm.applicant.Token), 200).Map(t)
	if got := after["self_assessment"].([]any)[0].(map[string]any)["statement"]; got != "How I work on category 3" || after["version"] != view["version"] {
		t.Fatalf("after the refusal: the first statement %q, version %v (was %v)", got, after["version"], view["version"])
	}

	// [erased] is refused as well, wherever it stands.
	cats[0].(map[string]any)["statement"] = "How I work on category 3"
	cats[2].(map[string]any)["statement"] = pii.Erased
	r = Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 400)
	if !strings.Contains(string(r.Body), "categories[2].statement") || strings.Contains(string(r.Body), "categories[0].statement") {
		t.Fatalf("the refusal of %s names another field than categories[2].statement: %s", pii.Erased, r.Body)
	}
}
