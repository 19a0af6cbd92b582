package mail

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// Person is a recipient as the directory knows them, opened.
type Person struct {
	ID       string
	Role     domain.Role
	Email    string
	Name     string
	Erased   bool
	Disabled bool
}

// People is the directory the notifier reads recipients from.
type People interface {
	// Person returns a user; false when there is none.
	Person(ctx context.Context, id string) (Person, bool, error)
	// Office returns the ids of the office users.
	Office(ctx context.Context) []string
}

// Cases tells the notifier whose a case is.
type Cases interface {
	// CaseFacts returns a case's applicant and language; false when there
	// is no such case.
	CaseFacts(ctx context.Context, caseID string) (applicantID, language string, ok bool, err error)
	// RequestedBy returns who asked a case's information request; false
	// when there is no such request.
	RequestedBy(ctx context.Context, caseID, requestID string) (userID string, ok bool, err error)
	// CaseTitle returns how the pages head a case: its scheme, the level
	// applied for and an EQA case's programme name (sealed; zero for an
	// EIA case); false when there is no such case.
	CaseTitle(ctx context.Context, caseID string) (scheme string, level framework.Level, programme pii.Sealed, ok bool, err error)
	// LanguageOf returns the language of the newest case a user applied
	// with ("" when they have none): the language of a notice about their
	// account when they chose none.
	LanguageOf(ctx context.Context, userID string) (string, error)
	// AssessorsOf returns who holds a case's assessing roles now (none
	// when there is no such case).
	AssessorsOf(ctx context.Context, caseID string) (accreditation.Assignments, error)
}

// Notifier turns events into messages in the outbox (see the package doc).
type Notifier struct {
	Events  eventstore.Store
	Outbox  *Outbox
	People  People
	Cases   Cases
	Timed   Timed  // the timed jobs' source (nil: no reminders, no digest)
	BaseURL string // links start with it, e.g. https://accredit.emccglobal.org
	Log     *slog.Logger
	// WaitFor, when set, waits until People and Cases have applied commit
	// seq, or ctx ends (an error). The notifier calls it before it handles
	// a commit: they are this process's own state, kept by following the
	// store as the notifier does, and may be behind the commit handled (a
	// commit written on another process); read behind, a notice went in
	// a language, to an address or with a name the recipient had changed,
	// or was dropped as to an account disabled. Nil: they are read from
	// the store itself.
	WaitFor func(ctx context.Context, seq uint64) error

	pos   atomic.Uint64 // the last commit handled
	saved atomic.Uint64 // the cursor as last written

	emptyMu sync.Mutex
	empty   map[string]time.Time // digests found empty, by id (emptyDigest)
}

// Position is the position of the last commit the notifier handled.
func (n *Notifier) Position() uint64 { return n.pos.Load() }

// Saved is the position as last written to the store: it trails Position
// by up to a second (see saveCursor).
func (n *Notifier) Saved() uint64 { return n.saved.Load() }

// Run follows the store until ctx ends, resuming after an interruption.
func (n *Notifier) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); n.saveCursor(ctx) }()
	for ctx.Err() == nil {
		err := n.follow(ctx)
		if ctx.Err() == nil {
			n.Log.Warn("notifier interrupted; resuming", "position", n.Position(), "err", err)
			sleep(ctx, time.Second)
		}
	}
	<-done
}

// Init reads the cursor, or takes the store's end as the first one. Call
// it before Run, before the process takes commands: what is written after
// Init returns is notified.
func (n *Notifier) Init(ctx context.Context) error {
	if n.Log == nil {
		n.Log = slog.Default()
	}
	_, err := n.start(ctx)
	return err
}

// start reads the cursor, or takes the store's end as the first one.
func (n *Notifier) start(ctx context.Context) (uint64, error) {
	st := n.Outbox.Store()
	pos, ok, err := st.Cursor(ctx)
	if err != nil {
		return 0, err
	}
	if !ok {
		// A first start mails nothing of the past.
		if pos, err = n.Events.LastSeq(ctx); err != nil {
			return 0, err
		}
		if err := st.SetCursor(ctx, pos); err != nil {
			return 0, err
		}
		n.Log.Info("notifier starts at the end of the store", "position", pos)
	}
	if pos > n.pos.Load() {
		n.pos.Store(pos)
	}
	n.saved.Store(pos)
	return n.pos.Load(), nil
}

