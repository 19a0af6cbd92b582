package accounts

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// Streams. Each user is an aggregate of its own ("accounts.user.<id>"),
// and each normalised email a reservation ("accounts.email.<blinded
// email>"), so that no command waits for another user's. Before, the whole
// directory was one aggregate in one stream ("accounts.directory"); that
// stream is still read (upcast: each event goes to the user it names) and
// never written.
const (
	UserPrefix  = "accounts.user"
	EmailPrefix = "accounts.email"

	// StreamPrefix and DirectoryID name the old directory stream.
	StreamPrefix = "accounts"
	DirectoryID  = "directory"
)

// DirectoryStream is the old stream of the whole directory.
const DirectoryStream = StreamPrefix + "." + DirectoryID

// Event types; stable names, never renamed.
const (
	EventUserRegistered  = "accounts.user_registered"
	EventProfileSet      = "accounts.assessor_profile_set"
	EventUserDisabled    = "accounts.user_disabled"
	EventUserEnabled     = "accounts.user_enabled"
	EventPasswordChanged = "accounts.password_changed"
	EventUserErased      = "accounts.user_erased"
	EventSessionsEnded   = "accounts.sessions_ended"
	EventEmailChanged    = "accounts.email_changed"
	EventEmailReserved   = "accounts.email_reserved"
	EventEmailReleased   = "accounts.email_released"
	// EventErasureCompleted follows an erasure once what it reaches
	// beyond the user (their cases ended, their files deleted) is done:
	// the jobs that finish an interrupted erasure pass over the user then.
	EventErasureCompleted = "accounts.erasure_completed"
	// EventResetLinkIssued records that the office made a password reset
	// link for the user by hand (recovery.Service.IssueReset).
	EventResetLinkIssued = "accounts.reset_link_issued"
)

// UserRegistered records a new user.
type UserRegistered struct {
	UserID       string      `json:"user_id"`
	Role         domain.Role `json:"role"`
	Email        pii.Sealed  `json:"email"`
	Name         pii.Sealed  `json:"name"`
	PasswordHash pii.Sealed  `json:"password_hash"`
	SelfService  bool        `json:"self_service"` // registered themselves
	// EmailKey is the blinded normalised email whose reservation the user
	// holds; empty for users registered in the old directory stream.
	EmailKey string `json:"email_key,omitempty"`
}

// EmailChanged records a user's new email, reserved beforehand under
// EmailKey. Previous is the address it replaces (sealed as it was), for
// the notice mailed to it: whoever moved the account must not do it
// unseen by the mailbox it leaves. Absent in events written before it.
type EmailChanged struct {
	UserID   string     `json:"user_id"`
	Email    pii.Sealed `json:"email"`
	EmailKey string     `json:"email_key"`
	Previous pii.Sealed `json:"previous,omitzero"`
}

// AssessorProfileSet records what an assessor may assess.
type AssessorProfileSet struct {
	UserID    string          `json:"user_id"`
	Schemes   []string        `json:"schemes"`
	MaxLevel  framework.Level `json:"max_level"`
	Languages []string        `json:"languages"`
	Conflicts []string        `json:"conflicts"`
}

// UserDisabled records that a user may no longer log in.
type UserDisabled struct {
	UserID string     `json:"user_id"`
	Reason pii.Sealed `json:"reason"`
}

// UserEnabled records that a disabled user may log in again.
type UserEnabled struct {
	UserID string     `json:"user_id"`
	Reason pii.Sealed `json:"reason"`
}

// PasswordChanged records a new password hash. IssuedBy is the office
// user who issued by hand the reset link it was set with (ResetLinkIssued):
// the change is the link holder's act, made possible by that office user.
// Absent for a change made with the current password or with a link mailed
// on request, and in events written before it.
type PasswordChanged struct {
	UserID       string     `json:"user_id"`
	PasswordHash pii.Sealed `json:"password_hash"`
	IssuedBy     string     `json:"issued_by,omitempty"`
}

// ResetLinkIssued records that the office made a password reset link for
// the user, to hand over: whoever holds it can set the password, so the
// history says who made it (the event's actor) and when. Never the link
// nor its token: either would open the account to whoever reads the
// history.
type ResetLinkIssued struct {
	UserID string `json:"user_id"`
}

