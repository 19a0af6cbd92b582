package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/pii"
)

// Bounds of delivery.
const (
	// MaxAttempts is how many times a message is tried before it is
	// marked failed.
	MaxAttempts = 8
	// ClaimTimeout is how long a claim holds: a message still "sending"
	// after it was claimed by a process that stopped is taken again.
	ClaimTimeout = 5 * time.Minute
	// sendTimeout bounds one delivery.
	sendTimeout = time.Minute
)

// Backoff is the wait before attempt n+1 after n failed: 1, 2, 4 ...
// minutes, at most 6 hours.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	return min(time.Minute<<min(n-1, 16), 6*time.Hour)
}

// Options configure an Outbox.
type Options struct {
	Store Store
	Vault *pii.Vault
	// Transport sends; nil keeps every message for the office to read.
	Transport Transport
	From      string // the From address
	Host      string // the domain of the Message-ID
	Owner     string // this process, recorded on its claims
	Now       func() time.Time
	Log       *slog.Logger
	// People, when set, is asked about the recipient as each message is
	// sent: one disabled (or erased) since it was written is not sent to.
	People People
	// CatchUp, when set, waits until People has applied everything the
	// event store holds now, or ctx ends (an error). The sender calls it
	// before it cancels a message for a recipient that reads as disabled
	// or gone: People is this process's own state, which may be behind an
	// enabling (or the account's creation) written on another process,
	// and a cancellation is final. Nil: People reads the store itself.
	CatchUp func(ctx context.Context) error
}

// Outbox creates, lists and delivers messages. Each process keeps an index
// of the outbox in memory, fed by the Store's watch, for the office's list
// and for the sender to find what is due.
type Outbox struct {
	o    Options
	wake chan struct{}

	mu    sync.RWMutex
	index *index
	ready chan struct{}
	once  sync.Once
}

// NewOutbox returns an outbox; Run feeds its index and sends.
func NewOutbox(o Options) *Outbox {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Host == "" {
		o.Host = "accredit.localhost"
	}
	return &Outbox{o: o, wake: make(chan struct{}, 1), index: newIndex(), ready: make(chan struct{})}
}

// SetSender sets the From address (default EMCC Accredit <accredit@host>)
// and the domain of the Message-IDs; call before Run.
func (o *Outbox) SetSender(from, host string) {
	if host != "" {
		o.o.Host = host
	}
	if from == "" {
		from = "EMCC Accredit <accredit@" + o.o.Host + ">"
	}
	o.o.From = from
}

// Sending reports whether messages are sent (an SMTP server is configured)
// rather than kept.
func (o *Outbox) Sending() bool { return o.o.Transport != nil }

// Store is the outbox's store (the preferences are kept there too).
func (o *Outbox) Store() Store { return o.o.Store }

// Draft is a notification to create.
type Draft struct {
	ID          string // deterministic, from its cause
	Kind        Kind
	RecipientID string
	Email       string
	Language    string
	Subject     string
	Body        string
	Link        string
	CaseID      string
}

// Add creates the message of d unless one with its id exists; it reports
// whether it created it.
func (o *Outbox) Add(ctx context.Context, d Draft) (bool, error) {
	to, err := o.o.Vault.Seal(ctx, d.RecipientID, d.Email)
	if err != nil {
		return false, err
	}
	body, err := o.o.Vault.Seal(ctx, d.RecipientID, d.Body)
	if err != nil {
		return false, err
	}
	m := Message{ID: d.ID, Kind: d.Kind, RecipientID: d.RecipientID, To: to, Body: body, Subject: d.Subject,
		Language: d.Language, Link: d.Link, CaseID: d.CaseID, MessageID: "<" + d.ID + "@" + o.o.Host + ">",
		CreatedAt: o.o.Now().UTC(), Status: StatusQueued}
	if o.o.Transport == nil {
		m.Status = StatusKept
	}
	if err := o.o.Store.Create(ctx, m); errors.Is(err, ErrExists) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("outbox: create %s: %w", d.ID, err)
	}
	o.put(m)
	o.poke()
	return true, nil
}

func (o *Outbox) put(m Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.index.put(m)
}

func (o *Outbox) drop(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.index.drop(id)
}

func (o *Outbox) loaded() {
	o.mu.Lock()
	o.index.loaded()
	o.mu.Unlock()
	o.once.Do(func() { close(o.ready) })
}

// rank orders the states of one message as they follow one another, so
// the index never steps back.
func rank(m Message) int {
	switch m.Status {
	case StatusSent, StatusFailed, StatusCancelled:
		return 3*MaxAttempts + 3
	case StatusSending:
		return 3*m.Attempts + 2
	}
	return 3 * m.Attempts
}

