// Package recovery is account recovery by one-time links: "forgot your
// password" mailed to the account's address, a reset link the office
// issues for a user who gets no mail, and the confirmation of a new email
// address by a link sent to it before it counts.
//
// A link carries a random token (256 bits); only its SHA-256 is stored
// (Store), with whose it is, what it is for and when it runs out (TTL).
// It also holds the user's count of credential changes when it was issued
// (accounts.User.CredentialChanges), and works only while that count is
// the same: the change it makes (a password set, an address moved) counts,
// and so does every other (sessions ended, the account disabled). So it
// works once, even when two requests race, across processes: the command
// checks the count as it decides, on the user's stream (accounts:
// ErrCredentialsChanged), and of two, the second is refused.
//
// Using it marks it used, with the command id that used it: a retry of
// that command (its first attempt failed, or its answer was lost) may use
// it again until it runs out, and the event store's command ids keep the
// retry from applying twice. A link whose use was not recorded (the event
// store failed, nothing changed) is not used up: its page shows the form
// again and another command may use it, as a user who opens it again from
// their mail sends a new one.
//
// Asking for a reset answers the same whether the address is registered
// or not, and does the work after answering, so neither the answer nor its
// timing tells.
//
// It imports neither nats.go nor echo.
package recovery

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/domain/pii"
)

// TTL is how long a link works.
const TTL = 30 * time.Minute

// Purpose is what a link is for.
type Purpose string

// The purposes of a link.
const (
	PurposePassword Purpose = "password"
	PurposeEmail    Purpose = "email"
)

// Token is a link as stored, under the hash of its token.
type Token struct {
	UserID    string     `json:"user_id"`
	Purpose   Purpose    `json:"purpose"`
	NewEmail  pii.Sealed `json:"new_email,omitzero"` // PurposeEmail: sealed with the user's key
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    time.Time  `json:"used_at,omitzero"`
	// UsedBy is the command id (aggregate.Meta.CommandID) that used it
	// last, "" for none: a retry of that command may use it again (see
	// redeem). UsedByEarlier are those that used it before, oldest first,
	// the last maxUsedBy: a use that changed nothing leaves the link to
	// another command, and the retry of the one before must still be
	// known for one.
	UsedBy        string   `json:"used_by,omitempty"`
	UsedByEarlier []string `json:"used_by_earlier,omitempty"`
	// CredentialChanges is the user's count when the link was issued
	// (accounts.User.CredentialChanges): a password changed, the sessions
	// ended, the address moved or the account disabled since ends it.
	CredentialChanges int `json:"credential_changes,omitzero"`
	// IssuedBy is the office user who issued the link by hand
	// (IssueReset), "" for one mailed on request: the password set with
	// it records them (accounts.PasswordChanged.IssuedBy).
	IssuedBy string `json:"issued_by,omitempty"`
}

// maxUsedBy is how many of the command ids that used a link it keeps
// (UsedBy and UsedByEarlier): each is a use that changed nothing (the
// event store failed), so a few.
const maxUsedBy = 8

// usedBy reports whether command id used t (a retry of it).
func (t Token) usedBy(id string) bool {
	return !t.UsedAt.IsZero() && id != "" && (t.UsedBy == id || slices.Contains(t.UsedByEarlier, id))
}

// ErrNoToken is returned by Store.Token for an unknown hash.
var ErrNoToken = errors.New("no such token")

// Store keeps the tokens by hash.
type Store interface {
	CreateToken(ctx context.Context, hash string, t Token) error
	// Token returns a token and its revision; ErrNoToken.
	Token(ctx context.Context, hash string) (Token, uint64, error)
	// UpdateToken replaces the token if it is still at rev; mail.ErrStale.
	UpdateToken(ctx context.Context, hash string, t Token, rev uint64) error
	// Tokens calls fn with every token stored (not its hash): the links
	// are few, as Sweep removes them a day after they run out.
	Tokens(ctx context.Context, fn func(Token)) error
	// Reserve creates key once, across processes: true for the one
	// creation that succeeds, false when it was there already.
	Reserve(ctx context.Context, key string) (bool, error)
	// Sweep removes the tokens done reports, and the slots of the hours
	// past reports (as Reserve's keys name them, yyyymmddhh); it returns
	// how many.
	Sweep(ctx context.Context, done func(Token) bool, past func(hour string) bool) (int, error)
}

