package accounts_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// gatedSessions holds the next session put, once armed, until it is let
// go: a login whose password was checked before a change of the
// credentials and whose session is stored after the change ended the
// sessions it found.
type gatedSessions struct {
	accounts.SessionStore
	mu      sync.Mutex
	armed   bool
	reached chan struct{}
	release chan struct{}
}

func (s *gatedSessions) arm() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed, s.reached, s.release = true, make(chan struct{}), make(chan struct{})
}

func (s *gatedSessions) Put(ctx context.Context, userID, tokenHash string, sess accounts.Session) error {
	s.mu.Lock()
	armed, reached, release := s.armed, s.reached, s.release
	s.armed = false
	s.mu.Unlock()
	if armed {
		close(reached)
		<-release
	}
	return s.SessionStore.Put(ctx, userID, tokenHash, sess)
}

// TestALoginCheckedBeforeTheSessionsEndedDoesNotOutliveThem: a login
// whose password was checked before the user's sessions were ended, or
// their password changed, and whose session is stored just after, is
// ended too, as the sessions found were: else whoever knew the old
// password, logging in again and again, keeps a session through the
// change, and a place logging in as the user logs out everywhere else
// stays logged in.
func TestALoginCheckedBeforeTheSessionsEndedDoesNotOutliveThem(t *testing.T) {
	ctx := context.Background()
	for name, change := range map[string]func(t *testing.T, in *instance, laptop accounts.Login){
		"the password changed": func(t *testing.T, in *instance, laptop accounts.Login) {
			if _, err := in.ChangePassword(ctx, aggregate.Meta{Command: "change_password", Actor: domain.Actor{ID: laptop.User.ID, Role: laptop.User.Role}},
				laptop.User.ID, password, "another long password", laptop.Token); err != nil {
				t.Fatal(err)
			}
		},
		"the user logged out everywhere else": func(t *testing.T, in *instance, laptop accounts.Login) {
			if _, _, err := in.EndOtherSessions(ctx, aggregate.Meta{Command: "end_other_sessions", Actor: domain.Actor{ID: laptop.User.ID, Role: laptop.User.Role}},
				laptop.User.ID, laptop.Token); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := natstest.Start(t)
			st := connect(t, srv)
			gate := &gatedSessions{SessionStore: st.sessions}
			st.sessions = gate
			in := start(t, st, time.Now)
			mustCreate(t, in, "ada@example.org", domain.RoleApplicant)
			laptop := mustLogin(t, in, "ada@example.org", password)

			gate.arm()
			type answer struct {
				l   accounts.Login
				err error
			}
			other := make(chan answer, 1)
			go func() {
				l, err := in.Login(ctx, "ada@example.org", password, "192.0.2.20")
				other <- answer{l, err}
			}()
			<-gate.reached // its password is checked; its session not yet stored
			change(t, in, laptop)
			close(gate.release)
			a := <-other
			if a.err == nil {
				if _, err := in.Authenticate(ctx, a.l.Token); !domain.Is(err, domain.Unauthorized) {
					t.Fatalf("the session of the login checked before: got %v, want %s", err, domain.Unauthorized)
				}
			}
			if _, err := in.Authenticate(ctx, laptop.Token); err != nil {
				t.Fatalf("the session kept: %v", err)
			}
		})
	}
}