func (o *Outbox) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run feeds the index from the store and sends what is due until ctx ends.
func (o *Outbox) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			err := o.o.Store.Watch(ctx, func(m Message) { o.put(m); o.poke() }, o.drop, o.loaded)
			if ctx.Err() == nil {
				o.o.Log.Warn("outbox watch interrupted; resuming", "err", err)
				sleep(ctx, time.Second)
			}
		}
	})
	if o.o.Transport != nil {
		wg.Go(func() {
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			for {
				o.SendDue(ctx)
				select {
				case <-ctx.Done():
					return
				case <-o.wake:
				case <-t.C:
				}
			}
		})
	}
	wg.Wait()
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// due reports whether m is to be sent now.
func due(m Message, now time.Time) bool {
	switch m.Status {
	case StatusQueued:
		return !m.NextAttemptAt.After(now)
	case StatusSending:
		return now.Sub(m.ClaimedAt) > ClaimTimeout
	}
	return false
}

// SendDue sends every message due now that this process can claim; it
// returns how many it sent.
func (o *Outbox) SendDue(ctx context.Context) int {
	if o.o.Transport == nil {
		return 0
	}
	o.mu.RLock()
	ids := o.index.due(o.o.Now())
	o.mu.RUnlock()
	sent := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		ok, err := o.sendOne(ctx, id)
		if err != nil {
			o.o.Log.Warn("outbox: send", "id", id, "err", err)
		}
		if ok {
			sent++
		}
	}
	return sent
}

// sendOne claims message id, sends it and records the outcome; it reports
// whether it was sent. A message another process claimed first is left.
func (o *Outbox) sendOne(ctx context.Context, id string) (bool, error) {
	m, rev, err := o.o.Store.Get(ctx, id)
	if err != nil {
		return false, err
	}
	now := o.o.Now().UTC()
	if !due(m, now) {
		o.put(m)
		return false, nil
	}
	m.Status, m.ClaimedBy, m.ClaimedAt = StatusSending, o.o.Owner, now
	if rev, err = o.o.Store.Update(ctx, m, rev); errors.Is(err, ErrStale) {
		return false, nil // another sender has it
	} else if err != nil {
		return false, err
	}
	o.put(m)
	if o.o.People != nil && m.RecipientID != "" {
		gone, err := o.recipientGone(ctx, m)
		if err != nil {
			return false, err // the claim times out and it is tried again
		}
		if gone {
			// Written before the account was disabled (a message waiting
			// for its next try): the notifier writes none after, but the
			// notice that it is disabled.
			m.Status, m.LastError = StatusCancelled, "the recipient's account is disabled or gone"
			return false, o.record(ctx, m, rev)
		}
	}
	to, err := o.o.Vault.Open(ctx, m.To)
	var body string
	if err == nil {
		body, err = o.o.Vault.Open(ctx, m.Body)
	}
	if errors.Is(err, pii.ErrErased) {
		m.Status, m.LastError = StatusCancelled, "the recipient's personal data was erased"
		return false, o.record(ctx, m, rev)
	}
	if err != nil {
		return false, err // the claim times out and it is tried again
	}
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	err = o.o.Transport.Send(sctx, Envelope{From: o.o.From, To: to, Subject: m.Subject, Body: body,
		MessageID: m.MessageID, Language: m.Language, Date: m.CreatedAt})
	cancel()
	m.Attempts++
	if err == nil {
		m.Status, m.SentAt, m.LastError, m.NextAttemptAt = StatusSent, o.o.Now().UTC(), "", time.Time{}
		return true, o.record(ctx, m, rev)
	}
	// A mail server's refusal usually repeats the address: kept (and
	// logged) without it, as the address itself is sealed and goes with
	// the recipient's erasure.
	m.LastError = withoutAddress(err.Error(), to)
	if m.Attempts >= MaxAttempts {
		m.Status = StatusFailed
	} else {
		m.Status, m.NextAttemptAt = StatusQueued, o.o.Now().UTC().Add(Backoff(m.Attempts))
	}
	return false, errors.Join(errors.New(m.LastError), o.record(ctx, m, rev))
}

// recipientGone reports whether m's recipient is disabled (m not being
// the notice of that) or erased or unknown, as People reads them once it
// has applied all the store holds: a process behind the store could
// otherwise cancel mail to an account another process has just enabled.
// Only a recipient who reads as gone waits (within ApplyWait): the others
// are sent to as they read, a recipient disabled meanwhile being one the
// message was written to before.
func (o *Outbox) recipientGone(ctx context.Context, m Message) (bool, error) {
	gone := func() (bool, error) {
		p, ok, err := o.o.People.Person(ctx, m.RecipientID)
		return !ok || (p.Disabled && !toDisabled(m.Kind)) || p.Erased, err
	}
	if g, err := gone(); err != nil || !g || o.o.CatchUp == nil {
		return g, err
	}
	wctx, cancel := context.WithTimeout(ctx, ApplyWait)
	err := o.o.CatchUp(wctx)
	cancel()
	if err != nil {
		return false, fmt.Errorf("outbox: the directory is behind the store: %w", err)
	}
	return gone()
}

