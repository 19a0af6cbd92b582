package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/eventstore"
)

// newHeldWorld is newWorld with read-your-writes bounded by wait and the
// read models following the store through a gate the test can hold.
func newHeldWorld(t *testing.T, wait time.Duration) (*world, *Gate) {
	t.Helper()
	var gate *Gate
	w := newWorldWith(t, app.Options{ReadStore: func(s eventstore.Store) eventstore.Store {
		gate = NewGate(s)
		return gate
	}}, func(c *app.Config) { c.ReadWait = wait })
	t.Cleanup(gate.Release) // first: a held read side would keep the stop waiting
	return w, gate
}

// openForm is the form opening an EIA practitioner application.
func openForm(c *client) url.Values {
	return url.Values{"scheme": {"EIA"}, "level": {"practitioner"}, "language": {"en"}, "csrf": {c.csrf()}}
}

// A form waits for the page it redirects to as long as ACCREDIT_READ_WAIT
// says (it waited 3 s at most, 2 s for the read models, whatever the setting): on a busy machine
// the read side may be further behind than that.
func TestAFormWaitsForItsPageAsLongAsTheReadWaitSays(t *testing.T) {
	w, gate := newHeldWorld(t, app.MaxReadWait)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	form := openForm(c)
	gate.Hold()
	type result struct {
		status   int
		location string
		err      error
	}
	answered := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, c.base+"/applications", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		hc := *c.hc
		hc.Timeout = 2 * app.MaxReadWait
		resp, err := hc.Do(req)
		if err != nil {
			answered <- result{err: err}
			return
		}
		resp.Body.Close()
		answered <- result{status: resp.StatusCode, location: resp.Header.Get("Location")}
	}()
	select {
	case r := <-answered:
		t.Fatalf("the read side held, the form was answered within 5 s: %d to %s (err %v); want it still waiting (the bound is %s)", r.status, r.location, r.err, app.MaxReadWait)
	case <-time.After(5 * time.Second):
	}
	gate.Release()
	r := <-answered
	if r.err != nil || r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/applications/") || !strings.HasSuffix(r.location, "?ok=opened") {
		t.Fatalf("the read side released: got %d to %q (err %v), want 303 to the application, said opened", r.status, r.location, r.err)
	}
}

// The read side further behind than ACCREDIT_READ_WAIT, a form's page does
// not show the change unsaid: the page it redirects to says, in the
// reader's language, that the change is saved but may not show yet, and
// to refresh it. Once the read side has the change, the same page (the
// refresh) no longer says so.
func TestAPageTheReadSideHasNotCaughtUpWithSaysSo(t *testing.T) {
	w, gate := newHeldWorld(t, 100*time.Millisecond)
	for _, tc := range []struct{ lang, email, want string }{
		{"en", "carla@example.org", "Your change is saved, but this page may not show it yet: refresh it in a moment."},
		{"nl", "niels@example.org", "Uw wijziging is opgeslagen, maar deze pagina toont haar misschien nog niet: vernieuw de pagina zo meteen."},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			u := w.registerApplicant(t, tc.email, "Applicant "+tc.lang)
			c := w.client(t)
			c.login(u.Email, u.Password)
			c.setLang(tc.lang)
			form := openForm(c)
			gate.Hold()
			a := c.post("/applications", form, false)
			loc, err := url.Parse(a.Location)
			if a.Status != http.StatusSeeOther || err != nil || loc.Query().Get("ok") != "opened" || loc.Query().Get("pending") == "" {
				t.Fatalf("the form with the read side held: got %d to %q, want 303 to the application, said opened, with the change pending", a.Status, a.Location)
			}
			page := c.get(a.Location)
			if page.Status != http.StatusOK || !strings.Contains(page.Body, tc.want) {
				t.Fatalf("the page after the form, the read side held: got %d, want it to say %q:\n%.3000s", page.Status, tc.want, page.Body)
			}
			gate.Release()
			seq := loc.Query().Get("pending")
			Expect(t, Retry(t, func(map[string]string) Response { return w.in.Get(t, "/api/v1/stats?min_seq="+seq, w.admin) }), 200)
			if again := c.get(a.Location); again.Status != http.StatusOK || strings.Contains(again.Body, tc.want) {
				t.Fatalf("the page refreshed once the read side has the change: got %d, want it no longer to say %q", again.Status, tc.want)
			}
		})
	}
}