// Options configure a Service.
type Options struct {
	Store    Store
	Accounts *accounts.Service
	Outbox   *mail.Outbox
	Vault    *pii.Vault
	// Throttle keeps the clients' counts of reset requests (see
	// ClientWindow): one shared by every process of a cluster
	// (natsstore.ThrottleStore), so that the limit holds for them together.
	// Without it they are counted in this process alone
	// (accounts.MemoryThrottle).
	Throttle accounts.ThrottleStore
	// CaseLanguage is the language of the newest case a user applied with
	// ("" when none; cases.Service.LanguageOf): a link's mail is in it when
	// the user chose no language and no page asked. Nil: none is looked up.
	CaseLanguage func(ctx context.Context, userID string) (string, error)
	BaseURL      string
	Now          func() time.Time
	Log          *slog.Logger
}

// Service issues and redeems the links.
type Service struct {
	o Options
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Throttle == nil {
		o.Throttle = accounts.NewMemoryThrottle()
	}
	return &Service{o: o}
}

// SetBaseURL sets where links lead (known once the server listens).
func (s *Service) SetBaseURL(base string) { s.o.BaseURL = strings.TrimRight(base, "/") }

// Hash is the stored form of a token.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// issue stores a new token for t and returns it.
func (s *Service) issue(ctx context.Context, t Token) (string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	t.ExpiresAt = s.o.Now().UTC().Add(TTL)
	if err := s.o.Store.CreateToken(ctx, Hash(token), t); err != nil {
		return "", domain.Wrap(domain.Unavailable, err, "link store unavailable")
	}
	return token, nil
}

// ResetLink is where a password reset token leads.
func (s *Service) ResetLink(token string) string {
	return s.o.BaseURL + "/reset-password?token=" + token
}

// EmailLink is where an email confirmation token leads.
func (s *Service) EmailLink(token string) string {
	return s.o.BaseURL + "/confirm-email?token=" + token
}

// RequestReset mails a reset link to the account of email, if there is
// one that may log in and it has not had PerHour links this hour. It
// returns at once and does the work afterwards: the caller answers alike
// for every address. The mail is in the user's chosen language, else in
// lang, the language of the page that asked ("" for none: their newest
// case's, else English). Errors: TooManyRequests when client (its
// address) asked too often, before anything is looked up; Unavailable when
// its count cannot be read or written.
func (s *Service) RequestReset(ctx context.Context, email, client, lang string) error {
	if wait, err := s.allow(ctx, client, s.o.Now()); err != nil {
		return err
	} else if wait > 0 {
		return tooMany("password reset requests", wait)
	}
	ctx = context.WithoutCancel(ctx)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := s.requestReset(ctx, email, lang); err != nil {
			s.o.Log.Warn("password reset request", "err", err)
		}
	}()
	return nil
}

func (s *Service) requestReset(ctx context.Context, email, lang string) error {
	id, ok, err := s.o.Accounts.UserIDByEmail(ctx, email)
	if err != nil || !ok {
		return err
	}
	u, err := s.o.Accounts.UserOpened(ctx, id) // mailed: never a placeholder
	if err != nil {
		return err
	}
	if u.Erased || u.Disabled {
		return nil
	}
	if ok, err := s.reserve(ctx, PurposePassword, id); err != nil || !ok {
		if err == nil {
			s.o.Log.Info("password reset not mailed: the account had its links for this hour", "user", id, "per_hour", PerHour)
		}
		return err
	}
	token, err := s.issue(ctx, Token{UserID: id, Purpose: PurposePassword, CredentialChanges: u.CredentialChanges})
	if err != nil {
		return err
	}
	return s.mail(ctx, u, u.Email, mail.KindPasswordReset, token, s.ResetLink(token), lang)
}

// Issued is a reset link the office made by hand, and the record of it.
type Issued struct {
	Link      string
	ExpiresAt time.Time
	// Result is that of the command that recorded it
	// (accounts.EventResetLinkIssued).
	Result aggregate.Result
}

// IssueReset makes a reset link for a user, for the office to hand over
// when the user gets no mail. Whoever holds the link can take over the
// account, another office user's too, so it is recorded first, on the
// user's stream with meta's actor (accounts.Service.RecordResetLink), and
// the link knows who issued it (Token.IssuedBy): the password set with it
// says so. A link is made only once that record is stored: none works that
// the history does not show. A retry of the command (meta's command id)
// records nothing new and makes a new link, as the first one's token is
// not kept to be shown again. Errors: NotFound (no such user, erased or
// disabled), Unavailable.
func (s *Service) IssueReset(ctx context.Context, meta aggregate.Meta, userID string) (Issued, error) {
	u, err := s.o.Accounts.User(ctx, userID)
	if err != nil {
		return Issued{}, err
	}
	if u.Erased || u.Disabled {
		return Issued{}, domain.Errorf(domain.NotFound, "no user %s", userID)
	}
	res, err := s.o.Accounts.RecordResetLink(ctx, meta, userID)
	if err != nil {
		return Issued{}, err
	}
	token, err := s.issue(ctx, Token{UserID: userID, Purpose: PurposePassword, CredentialChanges: u.CredentialChanges, IssuedBy: meta.Actor.ID})
	if err != nil {
		return Issued{}, err
	}
	return Issued{Link: s.ResetLink(token), ExpiresAt: s.o.Now().UTC().Add(TTL), Result: res}, nil
}