func (o *Outbox) record(ctx context.Context, m Message, rev uint64) error {
	// Recorded even when ctx has just ended: what was sent must say so.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := o.o.Store.Update(rctx, m, rev); err != nil {
		return fmt.Errorf("outbox: record %s as %s: %w", m.ID, m.Status, err)
	}
	o.put(m)
	return nil
}

// View is a message as the office reads it: address and body opened, or
// pii.Erased (pii.Unavailable when they cannot be opened for now).
type View struct {
	Message
	To   string `json:"to"`
	Body string `json:"body"`
}

// MinKeep is the shortest time mail may be kept: longer than the earliest
// renewal reminder (90 days before the end), so a reminder purged is never
// due again. Events are mailed once from the notifier's cursor, and
// digests once a day, so neither comes back.
const MinKeep = 100 * 24 * time.Hour

// Page is one page of the outbox, newest first.
type Page struct {
	Messages []Message
	Total    int
	// Next is where the next page starts when more follow: before the
	// page's last message.
	Next *Cursor
}

// Cursor is a place in the outbox: a message's creation time and id.
type Cursor struct {
	At time.Time
	ID string
}

// String is the cursor as a query parameter: "<unix nanoseconds>.<id>".
func (c Cursor) String() string { return strconv.FormatInt(c.At.UnixNano(), 10) + "." + c.ID }

// ParseCursor reads String's form; ok is false for anything else.
func ParseCursor(s string) (c Cursor, ok bool) {
	a, id, found := strings.Cut(s, ".")
	n, err := strconv.ParseInt(a, 10, 64)
	if !found || err != nil || !ValidID(id) {
		return Cursor{}, false
	}
	return Cursor{At: time.Unix(0, n).UTC(), ID: id}, true
}

// List returns the messages from offset, newest first, limit at most.
func (o *Outbox) List(ctx context.Context, offset, limit int) Page {
	return o.list(ctx, Cursor{}, offset, limit)
}

// ListBefore returns the messages older than the one before names,
// newest first, limit at most.
func (o *Outbox) ListBefore(ctx context.Context, before Cursor, limit int) Page {
	return o.list(ctx, before, 0, limit)
}

func (o *Outbox) list(ctx context.Context, before Cursor, offset, limit int) Page {
	select {
	case <-o.ready:
	case <-ctx.Done():
	case <-time.After(2 * time.Second): // list what is known so far
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	msgs, more := o.index.page(entry{before.At, before.ID}, offset, limit)
	p := Page{Messages: msgs, Total: len(o.index.byID)}
	if more && len(msgs) > 0 {
		last := msgs[len(msgs)-1]
		p.Next = &Cursor{At: last.CreatedAt, ID: last.ID}
	}
	return p
}

// Purge removes from the store the messages created before t that are past
// sending (sent, failed, kept or cancelled), and returns how many. Each
// process's index drops them as its watch sees them go. A message's id
// guards against writing it twice only while it is kept, so t must be
// older than any cause that could make it again (see MinKeep).
func (o *Outbox) Purge(ctx context.Context, t time.Time) (int, error) {
	o.mu.RLock()
	ids := o.index.doneBefore(t)
	o.mu.RUnlock()
	for n, id := range ids {
		if err := o.o.Store.Delete(ctx, id); err != nil {
			return n, fmt.Errorf("outbox: purge %s: %w", id, err)
		}
		o.drop(id)
	}
	return len(ids), nil
}

// Read returns message id, opened. NotFound for an unknown id.
func (o *Outbox) Read(ctx context.Context, id string) (View, error) {
	m, _, err := o.o.Store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return View{}, domain.Errorf(domain.NotFound, "no message %s", id)
	}
	if err != nil {
		return View{}, domain.Wrap(domain.Unavailable, err, "outbox unavailable")
	}
	return View{Message: m, To: o.o.Vault.Reveal(ctx, m.To), Body: o.o.Vault.Reveal(ctx, m.Body)}, nil
}

// To returns the messages written to recipientID, opened, oldest first:
// their part of the recipient's right of access. Errors: Unavailable when
// the outbox is not loaded yet or a message cannot be read (a list of what
// is known so far would leave some out unsaid).
func (o *Outbox) To(ctx context.Context, recipientID string) ([]View, error) {
	select {
	case <-o.ready:
	case <-ctx.Done():
		return nil, domain.Wrap(domain.Unavailable, ctx.Err(), "outbox unavailable")
	case <-time.After(2 * time.Second):
		return nil, domain.Errorf(domain.Unavailable, "outbox not loaded yet")
	}
	o.mu.RLock()
	ids := o.index.to(recipientID)
	o.mu.RUnlock()
	out := make([]View, 0, len(ids))
	for _, id := range ids {
		v, err := o.Read(ctx, id)
		if domain.Is(err, domain.NotFound) {
			continue // purged meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// ValidID reports whether id can name a message.
func ValidID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	return strings.IndexFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) < 0
}
