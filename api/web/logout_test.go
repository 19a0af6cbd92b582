package web_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
)

// deletesFailing is the session store with its deletes failing while fail
// is set, as when NATS is away for a moment.
type deletesFailing struct {
	accounts.SessionStore
	fail atomic.Bool
}

func (s *deletesFailing) Delete(ctx context.Context, userID, tokenHash string) error {
	if s.fail.Load() {
		return errors.New("session store unavailable (test)")
	}
	return s.SessionStore.Delete(ctx, userID, tokenHash)
}

// TestLoggingOutWhileTheSessionStoreIsAwayStillLogsTheBrowserOut: the
// person leaving a shared computer is logged out of it whatever the
// server's state; the page says the session ends by itself later.
func TestLoggingOutWhileTheSessionStoreIsAwayStillLogsTheBrowserOut(t *testing.T) {
	cfg := Config(t.TempDir())
	cfg.SecureCookies = true
	var store *deletesFailing
	in := StartWith(t, cfg, app.Options{Sessions: func(s accounts.SessionStore) accounts.SessionStore {
		store = &deletesFailing{SessionStore: s}
		return store
	}})
	w := &world{in: in, admin: in.AdminToken(t)}
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	c.login(carla.Email, carla.Password)

	store.fail.Store(true)
	a := c.post("/logout", nil, true)
	if a.Status != http.StatusSeeOther || a.Location != "/login?ok=logged_out_here" {
		t.Fatalf("logout with the session store away: got %d to %q; %.300s", a.Status, a.Location, a.Body)
	}
	cleared := false
	for _, ck := range (&http.Response{Header: a.Header}).Cookies() {
		cleared = cleared || ck.Name == "__Host-accredit_session" && ck.MaxAge < 0
	}
	if !cleared || a.Header.Get("Clear-Site-Data") == "" {
		t.Fatalf("the browser keeps the session: cookie cleared %v, Clear-Site-Data %q", cleared, a.Header.Get("Clear-Site-Data"))
	}
	if a := c.get("/applications"); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/login") {
		t.Fatalf("after the logout the browser still gets in: %d to %q", a.Status, a.Location)
	}
	if a := c.get("/login?ok=logged_out_here"); !strings.Contains(a.Body, "You are logged out in this browser") {
		t.Fatal("the login page does not say the browser is logged out")
	}
}

// TestLoggingOutOfAnEndedSessionIsALogout: the logout of a session that
// had ended meanwhile (expired, or ended by the office) is answered as a
// logout, not as a form that was not sent.
func TestLoggingOutOfAnEndedSessionIsALogout(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	Expect(t, w.in.Post(t, "/api/v1/users/"+carla.ID+"/sessions/revocation", w.admin, nil), 200)
	a := c.post("/logout", nil, true)
	if a.Status != http.StatusSeeOther || a.Location != "/login?ok=logged_out" || a.Header.Get("Clear-Site-Data") == "" {
		t.Fatalf("logout of an ended session: got %d to %q (Clear-Site-Data %q), want 303 to /login?ok=logged_out clearing the storage",
			a.Status, a.Location, a.Header.Get("Clear-Site-Data"))
	}
}
