package apptest

import (
	"errors"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mailbox is a real SMTP server (go-smtp) in the test process: it keeps
// every message it is given. With User set it requires PLAIN
// authentication with User and Password.
type Mailbox struct {
	Addr           string
	User, Password string

	mu   sync.Mutex
	got  []Mail
	more chan struct{}
}

// Mail is one message a Mailbox received.
type Mail struct {
	From, To string
	Header   mail.Header
	Body     string
	Raw      string
}

// StartMailbox starts an SMTP server on a free port until the test ends.
func StartMailbox(tb testing.TB, user, password string) *Mailbox {
	tb.Helper()
	m := &Mailbox{User: user, Password: password, more: make(chan struct{})}
	s := smtp.NewServer(m)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true // on the loopback only
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	m.Addr = l.Addr().String()
	go func() { _ = s.Serve(l) }()
	tb.Cleanup(func() { _ = s.Close() })
	return m
}

// URL is the ACCREDIT_SMTP_URL of the mailbox.
func (m *Mailbox) URL() string {
	if m.User != "" {
		return "smtp://" + m.User + ":" + m.Password + "@" + m.Addr
	}
	return "smtp://" + m.Addr
}

// Received returns the messages so far.
func (m *Mailbox) Received() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.got...)
}

// Wait waits until a message matching match has arrived and returns it;
// it fails the test after a minute (a bound for a stuck sender, not a
// measure of speed).
func (m *Mailbox) Wait(tb testing.TB, match func(Mail) bool) Mail {
	tb.Helper()
	deadline := time.After(time.Minute)
	for {
		m.mu.Lock()
		for _, g := range m.got {
			if match(g) {
				m.mu.Unlock()
				return g
			}
		}
		more := m.more
		m.mu.Unlock()
		select {
		case <-more:
		case <-deadline:
			tb.Fatalf("no matching email arrived; got %d others", len(m.Received()))
		}
	}
}

// NewSession implements smtp.Backend.
func (m *Mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{m: m}, nil }

type session struct {
	m        *Mailbox
	from, to string
	authed   bool
}

func (s *session) AuthMechanisms() []string {
	if s.m.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.m.User || pass != s.m.Password {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.m.User != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(msg.Body)
	s.m.mu.Lock()
	s.m.got = append(s.m.got, Mail{From: s.from, To: s.to, Header: msg.Header, Body: strings.ReplaceAll(string(body), "\r\n", "\n"), Raw: string(raw)})
	close(s.m.more)
	s.m.more = make(chan struct{})
	s.m.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", "" }
func (s *session) Logout() error { return nil }
