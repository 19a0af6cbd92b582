// Package smtpmail is the SMTP Transport of domain/mail: net/smtp with
// STARTTLS when the server offers it (smtp://) or implicit TLS (smtps://),
// and PLAIN authentication when the URL carries credentials.
package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/mail"
)

// Transport sends over SMTP. Its errors never hold the password.
type Transport struct {
	addr     string // host:port
	host     string
	implicit bool // smtps://
	user     string
	pass     string
	// TLS, when set, is used for STARTTLS and smtps (tests trust their own
	// server's certificate with it).
	TLS *tls.Config
}

// Parse reads an ACCREDIT_SMTP_URL: smtp://[user:pass@]host[:port] (port
// 587 by default; STARTTLS when offered) or smtps://... (port 465).
func Parse(raw string) (*Transport, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("ACCREDIT_SMTP_URL is not a URL") // err would repeat the password
	}
	t := &Transport{host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		t.implicit = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("ACCREDIT_SMTP_URL: scheme %q, want smtp or smtps", u.Scheme)
	}
	if t.host == "" {
		return nil, errors.New("ACCREDIT_SMTP_URL: no host")
	}
	t.addr = net.JoinHostPort(t.host, port)
	if u.User != nil {
		t.user = u.User.Username()
		t.pass, _ = u.User.Password()
	}
	return t, nil
}

// Redacted is the URL with the password hidden, for the log.
func (t *Transport) Redacted() string {
	scheme := "smtp"
	if t.implicit {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: t.addr}
	if t.user != "" {
		u.User = url.UserPassword(t.user, "xxxxx")
	}
	return u.String()
}

func (t *Transport) tlsConfig() *tls.Config {
	if t.TLS != nil {
		c := t.TLS.Clone()
		if c.ServerName == "" {
			c.ServerName = t.host
		}
		return c
	}
	return &tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12}
}

// Send implements mail.Transport.
func (t *Transport) Send(ctx context.Context, e mail.Envelope) error {
	d := net.Dialer{Timeout: 30 * time.Second}
	var conn net.Conn
	var err error
	if t.implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: t.tlsConfig()}).DialContext(ctx, "tcp", t.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", t.addr)
	}
	if err != nil {
		return fmt.Errorf("smtp: connect to %s: %w", t.addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, t.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if !t.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(t.tlsConfig()); err != nil {
				return fmt.Errorf("smtp: starttls: %w", err)
			}
		}
	}
	if t.user != "" {
		if err := c.Auth(smtp.PlainAuth("", t.user, t.pass, t.host)); err != nil {
			return fmt.Errorf("smtp: authenticate as %s: %w", t.user, err)
		}
	}
	if err := c.Mail(address(e.From)); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(e.To); err != nil {
		return fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(Compose(e)); err != nil {
		return fmt.Errorf("smtp: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: end of data: %w", err)
	}
	return c.Quit()
}

// address is the bare address of a From such as "EMCC <office@x.org>".
func address(from string) string {
	if i, j := strings.LastIndex(from, "<"), strings.LastIndex(from, ">"); i >= 0 && j > i {
		return from[i+1 : j]
	}
	return from
}

// Compose writes the message: headers, then the body as UTF-8 text in
// quoted-printable-free 8bit (the server announced 8BITMIME or not, every
// current one accepts it for text).
func Compose(e mail.Envelope) []byte {
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", e.From)
	h("To", e.To)
	h("Subject", mime.QEncoding.Encode("utf-8", e.Subject))
	h("Date", e.Date.UTC().Format(time.RFC1123Z))
	h("Message-ID", e.MessageID)
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "8bit")
	if e.Language != "" {
		h("Content-Language", e.Language)
	}
	b.WriteString("\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(e.Body, "\r\n", "\n"), "\n", "\r\n")
	b.WriteString(body)
	return []byte(b.String())
}