// mail writes the link's email to the outbox (it is always sent: no
// preference turns it off), in the user's chosen language, else in asked,
// the language of the page that asked for it, else in that of the newest
// case they applied with, else in English.
func (s *Service) mail(ctx context.Context, u accounts.UserView, to string, kind mail.Kind, token, link, asked string) error {
	prefs, err := s.o.Outbox.Store().Preferences(ctx, u.ID)
	if err != nil {
		return err
	}
	lang := prefs.Language
	if lang == "" {
		lang = asked
	}
	if lang == "" && s.o.CaseLanguage != nil {
		if lang, err = s.o.CaseLanguage(ctx, u.ID); err != nil {
			return err
		}
	}
	if lang != "nl" {
		lang = "en"
	}
	d := mail.Data{Name: u.Name, Link: link, Minutes: int(TTL.Minutes())}
	if kind == mail.KindEmailVerification {
		// A new address is not yet known to be the user's: whoever holds
		// it may be someone else, and must not learn whose account it is.
		d.Name = ""
	}
	subject, body, err := mail.Render(kind, lang, d)
	if err != nil {
		return err
	}
	// The id is the token's hash, shortened: one message per link.
	_, err = s.o.Outbox.Add(ctx, mail.Draft{ID: string(kind) + "." + Hash(token)[:32], Kind: kind, RecipientID: u.ID,
		Email: to, Language: lang, Subject: subject, Body: body})
	return err
}