// SessionsEnded records that the office ended every session of a user, or
// (KeptCurrent) that the user ended every session of theirs but the one
// they asked from.
type SessionsEnded struct {
	UserID      string `json:"user_id"`
	KeptCurrent bool   `json:"kept_current,omitempty"`
}

// ErasureCompleted records that an erasure was seen through.
type ErasureCompleted struct {
	UserID string `json:"user_id"`
}

// UserErased records a GDPR erasure: the user's key is deleted.
type UserErased struct {
	UserID string `json:"user_id"`
	// Ground is the legal ground (ErasureGrounds): the record the office
	// keeps of why, in clear.
	Ground string `json:"ground,omitempty"`
	// Note is the office's free text, sealed under the erased person's
	// key: it may name them, so it goes with them.
	Note pii.Sealed `json:"note,omitzero"`
	// Reason is the free text of an erasure recorded before December 2026,
	// kept in clear then.
	Reason string `json:"reason,omitempty"`
}

// The legal grounds an erasure is recorded with: GDPR article 17(1)'s,
// and the end of the retention period (README, "Retention").
const (
	GroundRequest   = "data_subject_request"
	GroundConsent   = "consent_withdrawn"
	GroundObjection = "objection"
	GroundUnlawful  = "unlawful_processing"
	GroundLegal     = "legal_obligation"
	GroundRetention = "retention_period_ended"
)

// ErasureGrounds lists the grounds in the order a form offers them.
var ErasureGrounds = []string{GroundRequest, GroundConsent, GroundObjection, GroundUnlawful, GroundLegal, GroundRetention}

// Profile is what an assessor may assess.
type Profile struct {
	Schemes   []string        `json:"schemes"`
	MaxLevel  framework.Level `json:"max_level"`
	Languages []string        `json:"languages"`
	Conflicts []string        `json:"conflicts"`
}

// User is one account: the aggregate of its own stream.
type User struct {
	ID           string
	Role         domain.Role
	Email        pii.Sealed
	Name         pii.Sealed
	PasswordHash pii.Sealed
	// EmailKey is the reservation the user holds (see UserRegistered).
	EmailKey  string
	CreatedAt time.Time
	Disabled  bool
	Erased    bool
	Profile   *Profile
	// CredentialChanges counts the password's changes, the ends of all
	// sessions, the moves of the email address and the disablings: a
	// recovery link issued before one of them no longer works, so that
	// whoever learnt the password or held a session cannot come back by a
	// link they asked for then.
	CredentialChanges int
	// ErasureCompleted: the erasure's work beyond the user is done.
	ErasureCompleted bool
}

func newUserState(id string) *User { return &User{ID: id} }

// registered reports whether the user exists (was registered).
func (u *User) registered() bool { return u.Role != "" }

// Clone implements aggregate.Root.
func (u *User) Clone() *User {
	c := *u
	if u.Profile != nil {
		p := *u.Profile
		p.Schemes, p.Languages, p.Conflicts = slices.Clone(p.Schemes), slices.Clone(p.Languages), slices.Clone(p.Conflicts)
		c.Profile = &p
	}
	return &c
}

// Apply implements aggregate.Root. Events of the old directory stream come
// here too, routed by their user id, and are the same types.
func (u *User) Apply(e eventstore.Event) error {
	switch e.Type {
	case EventUserRegistered:
		var p UserRegistered
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		*u = User{ID: p.UserID, Role: p.Role, Email: p.Email, Name: p.Name, PasswordHash: p.PasswordHash, EmailKey: p.EmailKey, CreatedAt: e.OccurredAt}
	case EventProfileSet:
		var p AssessorProfileSet
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		u.Profile = &Profile{Schemes: p.Schemes, MaxLevel: p.MaxLevel, Languages: p.Languages, Conflicts: p.Conflicts}
	case EventUserDisabled:
		u.Disabled = true
		u.CredentialChanges++
	case EventUserEnabled:
		u.Disabled = false
	case EventPasswordChanged:
		var p PasswordChanged
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		u.PasswordHash = p.PasswordHash
		u.CredentialChanges++
	case EventEmailChanged:
		var p EmailChanged
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		u.Email, u.EmailKey = p.Email, p.EmailKey
		u.CredentialChanges++
	case EventSessionsEnded:
		// A record of who ended them; the sessions are not state.
		u.CredentialChanges++
	case EventUserErased:
		u.Erased, u.Disabled = true, true
		u.Email, u.Name, u.PasswordHash = pii.Sealed{}, pii.Sealed{}, pii.Sealed{}
	case EventErasureCompleted:
		u.ErasureCompleted = true
	case EventResetLinkIssued:
		// A record of who made the link; the link is not state (the
		// recovery store keeps it), and issuing one changes no credential.
	}
	return nil
}

