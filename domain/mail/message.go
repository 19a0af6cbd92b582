package mail

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/pii"
)

// Kind is a kind of notification; users choose per kind what they receive.
type Kind string

// The kinds of notification.
const (
	KindReturned             Kind = "returned"              // applicant: the office returned the application
	KindInformationRequested Kind = "information_requested" // applicant: more information is asked
	KindDecision             Kind = "decision"              // applicant: the decision is recorded
	KindAppealOutcome        Kind = "appeal_outcome"        // applicant: the appeal is decided
	KindRenewalReminder      Kind = "renewal_reminder"      // holder: the accreditation runs out in 90 or 30 days (not before renewal opens)
	KindInterview            Kind = "interview"             // applicant, and the case's assessors but whoever set it: the interview is set, or moved
	KindRenewalOutcome       Kind = "renewal_outcome"       // holder: the renewal is assessed (renewed, refused, returned)
	KindAccreditationEnded   Kind = "accreditation_ended"   // holder: the office revoked or withdrew the accreditation
	KindAssigned             Kind = "assigned"              // assessor: a case was assigned to them
	KindInformationAnswered  Kind = "information_answered"  // assessor or office: the applicant answered their request
	KindDigest               Kind = "digest"                // office: the day's new submissions and overdue cases

	// Account recovery (domain/recovery): always sent, no choice.
	KindPasswordReset     Kind = "password_reset"     // a one-time link to set a new password
	KindEmailVerification Kind = "email_verification" // a one-time link confirming a new address

	// Account notices (the notifier, from the user's own events): always
	// sent, no choice, so that a change made by someone else is seen.
	KindPasswordChanged Kind = "password_changed"  // the account's password was changed or reset
	KindEmailChanged    Kind = "email_changed"     // to the address left: the account moved to another
	KindAccountDisabled Kind = "account_disabled"  // the office disabled the account (mailed although it is)
	KindAccountEnabled  Kind = "account_enabled"   // the office enabled the account again
	KindSessionsEnded   Kind = "sessions_ended"    // the office ended every session of the account
	KindResetLinkIssued Kind = "reset_link_issued" // the office made a password reset link for the account
)

// alwaysSent are the kinds no preference turns off.
var alwaysSent = []Kind{KindPasswordReset, KindEmailVerification, KindPasswordChanged, KindEmailChanged,
	KindAccountDisabled, KindAccountEnabled, KindSessionsEnded, KindResetLinkIssued}

// toDisabled reports whether kind k goes to a recipient whose account is
// disabled: the notices that the office disabled or enabled it. Every
// other kind is neither written to them nor, written before, sent. The
// enabling's notice goes too: before the notifier waited for its
// process's directory (Notifier.WaitFor) and the sender caught up before
// it cancelled, a directory a moment behind read the account as still
// disabled and dropped it under load; it stays as a second guard. One
// sent after a second disabling is followed by that one's notice.
func toDisabled(k Kind) bool { return k == KindAccountDisabled || k == KindAccountEnabled }

// KindsFor returns the kinds a user of role may receive, in the order the
// account page lists them.
func KindsFor(role domain.Role) []Kind {
	switch role {
	case domain.RoleApplicant:
		return []Kind{KindReturned, KindInformationRequested, KindInterview, KindDecision, KindAppealOutcome, KindRenewalReminder,
			KindRenewalOutcome, KindAccreditationEnded}
	case domain.RoleAssessor:
		return []Kind{KindAssigned, KindInterview, KindInformationAnswered}
	case domain.RoleOffice:
		return []Kind{KindDigest, KindInformationAnswered}
	}
	return nil
}

// ValidKind reports whether k is a kind of message.
func ValidKind(k Kind) bool {
	if slices.Contains(alwaysSent, k) {
		return true
	}
	for _, r := range domain.UserRoles {
		if slices.Contains(KindsFor(r), k) {
			return true
		}
	}
	return false
}

// Status is where a message stands in the outbox.
type Status string

