// Package export builds the right-of-access document (GDPR art. 15): all
// of a user's personal data and case history in one JSON document. The API
// (GET /api/v1/me/export) and the web application's download both answer
// with it, so that neither leaves out what the other gives.
package export

import (
	"context"
	"regexp"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/recovery"
	"github.com/emcc/accredit/domain/selfcheck"
)

// Sources are where the document's parts are read; SelfChecks, Mail and
// Recovery may be nil (not served: their parts are left out).
type Sources struct {
	Accounts   *accounts.Service
	Cases      *cases.Service
	SelfChecks *selfcheck.Service
	Mail       *mail.Outbox
	Recovery   *recovery.Service
	Now        func() time.Time
}

// MailRecord is a message the outbox holds for the user, as they would
// read it: subject and body opened, any link's token withheld.
type MailRecord struct {
	ID        string      `json:"id"`
	Kind      mail.Kind   `json:"kind"`
	Status    mail.Status `json:"status"`
	CreatedAt time.Time   `json:"created_at"`
	SentAt    time.Time   `json:"sent_at,omitzero"`
	To        string      `json:"to"`
	Language  string      `json:"language"`
	Subject   string      `json:"subject"`
	Body      string      `json:"body"`
	CaseID    string      `json:"case_id,omitempty"`
}

// linkToken is a token in a link's query: a recovery mail's token opens
// the account while it lasts, so an export (kept, forwarded) never holds
// one.
var linkToken = regexp.MustCompile(`([?&]token=)[^\s&"'<>]+`)

func withoutTokens(text string) string { return linkToken.ReplaceAllString(text, "${1}"+pii.Withheld) }

// CaseRecord is one of the user's cases with its history.
type CaseRecord struct {
	Case    *cases.CaseView      `json:"case"`
	History []cases.HistoryEntry `json:"history"`
}

// Document is the export. User is the caller as the session knows them;
// Account is their account as stored: disabled or not, and an assessor's
// profile (what they may assess, their declared conflicts of interest).
type Document struct {
	User       accounts.UserView `json:"user"`
	Account    accounts.UserView `json:"account"`
	ExportedAt time.Time         `json:"exported_at"`
	Cases      []CaseRecord      `json:"cases"`
	// AssessedCases are, for an assessor, the cases they took a role on,
	// with what they recorded on each (absent for anyone else).
	AssessedCases []cases.AssessedCase `json:"assessed_cases,omitzero"`
	SelfChecks    []selfcheck.Saved    `json:"self_checks,omitzero"` // nil: not served; none saved: []
	Notifications *mail.Choices        `json:"notifications,omitempty"`
	// AccountHistory is every event of the user's own account (registered,
	// address changed with the one it left, password changed without its
	// hash, disabled and enabled with the reasons, sessions ended...).
	AccountHistory []accounts.HistoryEntry `json:"account_history"`
	Mail           []MailRecord            `json:"mail,omitzero"`           // written to the user; nil: not served
	RecoveryLinks  []recovery.Link         `json:"recovery_links,omitzero"` // stored, never their tokens; nil: not served
}

// Mine builds the export of user u, read as actor (u themself). A part
// that cannot be read fails the whole (Unavailable): an export is never
// handed over with a part silently missing, nor with a personal value
// that cannot be opened for now shown as pii.Unavailable (or as erased).
func Mine(ctx context.Context, src Sources, actor domain.Actor, u accounts.UserView) (Document, error) {
	ctx, unreadable := pii.Strict(ctx)
	doc, err := mine(ctx, src, actor, u)
	if err == nil {
		if err = unreadable(); err != nil {
			e := domain.Wrap(domain.Unavailable, err, "the export cannot be made for now")
			e.RetryAfter = 1
			return Document{}, e
		}
	}
	return doc, err
}

// OfUser is Mine for user id, read as they would read it themselves: the
// office's answer to a request of access from a user who cannot log in.
// Errors: NotFound (no such user), those of Mine.
func OfUser(ctx context.Context, src Sources, id string) (Document, error) {
	u, err := src.Accounts.User(ctx, id)
	if err != nil {
		return Document{}, err
	}
	return Mine(ctx, src, domain.Actor{ID: u.ID, Role: u.Role}, u)
}

func mine(ctx context.Context, src Sources, actor domain.Actor, u accounts.UserView) (Document, error) {
	doc := Document{User: u, ExportedAt: src.Now().UTC(), Cases: []CaseRecord{}}
	acc, err := src.Accounts.User(ctx, u.ID)
	if err != nil {
		return Document{}, err
	}
	doc.Account = acc
	// u was opened before, for the request: as read here.
	doc.User.Email, doc.User.Name = acc.Email, acc.Name
	if doc.AccountHistory, err = src.Accounts.History(ctx, u.ID); err != nil {
		return Document{}, err
	}
	for _, id := range src.Cases.IDsOfApplicant(u.ID) {
		v, _, err := src.Cases.Get(ctx, actor, id)
		if domain.Is(err, domain.NotFound) {
			continue // gone from sight meanwhile (none of theirs is, today)
		}
		if err != nil {
			return Document{}, err
		}
		h, err := src.Cases.History(ctx, actor, id)
		if err != nil {
			return Document{}, err
		}
		doc.Cases = append(doc.Cases, CaseRecord{Case: v, History: h})
	}
	if acc.Role == domain.RoleAssessor {
		if doc.AssessedCases, err = src.Cases.AssessedBy(ctx, u.ID); err != nil {
			return Document{}, err
		}
	}
	if src.SelfChecks != nil {
		checks, err := src.SelfChecks.List(ctx, actor)
		if err != nil {
			return Document{}, err
		}
		doc.SelfChecks = checks
		if checks == nil {
			doc.SelfChecks = []selfcheck.Saved{}
		}
	}
	if src.Mail != nil {
		ch, err := src.Mail.Choices(ctx, u.ID, u.Role)
		if err != nil {
			return Document{}, err
		}
		doc.Notifications = &ch
		msgs, err := src.Mail.To(ctx, u.ID)
		if err != nil {
			return Document{}, err
		}
		doc.Mail = make([]MailRecord, 0, len(msgs))
		for _, m := range msgs {
			doc.Mail = append(doc.Mail, MailRecord{ID: m.ID, Kind: m.Kind, Status: m.Status, CreatedAt: m.CreatedAt, SentAt: m.SentAt,
				To: m.To, Language: m.Language, Subject: m.Subject, Body: withoutTokens(m.Body), CaseID: m.CaseID})
		}
	}
	if src.Recovery != nil {
		if doc.RecoveryLinks, err = src.Recovery.Links(ctx, acc); err != nil {
			return Document{}, err
		}
	}
	return doc, nil
}