// userOf routes an event of the old directory stream to its user: every
// one of its payloads names the user in user_id.
func userOf(stream string, e eventstore.Event) (string, bool) {
	if stream != DirectoryStream {
		return "", false
	}
	var p struct {
		UserID string `json:"user_id"`
	}
	if json.Unmarshal(e.Data, &p) != nil || p.UserID == "" {
		return "", false
	}
	return p.UserID, true
}

var errEmailTaken = &domain.Error{Code: domain.Conflict, Message: "a user with this email already exists",
	Fields: []domain.FieldError{{Field: "email", Reason: "already registered"}}}

// EmailTaken reports whether err refused an email for being another
// user's (a Conflict; other conflicts are not this).
func EmailTaken(err error) bool { return errors.Is(err, errEmailTaken) }

// Register decides a new user.
func (u *User) Register(in UserRegistered) ([]aggregate.Change, error) {
	if !in.Role.Valid() {
		return nil, domain.InvalidFields("invalid role", domain.FieldError{Field: "role", Reason: "must be applicant, assessor or office"})
	}
	if u.registered() {
		return nil, domain.Errorf(domain.Conflict, "user %s exists", in.UserID)
	}
	return []aggregate.Change{{Type: EventUserRegistered, Data: in}}, nil
}

// SetProfile decides an assessor profile; known tells whether a user id
// (a conflict of interest) exists.
func (u *User) SetProfile(p Profile, known func(id string) bool) ([]aggregate.Change, error) {
	if err := u.live(); err != nil {
		return nil, err
	}
	if u.Role != domain.RoleAssessor {
		return nil, domain.Errorf(domain.Unprocessable, "user %s is %s, not an assessor", u.ID, u.Role)
	}
	// Over-long lists are refused before their items are looked at, so the
	// answer does not grow with them.
	if err := limits.Check("invalid assessor profile", limits.Schemes.List("schemes", len(p.Schemes)),
		limits.Languages.List("languages", len(p.Languages)), limits.Conflicts.List("conflicts", len(p.Conflicts))); err != nil {
		return nil, err
	}
	var fields []domain.FieldError
	if len(p.Schemes) == 0 {
		fields = append(fields, domain.FieldError{Field: "schemes", Reason: "at least one of EIA, EQA"})
	}
	for _, s := range p.Schemes {
		if s != "EIA" && s != "EQA" {
			fields = append(fields, domain.FieldError{Field: "schemes", Reason: fmt.Sprintf("unknown scheme %q", s)})
		}
	}
	if !p.MaxLevel.Valid() {
		fields = append(fields, domain.FieldError{Field: "max_level", Reason: "one of foundation, practitioner, senior_practitioner, master_practitioner"})
	}
	if len(p.Languages) == 0 {
		fields = append(fields, domain.FieldError{Field: "languages", Reason: "at least one language code"})
	}
	for _, l := range p.Languages {
		if !domain.AssignedLanguage(l) {
			fields = append(fields, domain.FieldError{Field: "languages", Reason: fmt.Sprintf("%q is not a two-letter language code", l)})
		}
	}
	for _, c := range p.Conflicts {
		switch {
		case c == u.ID:
			fields = append(fields, domain.FieldError{Field: "conflicts", Reason: "the assessor themself: a conflict of interest is with another person"})
		case !known(c):
			fields = append(fields, domain.FieldError{Field: "conflicts", Reason: fmt.Sprintf("unknown user %q", c)})
		}
	}
	if len(fields) > 0 {
		return nil, domain.InvalidFields("invalid assessor profile", fields...)
	}
	// Conflicts are a set, like schemes and languages: repeats are dropped.
	conflicts := append([]string{}, slices.Compact(slices.Sorted(slices.Values(p.Conflicts)))...)
	return []aggregate.Change{{Type: EventProfileSet, Data: AssessorProfileSet{UserID: u.ID,
		Schemes: slices.Compact(slices.Sorted(slices.Values(p.Schemes))), MaxLevel: p.MaxLevel,
		Languages: slices.Compact(slices.Sorted(slices.Values(p.Languages))), Conflicts: conflicts}}}, nil
}

