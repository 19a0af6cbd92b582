package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/domain/mail/smtpmail"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/recovery"
	"github.com/emcc/accredit/projections"
)

// checkMail checks the mail settings; the SMTP URL's errors never repeat it
// (it holds a password).
func (c Config) checkMail() []error {
	var errs []error // ACCREDIT_PUBLIC_URL is checked with the other settings
	if c.SMTPURL != "" {
		if _, err := smtpmail.Parse(c.SMTPURL); err != nil {
			errs = append(errs, err)
		}
	}
	if c.MailFrom != "" && !strings.Contains(c.MailFrom, "@") {
		errs = append(errs, fmt.Errorf("ACCREDIT_MAIL_FROM: %q is not an email address", c.MailFrom))
	}
	return errs
}

// openMail opens the outbox; the notifier starts once the address is known
// (startMail).
func (a *App) openMail(ctx context.Context) error {
	st, err := natsstore.OpenMailStore(ctx, a.Events.JetStream(), a.storeConfig())
	if err != nil {
		return err
	}
	opt := mail.Options{Store: st, Vault: a.Vault, Owner: a.id, Now: a.now, Log: a.log, People: people{a}, CatchUp: a.feedCaughtUp}
	if a.cfg.SMTPURL != "" {
		t, err := smtpmail.Parse(a.cfg.SMTPURL)
		if err != nil {
			return err
		}
		opt.Transport = t
		a.log.Info("email is sent through SMTP", "smtp", t.Redacted())
	} else {
		a.log.Info("no ACCREDIT_SMTP_URL: email is kept in the outbox for the office to read")
	}
	a.Outbox = mail.NewOutbox(opt)
	// The clients' reset requests are counted beside the failed logins,
	// shared by every process (recovery.ClientWindow).
	a.Recovery = recovery.New(recovery.Options{Store: st, Accounts: a.Accounts, Outbox: a.Outbox, Vault: a.Vault,
		Throttle: a.failures, CaseLanguage: a.Cases.LanguageOf, Now: a.now, Log: a.log})
	return nil
}

// startMail starts the notifier and the outbox's sender. The notifier's
// cursor is read (or set to the store's end) before it returns, so that
// every command taken afterwards is notified.
func (a *App) startMail(ctx, runCtx context.Context, events eventstore.Store, manualJobs bool) error {
	base := a.cfg.PublicURL
	if base == "" {
		base = "http://" + a.Addr()
	}
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("public URL: %w", err)
	}
	if reservedExampleHost(u.Hostname()) {
		a.log.Warn("ACCREDIT_PUBLIC_URL names a reserved example domain (RFC 2606): the links in mail, the office's DID and the certificates' QR codes lead nowhere; set it to the address users reach", "public_url", base)
	}
	a.Outbox.SetSender(a.cfg.MailFrom, u.Hostname())
	a.Recovery.SetBaseURL(base)
	// People and Cases are the write side's state, kept by the feed: the
	// notifier waits for it to apply each commit it handles.
	a.Notifier = &mail.Notifier{Events: events, Outbox: a.Outbox, People: people{a}, Cases: a.Cases, Timed: timed{a},
		BaseURL: base, Log: a.log, WaitFor: a.Feed.WaitFor}
	if err := a.Notifier.Init(ctx); err != nil {
		return fmt.Errorf("notifier: %w", err)
	}
	a.wg.Add(2)
	go func() { defer a.wg.Done(); a.Outbox.Run(runCtx) }()
	go func() { defer a.wg.Done(); a.Notifier.Run(runCtx) }()
	if !manualJobs {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.mailJobsLoop(runCtx) }()
	}
	return nil
}

// feedCaughtUp waits until the feed has applied all the store holds now.
func (a *App) feedCaughtUp(ctx context.Context) error {
	last, err := a.Events.LastSeq(ctx)
	if err != nil {
		return err
	}
	return a.Feed.WaitFor(ctx, last)
}

// people is the directory as the notifier reads it.
type people struct{ a *App }

func (p people) Person(ctx context.Context, id string) (mail.Person, bool, error) {
	// Opened, or an error to retry: never mail pii.Unavailable's placeholder.
	u, err := p.a.Accounts.UserOpened(ctx, id)
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.NotFound {
		return mail.Person{}, false, nil
	}
	if err != nil {
		return mail.Person{}, false, err
	}
	return mail.Person{ID: u.ID, Role: u.Role, Email: u.Email, Name: u.Name, Erased: u.Erased, Disabled: u.Disabled}, true, nil
}