func (n *Notifier) follow(ctx context.Context) error {
	return n.Events.Subscribe(ctx, n.pos.Load(), func(c eventstore.Commit) error {
		if err := n.handle(ctx, c); err != nil {
			return fmt.Errorf("commit %d: %w", c.Seq, err)
		}
		n.pos.Store(c.Seq)
		return nil
	})
}

// saveCursor writes the position every second while it moves, and on stop.
// Writing it per commit would double the store's writes; a cursor a little
// behind costs only commits handled again, which create nothing new.
func (n *Notifier) saveCursor(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	write := func(ctx context.Context) {
		if p := n.pos.Load(); p > n.saved.Load() {
			if err := n.Outbox.Store().SetCursor(ctx, p); err != nil {
				n.Log.Warn("notifier cursor not saved", "err", err)
				return
			}
			n.saved.Store(p)
		}
	}
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			write(sctx)
			cancel()
			return
		case <-t.C:
			write(ctx)
		}
	}
}

// ApplyWait bounds the notifier's wait for People and Cases to apply the
// commit it handles (WaitFor). Past it the commit is handled again after
// the notifier's pause, not skipped.
const ApplyWait = 10 * time.Second

// caughtUp waits, within ApplyWait, until what the notifier reads has
// applied commit seq.
func (n *Notifier) caughtUp(ctx context.Context, seq uint64) error {
	if n.WaitFor == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, ApplyWait)
	defer cancel()
	if err := n.WaitFor(ctx, seq); err != nil {
		return fmt.Errorf("the directory has not applied it yet: %w", err)
	}
	return nil
}

// handle creates the messages commit c calls for, once the directory
// and the cases it reads have applied c: an error (they are behind, the
// store cannot be read) leaves c to be handled again.
func (n *Notifier) handle(ctx context.Context, c eventstore.Commit) error {
	userID, ok := strings.CutPrefix(c.Stream, accounts.UserPrefix+".")
	caseID, isCase := strings.CutPrefix(c.Stream, accreditation.StreamPrefix+".")
	if !ok && !isCase {
		return nil
	}
	if err := n.caughtUp(ctx, c.Seq); err != nil {
		return err
	}
	if ok {
		return n.handleAccount(ctx, c, userID)
	}
	for _, e := range c.Events {
		to, kind, data, ok := n.plan(c, e)
		if !ok {
			continue
		}
		data.CaseID = caseID
		var held accreditation.Assignments // an interview's: the roles as held when it was set
		if kind == KindInterview {
			was, roles, err := n.interviewFacts(ctx, e)
			if err != nil {
				return err
			}
			data.Was, held = was, roles
		}
		if kind == KindAssigned && data.Outcome != "renewal" {
			if err := n.interviewAhead(ctx, e, &data); err != nil {
				return err
			}
		}
		if !data.place.IsZero() {
			place, err := n.openPlace(ctx, data.place)
			if err != nil {
				return err
			}
			data.Place = place
		}
		if to == askedBy { // whoever asked the information now answered
			who, found, err := n.Cases.RequestedBy(ctx, caseID, data.requestID)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			to = who
		}
		// The case's language is every recipient's who chose none: the
		// applicant's, and an assessor's or the office's told of the case.
		applicant, lang, found, err := n.Cases.CaseFacts(ctx, caseID)
		if err != nil {
			return err
		}
		if to == "" { // the applicant
			if !found {
				continue
			}
			to = applicant
			if err := n.title(ctx, caseID, &data); err != nil {
				return err
			}
			if kind == KindDecision && data.AppLevel != "" { // the level applied for known
				data.Appeal = accreditation.OutcomeAppealable(accreditation.Outcome(data.Outcome), data.Level, data.AppLevel)
			}
		}
		if err := n.notify(ctx, fmt.Sprintf("e%d.%s.%s", c.Seq, kind, to), to, lang, kind, data); err != nil {
			return err
		}
		if kind == KindInterview {
			if err := n.tellAssessors(ctx, c.Seq, e, lang, held, data); err != nil {
				return err
			}
		}
	}
	return nil
}