// The statuses of a message.
const (
	StatusQueued    Status = "queued"    // waiting to be sent (or retried)
	StatusSending   Status = "sending"   // claimed by a sender
	StatusSent      Status = "sent"      // handed to the SMTP server
	StatusFailed    Status = "failed"    // given up after MaxAttempts
	StatusKept      Status = "kept"      // no SMTP configured: kept for the office to read
	StatusCancelled Status = "cancelled" // the recipient was erased before it was sent
)

// Message is one email in the outbox.
type Message struct {
	ID          string     `json:"id"`
	Kind        Kind       `json:"kind"`
	RecipientID string     `json:"recipient_id"`
	To          pii.Sealed `json:"to"`   // sealed with the recipient's key
	Body        pii.Sealed `json:"body"` // sealed with the recipient's key
	Subject     string     `json:"subject"`
	Language    string     `json:"language"`
	Link        string     `json:"link"`
	CaseID      string     `json:"case_id,omitempty"`
	MessageID   string     `json:"message_id"` // the Message-ID header
	CreatedAt   time.Time  `json:"created_at"`

	Status        Status    `json:"status"`
	Attempts      int       `json:"attempts,omitempty"`
	LastError     string    `json:"last_error,omitempty"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	ClaimedBy     string    `json:"claimed_by,omitempty"`
	ClaimedAt     time.Time `json:"claimed_at,omitzero"`
	SentAt        time.Time `json:"sent_at,omitzero"`
}

// Preferences are what a user chose to receive. The zero value is every
// kind on, in the language of the case (English when there is none).
type Preferences struct {
	Off      []Kind `json:"off,omitempty"`
	Language string `json:"language,omitempty"` // "en", "nl" or "" (the case's)
	// MadeIn is the language the account was made in (the sign-up's, or
	// the one the office gave a user it made): their mail's language while
	// neither their choice nor a case of theirs gives one (a Dutch
	// applicant's notices before their first case, a Dutch assessor's).
	MadeIn string `json:"made_in,omitempty"`
}

// Wants reports whether the user receives kind k.
func (p Preferences) Wants(k Kind) bool { return !slices.Contains(p.Off, k) }

// ErrExists is returned by Store.Create for an id already created.
var ErrExists = errors.New("message already exists")

// ErrStale is returned by Store.Update when the message moved past the
// revision the caller read.
var ErrStale = errors.New("message changed meanwhile")

// ErrNotFound is returned by Store.Get for an unknown id.
var ErrNotFound = errors.New("no such message")

// Store keeps the outbox, the notifier's cursor and the preferences.
type Store interface {
	// Create stores m under m.ID unless that id exists (ErrExists).
	Create(ctx context.Context, m Message) error
	// Get returns a message and its revision; ErrNotFound.
	Get(ctx context.Context, id string) (Message, uint64, error)
	// Update replaces the message if it is still at rev; ErrStale.
	Update(ctx context.Context, m Message, rev uint64) (uint64, error)
	// Watch calls fn with every message, then with each change, and gone
	// with the id of each message deleted, until ctx ends; ready is called
	// once the stored ones have all been given.
	Watch(ctx context.Context, fn func(Message), gone func(id string), ready func()) error
	// Delete removes a message (Outbox.Purge).
	Delete(ctx context.Context, id string) error
	// Cursor is the notifier's position; false when it has none.
	Cursor(ctx context.Context) (uint64, bool, error)
	// SetCursor records the notifier's position.
	SetCursor(ctx context.Context, seq uint64) error
	// Preferences returns a user's (the zero value when none were saved).
	Preferences(ctx context.Context, userID string) (Preferences, error)
	// SetPreferences saves a user's.
	SetPreferences(ctx context.Context, userID string, p Preferences) error
}

// Envelope is one email as a Transport sends it.
type Envelope struct {
	From, To, Subject, Body string
	MessageID               string
	Language                string
	Date                    time.Time
}

// Transport delivers an email (an SMTP client).
type Transport interface {
	Send(ctx context.Context, e Envelope) error
}
