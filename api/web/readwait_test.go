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
