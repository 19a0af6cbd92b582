package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/eventstore"
)

// failsNext is the real event store whose next append of an event of the
// armed type fails before anything is written, as when JetStream does not
// answer.
type failsNext struct {
	eventstore.Store
	mu    sync.Mutex
	armed string
}

func (f *failsNext) arm(eventType string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = eventType
}

func (f *failsNext) Append(ctx context.Context, req eventstore.AppendRequest) (eventstore.Result, error) {
	f.mu.Lock()
	fail := f.armed != "" && len(req.Events) > 0 && req.Events[0].Type == f.armed
	if fail {
		f.armed = ""
	}
	f.mu.Unlock()
	if fail {
		return eventstore.Result{}, errors.New("nats: no responders available for request")
	}
	return f.Store.Append(ctx, req)
}

// TestALinkWorksAgainAfterASubmitTheStoreFailed: a reset or confirmation
// link whose form was sent while the event store failed (503, nothing
// recorded) is not used up: opened again from the mail it shows the form,
// and the form sent from there (a new idem) changes the account. Then the
// link's page says it does not work, and so does every form sent with it,
// the one that failed too.
func TestALinkWorksAgainAfterASubmitTheStoreFailed(t *testing.T) {
	const moved = "carla.moved@example.org"
	cases := []struct {
		name      string
		eventType string
		path      string // where the link leads, and its form is sent
		link      func(t *testing.T, w *world, mb *Mailbox, carla User) string
		form      url.Values // besides the token
		done      string     // where the form sent leads
		login     func(carla User) (email, password string)
	}{
		{
			name: "password reset", eventType: accounts.EventPasswordChanged, path: "/reset-password",
			link: func(t *testing.T, w *world, _ *Mailbox, carla User) string {
				return Expect(t, w.in.Post(t, "/api/v1/users/"+carla.ID+"/password-reset-links", w.admin, nil), 201).Map(t)["link"].(string)
			},
			form:  url.Values{"password": {"my new and long password"}, "repeat_password": {"my new and long password"}},
			done:  "/login?ok=password_reset",
			login: func(carla User) (string, string) { return carla.Email, "my new and long password" },
		},
		{
			name: "email confirmation", eventType: accounts.EventEmailChanged, path: "/confirm-email",
			link: func(t *testing.T, w *world, mb *Mailbox, carla User) string {
				Expect(t, w.in.Post(t, "/api/v1/me/email-changes", carla.Token, map[string]string{"email": moved, "current_password": carla.Password}), 202)
				return linkIn.FindString(mb.Wait(t, func(m Mail) bool { return m.To == moved }).Body)
			},
			done:  "/login?ok=email_changed",
			login: func(carla User) (string, string) { return moved, carla.Password },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mb := StartMailbox(t, "", "")
			store := &failsNext{}
			w := newWorldWith(t, app.Options{AccountsStore: func(s eventstore.Store) eventstore.Store {
				store.Store = s
				return store
			}}, func(c *app.Config) { c.SMTPURL = mb.URL() })
			carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
			link := tc.link(t, w, mb, carla)
			page, token, ok := strings.Cut(strings.TrimPrefix(link, w.in.URL), "?token=")
			if !ok || page != tc.path {
				t.Fatalf("the link %q, want one to %s", link, tc.path)
			}
			c := w.client(t)
			open := func(when string, works bool) {
				t.Helper()
				a := c.get(tc.path + "?token=" + token)
				form := strings.Contains(a.Body, `action="`+tc.path+`"`)
				invalid := strings.Contains(a.Body, "This link does not work")
				if a.Status != http.StatusOK || form != works || invalid == works {
					t.Fatalf("the link opened %s: %d, the form shown %t, want %t\n%s", when, a.Status, form, works, a.Body)
				}
			}
			send := func(idem string) answer {
				t.Helper()
				f := url.Values{"token": {token}, "idem": {idem}}
				for k, v := range tc.form {
					f[k] = v
				}
				return c.post(tc.path, f, true)
			}

			open("first", true)
			store.arm(tc.eventType)
			if a := send("first"); a.Status != http.StatusServiceUnavailable {
				t.Fatalf("the form sent while the store fails: %d, want 503\n%s", a.Status, a.Body)
			}
			open("again after the failure", true)
			if a := send("again"); a.Status != http.StatusSeeOther || a.Location != tc.done {
				t.Fatalf("the form sent from the link opened again: %d to %q, want 303 to %s\n%s", a.Status, a.Location, tc.done, a.Body)
			}
			email, password := tc.login(carla)
			w.in.Login(t, email, password)

			open("once it was used", false)
			for _, idem := range []string{"another", "first"} {
				if a := send(idem); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, "This link does not work") {
					t.Fatalf("the form sent (idem %s) once the link was used: %d, want 400 saying the link does not work\n%s", idem, a.Status, a.Body)
				}
			}
		})
	}
}