// ChangePassword decides a user's new password hash; issuedBy is the
// office user who issued the reset link it is set with ("" for none: see
// PasswordChanged).
func (u *User) ChangePassword(hash pii.Sealed, issuedBy string) ([]aggregate.Change, error) {
	if err := u.live(); err != nil {
		return nil, err
	}
	return []aggregate.Change{{Type: EventPasswordChanged, Data: PasswordChanged{UserID: u.ID, PasswordHash: hash, IssuedBy: issuedBy}}}, nil
}

// IssueResetLink decides that the office makes a password reset link for
// the user. A disabled user gets none (they may not log in), nor an erased
// or unknown one: NotFound.
func (u *User) IssueResetLink() ([]aggregate.Change, error) {
	if err := u.live(); err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, domain.Errorf(domain.NotFound, "no user %s", u.ID)
	}
	return []aggregate.Change{{Type: EventResetLinkIssued, Data: ResetLinkIssued{UserID: u.ID}}}, nil
}

// ChangeEmail decides a user's new email, whose reservation (under key)
// the user already holds.
func (u *User) ChangeEmail(email pii.Sealed, key string) ([]aggregate.Change, error) {
	if err := u.live(); err != nil {
		return nil, err
	}
	if u.EmailKey == key {
		return nil, nil
	}
	return []aggregate.Change{{Type: EventEmailChanged, Data: EmailChanged{UserID: u.ID, Email: email, EmailKey: key, Previous: u.Email}}}, nil
}

// EndSessions decides that every session of a user ends, but the one it
// is asked from when keepCurrent. Its record says who ended them, and when;
// the state counts it among the credential changes (CredentialChanges).
func (u *User) EndSessions(keepCurrent bool) ([]aggregate.Change, error) {
	if err := u.live(); err != nil {
		return nil, err
	}
	return []aggregate.Change{{Type: EventSessionsEnded, Data: SessionsEnded{UserID: u.ID, KeptCurrent: keepCurrent}}}, nil
}

// Disable decides that a user may no longer log in.
func (u *User) Disable(reason pii.Sealed) ([]aggregate.Change, error) {
	if err := u.live(); err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, nil
	}
	return []aggregate.Change{{Type: EventUserDisabled, Data: UserDisabled{UserID: u.ID, Reason: reason}}}, nil
}

// Enable decides that a disabled user may log in again (with the password
// they had; their sessions ended when they were disabled). An erased user
// cannot be: NotFound. A user not disabled: nothing to record.
func (u *User) Enable(reason pii.Sealed) ([]aggregate.Change, error) {
	if err := u.live(); err != nil {
		return nil, err
	}
	if !u.Disabled {
		return nil, nil
	}
	return []aggregate.Change{{Type: EventUserEnabled, Data: UserEnabled{UserID: u.ID, Reason: reason}}}, nil
}

// Erase decides the erasure of a user's personal data on a legal ground
// (ErasureGrounds), with the office's note sealed under the user's key.
func (u *User) Erase(ground string, note pii.Sealed) ([]aggregate.Change, error) {
	if !u.registered() {
		return nil, domain.Errorf(domain.NotFound, "no user %s", u.ID)
	}
	if u.Erased {
		return nil, domain.Errorf(domain.Conflict, "user %s is already erased", u.ID)
	}
	if !slices.Contains(ErasureGrounds, ground) {
		return nil, domain.InvalidFields("unknown legal ground", domain.FieldError{Field: "ground", Reason: "one of " + strings.Join(ErasureGrounds, ", ")})
	}
	return []aggregate.Change{{Type: EventUserErased, Data: UserErased{UserID: u.ID, Ground: ground, Note: note}}}, nil
}

// CompleteErasure decides that an erasure was seen through; nothing when
// it was recorded already. Errors: Conflict (the user is not erased).
func (u *User) CompleteErasure() ([]aggregate.Change, error) {
	if !u.Erased {
		return nil, domain.Errorf(domain.Conflict, "user %s is not erased", u.ID)
	}
	if u.ErasureCompleted {
		return nil, nil
	}
	return []aggregate.Change{{Type: EventErasureCompleted, Data: ErasureCompleted{UserID: u.ID}}}, nil
}

func (u *User) live() error {
	if !u.registered() || u.Erased {
		return domain.Errorf(domain.NotFound, "no user %s", u.ID)
	}
	return nil
}