// tellAssessors mails the interview e sets to the case's assessor and
// verifier, who both take part in it and record it: each who held their
// role when it was set and holds it still (one taken off since is no
// longer on the case), but whoever set it, who knows. d is the
// applicant's, with the case's title.
func (n *Notifier) tellAssessors(ctx context.Context, seq uint64, e eventstore.Event, lang string, held accreditation.Assignments, d Data) error {
	now, err := n.Cases.AssessorsOf(ctx, d.CaseID)
	if err != nil {
		return err
	}
	for role, a := range held.All() {
		if a.UserID == "" || a.UserID == e.Actor.ID || now.Holder(role) != a.UserID {
			continue
		}
		d.Role = string(role)
		if err := n.notify(ctx, fmt.Sprintf("e%d.%s.%s", seq, KindInterview, a.UserID), a.UserID, lang, KindInterview, d); err != nil {
			return err
		}
	}
	return nil
}

// title gives d the case's title for its applicant's mail (Data.Scheme).
// A key store that fails is an error, for the commit to be handled again.
func (n *Notifier) title(ctx context.Context, caseID string, d *Data) error {
	scheme, level, programme, ok, err := n.Cases.CaseTitle(ctx, caseID)
	if err != nil || !ok {
		return err
	}
	d.Scheme, d.AppLevel = scheme, level
	if !programme.IsZero() {
		name, err := n.open(ctx, programme)
		if errors.Is(err, pii.ErrErased) || errors.Is(err, pii.ErrNoKey) {
			name, err = "", nil // erased with its provider: the title goes without it
		}
		if err != nil {
			return err
		}
		d.Programme = name
	}
	return nil
}

// interviewAhead gives the mail of assignment e the interview the case has
// set, when it is still ahead and the role given has no record of it: one
// put on the case after it was set was told only that the case was theirs,
// though they take part in it (tellAssessors mails those who held the role
// when it was set).
func (n *Notifier) interviewAhead(ctx context.Context, e eventstore.Event, d *Data) error {
	events, err := n.Events.Load(ctx, e.Stream)
	if err != nil {
		return fmt.Errorf("load %s: %w", e.Stream, err)
	}
	c := accreditation.New(strings.TrimPrefix(e.Stream, accreditation.StreamPrefix+"."))
	for _, p := range events {
		if p.Version > e.Version {
			break
		}
		_ = c.Apply(p) // one it cannot decode leaves the case as it was
	}
	iv := c.Interview
	if iv == nil || !iv.At.After(e.OccurredAt) {
		return nil
	}
	if _, held := iv.Records.Get(accreditation.AssessorRole(d.Role)); held {
		return nil
	}
	d.At, d.place = iv.At, iv.Place
	return nil
}

// interviewFacts reads the case up to e, which schedules its interview:
// the assessing roles as held when e was written, and the time of the
// interview e moves: the one set before it, if it was neither held and
// recorded nor past when e moved it. Zero when e sets the first, or sets
// one again for a role that missed the one held (RecordInterview's rule).
func (n *Notifier) interviewFacts(ctx context.Context, e eventstore.Event) (time.Time, accreditation.Assignments, error) {
	events, err := n.Events.Load(ctx, e.Stream)
	if err != nil {
		return time.Time{}, accreditation.Assignments{}, fmt.Errorf("load %s: %w", e.Stream, err)
	}
	var was time.Time
	c := accreditation.New(strings.TrimPrefix(e.Stream, accreditation.StreamPrefix+"."))
	for _, p := range events {
		if p.Version >= e.Version {
			break
		}
		_ = c.Apply(p) // one it cannot decode leaves the case as it was
		switch accreditation.EventType(p.Type) {
		case accreditation.EventInterviewScheduled:
			var s accreditation.InterviewScheduled
			if json.Unmarshal(p.Data, &s) == nil {
				was = s.At
			}
		case accreditation.EventInterviewRecorded:
			was = time.Time{} // held: another is a new one, not this one moved
		}
	}
	if !was.After(e.OccurredAt) {
		was = time.Time{}
	}
	return was, c.Assignments, nil
}