// Link is a recovery link as its user may see it in their export: what it
// is for, when it was made, runs out and was used, never its token (it
// would open the account) nor its hash.
type Link struct {
	Purpose   Purpose    `json:"purpose"`
	Status    LinkStatus `json:"status"`
	IssuedAt  time.Time  `json:"issued_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    time.Time  `json:"used_at,omitzero"`
	NewEmail  string     `json:"new_email,omitempty"` // PurposeEmail: the address it confirms
}

// LinkStatus is whether a link still works.
type LinkStatus string

// The statuses of a link.
const (
	LinkPending LinkStatus = "pending" // works until it expires
	LinkUsed    LinkStatus = "used"
	LinkExpired LinkStatus = "expired"
	// LinkEnded: the password changed, the sessions were ended, the
	// address moved or the account was disabled since (stillTheirs).
	LinkEnded LinkStatus = "ended"
)

// Links returns the links stored for user u (until Sweep removes them, a
// day after they run out), oldest first. Errors: Unavailable.
func (s *Service) Links(ctx context.Context, u accounts.UserView) ([]Link, error) {
	now := s.o.Now().UTC()
	out := []Link{}
	err := s.o.Store.Tokens(ctx, func(t Token) {
		if t.UserID != u.ID {
			return
		}
		// Made TTL before it runs out: the token keeps no time of its own.
		l := Link{Purpose: t.Purpose, IssuedAt: t.ExpiresAt.Add(-TTL), ExpiresAt: t.ExpiresAt, Status: LinkPending}
		ended := u.Disabled || u.CredentialChanges != t.CredentialChanges
		switch {
		case !t.UsedAt.IsZero() && ended:
			// A use that was recorded changed the credentials; one that
			// was not (the event store failed) left the link working.
			l.Status, l.UsedAt = LinkUsed, t.UsedAt
		case !now.Before(t.ExpiresAt):
			l.Status = LinkExpired
		case ended:
			l.Status = LinkEnded
		}
		if t.Purpose == PurposeEmail {
			l.NewEmail = s.o.Vault.Reveal(ctx, t.NewEmail)
		}
		out = append(out, l)
	})
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "link store unavailable")
	}
	slices.SortFunc(out, func(a, b Link) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
	return out, nil
}

// badLink is the one answer for a token that is unknown, used, expired or
// for something else: which of these it was is not told.
func badLink() error {
	return domain.InvalidFields("invalid link", domain.FieldError{Field: "token", Reason: "this link is not valid: it is wrong, used or older than 30 minutes; ask for a new one"})
}

// redeem marks token used for purpose by meta's command and returns it.
// ready, when set, runs on the live token before it is marked used: what
// it refuses (an error it returns) leaves the link as it was, so a failure
// of the moment does not use it up.
//
// A link is used up by the change its command records, not by being
// marked: that change counts among the user's credential changes, which
// stillTheirs refuses, and which the command checks again as it decides
// (accounts.ErrCredentialsChanged), on the user's stream, so that of two
// commands racing with one link one changes and the other is refused. A
// link marked used by a command that changed nothing (the event store
// failed) is as good as unused: another command may use it.
//
// A command that used a link may use it again until it runs out: it may
// have failed after the link was used (the event store down for a moment,
// or its answer lost), and its retry must not be told the link is used.
// The command it makes carries the same id, so the event store applies it
// at most once. The retry is not asked stillTheirs: the command's own
// change, read from the store before this process has applied it, would
// refuse it; the command checks the user's credentials as it decides
// instead, where a change of its own is answered as recorded.
func (s *Service) redeem(ctx context.Context, meta aggregate.Meta, token string, purpose Purpose, ready func(Token) error) (Token, error) {
	if token == "" || len(token) > 100 {
		return Token{}, badLink()
	}
	h := Hash(token)
	t, rev, err := s.o.Store.Token(ctx, h)
	if errors.Is(err, ErrNoToken) {
		return Token{}, badLink()
	}
	if err != nil {
		return Token{}, domain.Wrap(domain.Unavailable, err, "link store unavailable")
	}
	now := s.o.Now().UTC()
	retry := t.usedBy(meta.CommandID)
	if t.Purpose != purpose || !now.Before(t.ExpiresAt) {
		return Token{}, badLink()
	}
	if !retry {
		if err := s.stillTheirs(ctx, t); err != nil {
			return Token{}, err
		}
	}
	if ready != nil {
		if err := ready(t); err != nil {
			return Token{}, err
		}
	}
	if retry {
		return t, nil // used by this command already
	}
	if !t.UsedAt.IsZero() && t.UsedBy != "" { // a use that changed nothing
		t.UsedByEarlier = append(t.UsedByEarlier, t.UsedBy)
		t.UsedByEarlier = t.UsedByEarlier[max(0, len(t.UsedByEarlier)-(maxUsedBy-1)):]
	}
	t.UsedAt, t.UsedBy = now, meta.CommandID
	if err := s.o.Store.UpdateToken(ctx, h, t, rev); errors.Is(err, mail.ErrStale) {
		return Token{}, badLink() // used a moment ago
	} else if err != nil {
		return Token{}, domain.Wrap(domain.Unavailable, err, "link store unavailable")
	}
	return t, nil
}

// Check reports whether token is a live link for purpose, without using
// it (the page showing the form): not run out, and its user's credentials
// unchanged since it was issued. A link used by a command that changed
// nothing (the event store failed) is live; one whose use was recorded is
// not, as that use changed them.
func (s *Service) Check(ctx context.Context, token string, purpose Purpose) error {
	if token == "" || len(token) > 100 {
		return badLink()
	}
	t, _, err := s.o.Store.Token(ctx, Hash(token))
	if errors.Is(err, ErrNoToken) {
		return badLink()
	}
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "link store unavailable")
	}
	if t.Purpose != purpose || !s.o.Now().Before(t.ExpiresAt) {
		return badLink()
	}
	return s.stillTheirs(ctx, t)
}

// stillTheirs refuses a link whose user has since changed their password,
// had their sessions ended or their address moved, or is disabled or
// erased: someone who held a session or knew the password then, and asked
// for the link, must not come back by it once the user has shut them out.
func (s *Service) stillTheirs(ctx context.Context, t Token) error {
	u, err := s.o.Accounts.User(ctx, t.UserID)
	if domain.Is(err, domain.NotFound) {
		return badLink()
	}
	if err != nil {
		return err
	}
	if u.Disabled || u.Erased || u.CredentialChanges != t.CredentialChanges {
		return badLink()
	}
	return nil
}

// Reset sets the password of the link's user. The password is checked
// before the link is used, so a refused password leaves the link working.
// Errors: Invalid (the password, or the link).
func (s *Service) Reset(ctx context.Context, meta aggregate.Meta, token, password string) (aggregate.Result, error) {
	if res, ok, err := s.o.Accounts.ResetRecorded(ctx, meta); ok { // a retry: its link is used
		return res, err
	}
	if why := accounts.CheckNewPassword(password); why != "" {
		return aggregate.Result{}, domain.InvalidFields("invalid password", domain.FieldError{Field: "password", Reason: why})
	}
	t, err := s.redeem(ctx, meta, token, PurposePassword, nil)
	if err != nil {
		return aggregate.Result{}, err
	}
	meta.Actor = domain.Actor{ID: t.UserID, Role: domain.RoleApplicant}
	if u, err := s.o.Accounts.User(ctx, t.UserID); err == nil {
		meta.Actor.Role = u.Role
	}
	res, err := s.o.Accounts.ResetPassword(ctx, meta, t.UserID, password, t.CredentialChanges, t.IssuedBy)
	if domain.Is(err, domain.NotFound) || errors.Is(err, accounts.ErrCredentialsChanged) {
		return res, badLink()
	}
	return res, err
}

// ReasonEmailUnchanged is the field reason for a new address that is the
// user's own already (no link is sent for it).
const ReasonEmailUnchanged = "this is your address already"

// RequestEmailChange mails a confirmation link to a user's new address;
// the address counts once the link is followed. current must be the user's
// password: whoever holds the address can reset the password, so a session
// alone (one left open, or stolen) must not be enough to move it. The mail
// is in the user's chosen language, else in lang, the language of the page
// that asked ("" for none: their newest case's, else English). Errors:
// Invalid (also the user's own address: ReasonEmailUnchanged),
// Unauthorized (the password, naming current_password), TooManyRequests
// (PerHour links this hour already, or wrong passwords as for a login).
func (s *Service) RequestEmailChange(ctx context.Context, userID, email, current, lang string) error {
	email = strings.TrimSpace(email)
	if err := accounts.CheckEmail(email); err != nil {
		return domain.InvalidFields("invalid email", domain.FieldError{Field: "email", Reason: err.Error()})
	}
	u, err := s.o.Accounts.UserOpened(ctx, userID) // mailed: never a placeholder
	if err != nil {
		return err
	}
	if accounts.NormaliseEmail(email) == accounts.NormaliseEmail(u.Email) {
		return domain.InvalidFields("the same email", domain.FieldError{Field: "email", Reason: ReasonEmailUnchanged})
	}
	if err := s.o.Accounts.ConfirmPassword(ctx, userID, current); err != nil {
		return err
	}
	if ok, err := s.reserve(ctx, PurposeEmail, userID); err != nil {
		return err
	} else if !ok {
		wait := s.untilNextHour()
		return &domain.Error{Code: domain.TooManyRequests, RetryAfter: int(wait.Seconds()) + 1,
			Message: fmt.Sprintf("%d confirmation links were sent this hour; ask again after the hour", PerHour)}
	}
	sealed, err := s.o.Vault.Seal(ctx, userID, email)
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "key store unavailable")
	}
	token, err := s.issue(ctx, Token{UserID: userID, Purpose: PurposeEmail, NewEmail: sealed, CredentialChanges: u.CredentialChanges})
	if err != nil {
		return err
	}
	if err := s.mail(ctx, u, email, mail.KindEmailVerification, token, s.EmailLink(token), lang); err != nil {
		return domain.Wrap(domain.Unavailable, err, "outbox unavailable")
	}
	return nil
}

// ConfirmEmail makes the link's new address the user's. Errors: Invalid
// (the link), Conflict (the address belongs to someone else meanwhile).
func (s *Service) ConfirmEmail(ctx context.Context, meta aggregate.Meta, token string) (aggregate.Result, error) {
	if res, ok, err := s.o.Accounts.EmailChangeRecorded(ctx, meta); ok { // a retry: its link is used
		return res, err
	}
	// The new address is opened before the link is used: a key store
	// that does not answer for a moment is a 503 to retry with the same
	// link, not a link used up and called bad.
	var email string
	t, err := s.redeem(ctx, meta, token, PurposeEmail, func(t Token) error {
		var err error
		email, err = s.o.Vault.Open(ctx, t.NewEmail)
		switch {
		case errors.Is(err, pii.ErrErased):
			return badLink() // erased meanwhile
		case err != nil:
			e := domain.Wrap(domain.Unavailable, err, "the new address cannot be read for now")
			e.RetryAfter = 1
			return e
		}
		return nil
	})
	if err != nil {
		return aggregate.Result{}, err
	}
	u, err := s.o.Accounts.User(ctx, t.UserID)
	if domain.Is(err, domain.NotFound) {
		return aggregate.Result{}, badLink()
	} else if err != nil {
		return aggregate.Result{}, err
	}
	meta.Actor = domain.Actor{ID: u.ID, Role: u.Role}
	res, err := s.o.Accounts.ChangeEmailIf(ctx, meta, t.UserID, email, t.CredentialChanges)
	if errors.Is(err, accounts.ErrCredentialsChanged) {
		return res, badLink()
	}
	if err != nil {
		return res, fmt.Errorf("confirm email: %w", err)
	}
	return res, nil
}