func (p people) Office(context.Context) []string {
	var ids []string
	for _, acc := range p.a.Accounts.Accounts(domain.RoleOffice) {
		if !acc.Erased {
			ids = append(ids, acc.ID)
		}
	}
	return ids
}

// timed is what the reminders and the digest read: the write side's index
// of accreditations, and the read side's queue.
type timed struct{ a *App }

func (t timed) ExpiringBefore(ctx context.Context, before time.Time) ([]mail.Expiring, error) {
	list, err := t.a.Cases.ExpiringBefore(ctx, before)
	out := make([]mail.Expiring, 0, len(list))
	for _, e := range list {
		out = append(out, mail.Expiring{CaseID: e.CaseID, AccreditationID: e.AccreditationID, HolderID: e.HolderID,
			Language: e.Language, ValidUntil: e.ValidUntil, RenewalOpens: e.RenewalOpens})
	}
	return out, err
}

func (t timed) Digest(_ context.Context, since, now time.Time) (submitted, overdue []string, err error) {
	t.a.Reads.Read(func(s *projections.Set) {
		for _, it := range s.Typed().Cases.OfficeQueue(projections.QueueFilter{}, now, t.a.cfg.SLA(), 0, math.MaxInt).Items {
			if !it.SubmittedAt.Before(since) && it.SubmittedAt.Before(now) {
				submitted = append(submitted, it.CaseID)
			}
			if it.Overdue {
				overdue = append(overdue, it.CaseID)
			}
		}
	})
	return submitted, overdue, nil
}

// RunMailJobs creates the renewal reminders and the day's digest due now,
// if this process holds the lease (the ids make a second run create
// nothing; the lease saves it the work). It returns how many it created.
func (a *App) RunMailJobs(ctx context.Context) (int, error) {
	ok, err := a.leases.Acquire(ctx, leaseMail, a.id)
	if err != nil || !ok {
		return 0, err
	}
	now := a.now()
	r, err := a.Notifier.Remind(ctx, now)
	if err != nil {
		return r, fmt.Errorf("renewal reminders: %w", err)
	}
	d, err := a.Notifier.DigestOf(ctx, now)
	if err != nil {
		return r + d, fmt.Errorf("digest: %w", err)
	}
	if err := a.sweepMail(ctx, now); err != nil {
		return r + d, err
	}
	return r + d, nil
}

// sweepMail purges, once an hour, the mail done with that is older than
// ACCREDIT_MAIL_KEEP_DAYS, the recovery links that ran out a day ago and
// the hour slots past, so that none of them piles up in the bucket or in
// each process's outbox index.
func (a *App) sweepMail(ctx context.Context, now time.Time) error {
	a.sweepMu.Lock()
	defer a.sweepMu.Unlock()
	if now.Sub(a.mailSwept) < time.Hour {
		return nil
	}
	if a.cfg.MailKeepDays > 0 {
		n, err := a.Outbox.Purge(ctx, now.AddDate(0, 0, -a.cfg.MailKeepDays))
		if err != nil {
			return err
		}
		if n > 0 {
			a.log.Info("mail purged", "count", n, "older_than_days", a.cfg.MailKeepDays)
		}
	}
	if a.Recovery != nil {
		n, err := a.Recovery.Sweep(ctx)
		if err != nil {
			return fmt.Errorf("recovery links: %w", err)
		}
		if n > 0 {
			a.log.Info("recovery links and slots removed", "count", n)
		}
	}
	a.mailSwept = now
	return nil
}

// mailJobsLoop runs RunMailJobs every minute.
func (a *App) mailJobsLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.RunMailJobs(ctx); err != nil {
				a.log.Warn("mail jobs", "err", err)
			} else if n > 0 {
				a.log.Info("reminders and digests written", "count", n)
			}
		}
	}
}

// reservedExampleHost reports whether host is in a domain RFC 2606 keeps
// for examples (example.com, .net, .org, the .example top-level domain),
// as deploy/kubernetes's placeholder address is.
func reservedExampleHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range []string{"example.com", "example.net", "example.org", "example"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