// openPlace opens an interview's place for its mail. A key store that
// fails is an error, for the commit to be handled again, not a place
// mailed as erased.
func (n *Notifier) openPlace(ctx context.Context, p accreditation.Place) (string, error) {
	var failed error
	text := p.Open(func(s pii.Sealed) string {
		t, err := n.open(ctx, s)
		if errors.Is(err, pii.ErrErased) {
			return pii.Erased
		}
		failed = err
		return t
	})
	return text, failed
}

// askedBy is plan's recipient for an answer: whoever asked (handle looks
// them up in the case).
const askedBy = "\x00asked-by"

// plan says whom event e of commit c notifies ("" for the case's
// applicant, askedBy for whoever asked the information answered), of what.
func (n *Notifier) plan(c eventstore.Commit, e eventstore.Event) (to string, kind Kind, d Data, ok bool) {
	switch accreditation.EventType(e.Type) {
	case accreditation.EventCaseScreened:
		var p accreditation.CaseScreened
		if json.Unmarshal(e.Data, &p) == nil && p.Outcome == accreditation.ScreeningReturned {
			return "", KindReturned, d, true
		}
	case accreditation.EventInformationRequested:
		return "", KindInformationRequested, d, true
	case accreditation.EventInformationProvided:
		var p accreditation.InformationProvided
		if json.Unmarshal(e.Data, &p) == nil {
			return askedBy, KindInformationAnswered, Data{requestID: p.RequestID}, true
		}
	case accreditation.EventDecisionMade:
		var p accreditation.DecisionMade
		if json.Unmarshal(e.Data, &p) == nil {
			// A refusal may be appealed; an award only below the level
			// applied for, which handle knows once it has the case's title.
			return "", KindDecision, Data{Outcome: string(p.Outcome), Level: p.Level,
				Appeal: p.Outcome == accreditation.OutcomeNotAwarded, AppealBy: p.Terms().Deadline(e.OccurredAt)}, true
		}
	case accreditation.EventAppealDecided:
		var p accreditation.AppealDecided
		if json.Unmarshal(e.Data, &p) == nil {
			d = Data{Outcome: string(p.Outcome), ReturnTo: p.ReturnTo}
			for _, r := range c.Events { // an accreditation the overturned decision awarded is withdrawn beside it
				var w accreditation.AccreditationWithdrawn
				if accreditation.EventType(r.Type) == accreditation.EventAccreditationWithdrawn && json.Unmarshal(r.Data, &w) == nil &&
					w.Cause == accreditation.WithdrawnAppealUpheld {
					d.Certificate = w.AccreditationID
				}
			}
			return "", KindAppealOutcome, d, true
		}
	case accreditation.EventInterviewScheduled:
		var p accreditation.InterviewScheduled
		if json.Unmarshal(e.Data, &p) == nil {
			return "", KindInterview, Data{At: p.At, place: p.Place}, true
		}
	case accreditation.EventRenewalAssessed:
		var p accreditation.RenewalAssessed
		if json.Unmarshal(e.Data, &p) == nil {
			d = Data{Outcome: string(p.Outcome), Certificate: p.AccreditationID, Link: n.accreditationLink(p.AccreditationID)}
			for _, r := range c.Events { // a renewal's new end is recorded beside its assessment
				var renewed accreditation.AccreditationRenewed
				if accreditation.EventType(r.Type) == accreditation.EventAccreditationRenewed && json.Unmarshal(r.Data, &renewed) == nil {
					d.Until = renewed.ValidUntil
				}
			}
			return "", KindRenewalOutcome, d, true
		}
	case accreditation.EventRenewalAssigned:
		var p accreditation.RenewalAssigned
		if json.Unmarshal(e.Data, &p) == nil && p.AssessorID != "" {
			return p.AssessorID, KindAssigned, Data{Outcome: "renewal", Certificate: p.AccreditationID, Link: n.accreditationLink(p.AccreditationID)}, true
		}
	case accreditation.EventAccreditationRevoked:
		var p accreditation.AccreditationRevoked
		if json.Unmarshal(e.Data, &p) == nil {
			return "", KindAccreditationEnded, Data{Outcome: "revoked", Certificate: p.AccreditationID, Link: n.accreditationLink(p.AccreditationID)}, true
		}
	case accreditation.EventAccreditationWithdrawn:
		var p accreditation.AccreditationWithdrawn
		// Not when the holder withdrew it themself, nor when an upheld
		// appeal did (its outcome is told).
		if json.Unmarshal(e.Data, &p) == nil && p.Cause == accreditation.WithdrawnByOffice {
			return "", KindAccreditationEnded, Data{Outcome: "withdrawn", Certificate: p.AccreditationID, Link: n.accreditationLink(p.AccreditationID)}, true
		}
	case accreditation.EventAssessorAssigned:
		var p accreditation.AssessorAssigned
		// One who claimed a case knows it: only an assignment by another is told.
		if json.Unmarshal(e.Data, &p) == nil && p.UserID != "" && p.UserID != e.Actor.ID {
			return p.UserID, KindAssigned, Data{Role: string(p.Role)}, true
		}
	}
	return "", "", d, false
}

