package recovery_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/eventstore/eventstoretest"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/recovery"
)

// failingAppend is the real JetStream store whose next append of an event
// of type armed fails: before anything is written, as when JetStream does
// not answer, or once it is written, its answer lost (written), as when
// its acknowledgement times out. before, when set, runs before it writes.
type failingAppend struct {
	eventstore.Store
	mu      sync.Mutex
	armed   string
	written bool
	before  func()
}

func (f *failingAppend) failNext(eventType string, written bool, before func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.written, f.before = eventType, written, before
}

func (f *failingAppend) Append(ctx context.Context, req eventstore.AppendRequest) (eventstore.Result, error) {
	f.mu.Lock()
	fail := f.armed != "" && slices.ContainsFunc(req.Events, func(e eventstore.Event) bool { return e.Type == f.armed })
	written, before := f.written, f.before
	if fail {
		f.armed, f.before = "", nil
	}
	f.mu.Unlock()
	if !fail {
		return f.Store.Append(ctx, req)
	}
	if !written {
		return eventstore.Result{}, errors.New("nats: no responders available for request")
	}
	if before != nil {
		before()
	}
	if _, err := f.Store.Append(ctx, req); err != nil {
		return eventstore.Result{}, err
	}
	return eventstore.Result{}, errors.New("nats: timeout") // written, the answer lost
}

// process is one process of a cluster: its recovery and accounts services
// on its own connection, its appends through appends, its feed (running)
// through feed.
type process struct {
	rec     *recovery.Service
	accts   *accounts.Service
	links   recovery.Store
	vault   *pii.Vault
	events  eventstore.Store
	appends *failingAppend
	feed    *eventstoretest.Gate
}