// accreditationLink is the holder's page of accreditation id.
func (n *Notifier) accreditationLink(id string) string {
	return strings.TrimRight(n.BaseURL, "/") + "/accreditations/" + id
}

// link is where a message of kind k about case id takes the recipient.
func (n *Notifier) link(role domain.Role, k Kind, id string) string {
	base := strings.TrimRight(n.BaseURL, "/")
	switch {
	case k == KindDigest:
		return base + "/office/cases"
	case role == domain.RoleAssessor:
		return base + "/assess/" + id
	case role == domain.RoleOffice:
		return base + "/office/cases/" + id
	}
	return base + "/applications/" + id
}

// notify creates message id of kind to recipient, in their language (their
// choice, else caseLang, else English), unless they chose not to receive
// that kind or cannot receive mail.
func (n *Notifier) notify(ctx context.Context, id, recipient, caseLang string, kind Kind, d Data) error {
	_, err := n.notified(ctx, id, recipient, caseLang, kind, d)
	return err
}

// notified is notify reporting whether it created the message.
func (n *Notifier) notified(ctx context.Context, id, recipient, caseLang string, kind Kind, d Data) (bool, error) {
	return n.notifiedAt(ctx, id, recipient, "", caseLang, kind, d)
}

// notifiedAt is notified mailing address rather than the recipient's
// current one ("": theirs).
func (n *Notifier) notifiedAt(ctx context.Context, id, recipient, address, caseLang string, kind Kind, d Data) (bool, error) {
	p, found, err := n.People.Person(ctx, recipient)
	if err != nil {
		return false, err
	}
	if !found || p.Erased || (p.Disabled && !toDisabled(kind)) || p.Email == "" {
		return false, nil
	}
	prefs, err := n.Outbox.Store().Preferences(ctx, recipient)
	if err != nil {
		return false, err
	}
	if !prefs.Wants(kind) {
		return false, nil
	}
	lang := cmp.Or(prefs.Language, caseLang, prefs.MadeIn)
	if lang != "nl" {
		lang = "en"
	}
	if d.Link == "" {
		d.Link = n.link(p.Role, kind, d.CaseID)
	}
	d.Name = p.Name
	subject, body, err := Render(kind, lang, d)
	if err != nil {
		return false, err
	}
	if address == "" {
		address = p.Email
	}
	return n.Outbox.Add(ctx, Draft{ID: id, Kind: kind, RecipientID: recipient, Email: address, Language: lang,
		Subject: subject, Body: body, Link: d.Link, CaseID: d.CaseID})
}