// processes starts n processes on one JetStream.
func processes(t *testing.T, n int) []*process {
	t.Helper()
	ctx := context.Background()
	srv := natstest.Start(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out []*process
	for range n {
		st := openStores(t, srv)
		links, err := natsstore.OpenMailStore(ctx, st.events.JetStream(), natsstore.Config{})
		if err != nil {
			t.Fatal(err)
		}
		es, vault := st.events, st.vault
		p := &process{links: links, vault: vault, events: es, appends: &failingAppend{Store: es}, feed: eventstoretest.NewGate(es)}
		feed := aggregate.NewFeed(p.feed, log)
		p.accts = accounts.NewService(p.appends, feed, vault, st.sessions, time.Now, log)
		p.accts.UseKDF(accounts.TestingKDF)
		p.rec = recovery.New(recovery.Options{Store: links, Accounts: p.accts, Vault: vault, Log: log})
		go func() { _ = feed.Run(t.Context()) }()
		out = append(out, p)
	}
	return out
}

// count is how many events of type the user's stream holds.
func (p *process) count(t *testing.T, userID, eventType string) int {
	t.Helper()
	events, err := p.events.Load(context.Background(), accounts.UserPrefix+"."+userID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Type == eventType {
			n++
		}
	}
	return n
}

const (
	oldPassword = "the first long password"
	newPassword = "a brand new long password"
	oldEmail    = "dora@example.org"
	newEmail    = "dora.new@example.org"
)

// purpose is what a link is for, as the tests use it.
type purpose struct {
	name      string
	purpose   recovery.Purpose
	eventType string
	link      func(t *testing.T, p *process, u accounts.UserView) string
	use       func(p *process, meta aggregate.Meta, token string) error
	done      func(t *testing.T, p *process, u accounts.UserView) // the change is made
}

// issuing is the office issuing a reset link by hand.
var issuing = aggregate.Meta{Command: "issue_reset_link", Actor: domain.Actor{ID: "office", Role: domain.RoleOffice}}

// purposes are a password reset and an email confirmation.
var purposes = []purpose{
	{
		name: "password reset", purpose: recovery.PurposePassword, eventType: accounts.EventPasswordChanged,
		link: func(t *testing.T, p *process, u accounts.UserView) string {
			in, err := p.rec.IssueReset(context.Background(), issuing, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, token, _ := strings.Cut(in.Link, "token=")
			return token
		},
		use: func(p *process, meta aggregate.Meta, token string) error {
			meta.Command = "reset_password"
			_, err := p.rec.Reset(context.Background(), meta, token, newPassword)
			return err
		},
		done: func(t *testing.T, p *process, u accounts.UserView) {
			t.Helper()
			if _, err := p.accts.Login(context.Background(), oldEmail, newPassword, "192.0.2.1"); err != nil {
				t.Fatalf("login with the new password: %v", err)
			}
		},
	},
	{
		name: "email confirmation", purpose: recovery.PurposeEmail, eventType: accounts.EventEmailChanged,
		link: func(t *testing.T, p *process, u accounts.UserView) string {
			ctx := context.Background()
			sealed, err := p.vault.Seal(ctx, u.ID, newEmail)
			if err != nil {
				t.Fatal(err)
			}
			token := "confirm-" + u.ID
			if err := p.links.CreateToken(ctx, recovery.Hash(token), recovery.Token{UserID: u.ID, Purpose: recovery.PurposeEmail,
				NewEmail: sealed, ExpiresAt: time.Now().Add(recovery.TTL), CredentialChanges: u.CredentialChanges}); err != nil {
				t.Fatal(err)
			}
			return token
		},
		use: func(p *process, meta aggregate.Meta, token string) error {
			meta.Command = "confirm_email"
			_, err := p.rec.ConfirmEmail(context.Background(), meta, token)
			return err
		},
		done: func(t *testing.T, p *process, u accounts.UserView) {
			t.Helper()
			if _, err := p.accts.Login(context.Background(), newEmail, oldPassword, "192.0.2.1"); err != nil {
				t.Fatalf("login with the new address: %v", err)
			}
		},
	},
}

// isBadLink reports whether err is the answer for a link that is not valid.
func isBadLink(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.Invalid && len(de.Fields) == 1 && de.Fields[0].Field == "token"
}

// A link whose command failed in the event store is not used up: the
// command's retry (the same command id) uses it again and applies once,
// whether the store wrote nothing or wrote and lost the answer, also
// before the process has applied the first attempt (it holds the user as
// they were) and on another process that has not (it reads the user's
// stream ahead of its feed, with the change the attempt made). Once the
// attempt was written, another command id, or none, is refused the link,
// and the retry still has it after they tried (a link that nothing was
// written for works for them too: TestALinkWhoseUseWasNotRecordedWorksAgain).
func TestARetryOfACommandThatFailedMayUseItsLinkAgain(t *testing.T) {
	failures := []struct {
		name    string
		written bool // the first attempt was written, its answer lost
		held    bool // the process has not applied it when the retry comes
		other   bool // the retry goes to another process, that has not either
	}{
		{"nothing written", false, false, false},
		{"written, the answer lost", true, false, false},
		{"written, the answer lost, retried before it was applied", true, true, false},
		{"written, the answer lost, retried on another process", true, false, true},
	}
	for _, pu := range purposes {
		for _, f := range failures {
			t.Run(pu.name+"/"+f.name, func(t *testing.T) {
				ctx := context.Background()
				in := processes(t, 2)
				first, retrier := in[0], in[0]
				if f.other {
					retrier = in[1]
					retrier.feed.Hold()
				}
				u, _, err := first.accts.Create(ctx, aggregate.Meta{Command: "register"},
					accounts.NewUser{Email: oldEmail, Password: oldPassword, Name: "Dora", Role: domain.RoleApplicant})
				if err != nil {
					t.Fatal(err)
				}
				token := pu.link(t, first, u)
				meta := aggregate.Meta{CommandID: "idem-first", RequestHash: "request-1"}

				var before func()
				if f.held {
					before = first.feed.Hold
				}
				first.appends.failNext(pu.eventType, f.written, before)
				if err := pu.use(first, meta, token); !domain.Is(err, domain.Unavailable) {
					t.Fatalf("the store failing: %v, want Unavailable", err)
				}
				if n, want := first.count(t, u.ID, pu.eventType), map[bool]int{false: 0, true: 1}[f.written]; n != want {
					t.Fatalf("after the failure: %d %s events, want %d", n, pu.eventType, want)
				}
				others := func(when string) {
					t.Helper()
					if err := pu.use(first, aggregate.Meta{CommandID: "idem-other", RequestHash: "request-2"}, token); !isBadLink(err) {
						t.Fatalf("%s, another command id: %v, want the invalid link", when, err)
					}
					if err := pu.use(first, aggregate.Meta{}, token); !isBadLink(err) {
						t.Fatalf("%s, no command id: %v, want the invalid link", when, err)
					}
				}
				if f.written && !f.held {
					// Held, the process that has not applied the attempt
					// cannot tell it from a failure: another command is
					// answered 503 until it has, then refused.
					others("before the retry")
				}

				if f.held || f.other {
					// It catches up a moment after the retry came: the
					// retry waits for it, rather than refuse the link.
					time.AfterFunc(300*time.Millisecond, retrier.feed.Release)
				}
				if err := pu.use(retrier, meta, token); err != nil {
					t.Fatalf("the retry with the same command id: %v, want success", err)
				}
				if n := first.count(t, u.ID, pu.eventType); n != 1 {
					t.Fatalf("after the retry: %d %s events, want 1", n, pu.eventType)
				}
				pu.done(t, retrier, u) // it has applied the change: its answer waited for it
				others("after the retry")
				if err := pu.use(retrier, meta, token); err != nil { // once more: answered as recorded
					t.Fatalf("the retry again: %v", err)
				}
				if n := first.count(t, u.ID, pu.eventType); n != 1 {
					t.Fatalf("after the second retry: %d %s events, want 1", n, pu.eventType)
				}

				v, err := first.accts.User(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				links, err := first.rec.Links(ctx, v)
				if err != nil {
					t.Fatal(err)
				}
				if len(links) != 1 || links[0].Status != recovery.LinkUsed {
					t.Fatalf("the user's links: %+v, want the one used", links)
				}
			})
		}
	}
}

// The retry of a command that failed before it was written is refused its
// link when the user was shut off since (here: the office ended their
// sessions, as for a user who fears someone else asked for the link): it
// is not asked stillTheirs before it runs, but the command checks it as it
// decides.
func TestARetryIsRefusedItsLinkOnceTheUserShutOthersOut(t *testing.T) {
	ctx := context.Background()
	in := processes(t, 1)[0]
	u, _, err := in.accts.Create(ctx, aggregate.Meta{Command: "register"},
		accounts.NewUser{Email: oldEmail, Password: oldPassword, Name: "Dora", Role: domain.RoleApplicant})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := in.rec.IssueReset(ctx, issuing, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, token, _ := strings.Cut(issued.Link, "token=")
	meta := aggregate.Meta{Command: "reset_password", CommandID: "idem-first", RequestHash: "request-1"}
	in.appends.failNext(accounts.EventPasswordChanged, false, nil)
	if _, err := in.rec.Reset(ctx, meta, token, newPassword); !domain.Is(err, domain.Unavailable) {
		t.Fatalf("the store failing: %v, want Unavailable", err)
	}
	if _, _, err := in.accts.EndSessions(ctx, aggregate.Meta{Command: "end_sessions", Actor: domain.Actor{ID: "office", Role: domain.RoleOffice}}, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := in.rec.Reset(ctx, meta, token, newPassword); !isBadLink(err) {
		t.Fatalf("the retry after the office ended the user's sessions: %v, want the invalid link", err)
	}
	if n := in.count(t, u.ID, accounts.EventPasswordChanged); n != 0 {
		t.Fatalf("%d password changes, want none", n)
	}
	if _, err := in.accts.Login(ctx, oldEmail, oldPassword, "192.0.2.1"); err != nil {
		t.Fatalf("login with the password the user kept: %v", err)
	}
}
