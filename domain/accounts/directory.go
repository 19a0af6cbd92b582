package accounts

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// Stream prefix and id of the directory aggregate.
const (
	StreamPrefix = "accounts"
	DirectoryID  = "directory"
)

// Event types; stable names, never renamed.
const (
	EventUserRegistered  = "accounts.user_registered"
	EventProfileSet      = "accounts.assessor_profile_set"
	EventUserDisabled    = "accounts.user_disabled"
	EventPasswordChanged = "accounts.password_changed"
	EventUserErased      = "accounts.user_erased"
	EventSessionsEnded   = "accounts.sessions_ended"
)

// UserRegistered records a new user.
type UserRegistered struct {
	UserID       string      `json:"user_id"`
	Role         domain.Role `json:"role"`
	Email        pii.Sealed  `json:"email"`
	Name         pii.Sealed  `json:"name"`
	PasswordHash pii.Sealed  `json:"password_hash"`
	SelfService  bool        `json:"self_service"` // registered themselves
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

// PasswordChanged records a new password hash.
type PasswordChanged struct {
	UserID       string     `json:"user_id"`
	PasswordHash pii.Sealed `json:"password_hash"`
}

// SessionsEnded records that the office ended every session of a user.
type SessionsEnded struct {
	UserID string `json:"user_id"`
}

// UserErased records a GDPR erasure: the user's key is deleted.
type UserErased struct {
	UserID string `json:"user_id"`
	Reason string `json:"reason"` // the legal ground, not personal data
}

// Profile is what an assessor may assess.
type Profile struct {
	Schemes   []string        `json:"schemes"`
	MaxLevel  framework.Level `json:"max_level"`
	Languages []string        `json:"languages"`
	Conflicts []string        `json:"conflicts"`
}

// User is one account as the directory knows it.
type User struct {
	ID           string
	Role         domain.Role
	Email        pii.Sealed
	Name         pii.Sealed
	PasswordHash pii.Sealed
	CreatedAt    time.Time
	Disabled     bool
	Erased       bool
	Profile      *Profile
}

// Directory is the state of all accounts.
type Directory struct {
	Users map[string]*User
}

// NewDirectory returns an empty directory.
func NewDirectory(string) *Directory { return &Directory{Users: map[string]*User{}} }

// Clone implements aggregate.Root.
func (d *Directory) Clone() *Directory {
	c := &Directory{Users: make(map[string]*User, len(d.Users))}
	for id, u := range d.Users {
		cu := *u
		if u.Profile != nil {
			p := *u.Profile
			p.Schemes, p.Languages, p.Conflicts = slices.Clone(p.Schemes), slices.Clone(p.Languages), slices.Clone(p.Conflicts)
			cu.Profile = &p
		}
		c.Users[id] = &cu
	}
	return c
}

// Apply implements aggregate.Root.
func (d *Directory) Apply(e eventstore.Event) error {
	switch e.Type {
	case EventUserRegistered:
		var p UserRegistered
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		d.Users[p.UserID] = &User{ID: p.UserID, Role: p.Role, Email: p.Email, Name: p.Name, PasswordHash: p.PasswordHash, CreatedAt: e.OccurredAt}
	case EventProfileSet:
		var p AssessorProfileSet
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		if u := d.Users[p.UserID]; u != nil {
			u.Profile = &Profile{Schemes: p.Schemes, MaxLevel: p.MaxLevel, Languages: p.Languages, Conflicts: p.Conflicts}
		}
	case EventUserDisabled:
		var p UserDisabled
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		if u := d.Users[p.UserID]; u != nil {
			u.Disabled = true
		}
	case EventPasswordChanged:
		var p PasswordChanged
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		if u := d.Users[p.UserID]; u != nil {
			u.PasswordHash = p.PasswordHash
		}
	case EventSessionsEnded:
		// A record of who ended them; the sessions are not state.
	case EventUserErased:
		var p UserErased
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		if u := d.Users[p.UserID]; u != nil {
			u.Erased, u.Disabled = true, true
			u.Email, u.Name, u.PasswordHash = pii.Sealed{}, pii.Sealed{}, pii.Sealed{}
		}
	}
	return nil
}

// Register decides a new user. emailTaken tells whether the (normalised)
// email already belongs to someone.
func (d *Directory) Register(in UserRegistered, emailTaken bool) ([]aggregate.Change, error) {
	if emailTaken {
		return nil, &domain.Error{Code: domain.Conflict, Message: "a user with this email already exists",
			Fields: []domain.FieldError{{Field: "email", Reason: "already registered"}}}
	}
	if !in.Role.Valid() {
		return nil, domain.InvalidFields("invalid role", domain.FieldError{Field: "role", Reason: "must be applicant, assessor or office"})
	}
	if _, ok := d.Users[in.UserID]; ok {
		return nil, domain.Errorf(domain.Conflict, "user %s exists", in.UserID)
	}
	return []aggregate.Change{{Type: EventUserRegistered, Data: in}}, nil
}

// SetProfile decides an assessor profile.
func (d *Directory) SetProfile(userID string, p Profile) ([]aggregate.Change, error) {
	u, err := d.live(userID)
	if err != nil {
		return nil, err
	}
	if u.Role != domain.RoleAssessor {
		return nil, domain.Errorf(domain.Unprocessable, "user %s is %s, not an assessor", userID, u.Role)
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
		if !ValidLanguage(l) {
			fields = append(fields, domain.FieldError{Field: "languages", Reason: fmt.Sprintf("%q is not a two-letter language code", l)})
		}
	}
	for _, c := range p.Conflicts {
		if _, ok := d.Users[c]; !ok {
			fields = append(fields, domain.FieldError{Field: "conflicts", Reason: fmt.Sprintf("unknown user %q", c)})
		}
	}
	if len(fields) > 0 {
		return nil, domain.InvalidFields("invalid assessor profile", fields...)
	}
	// Conflicts are a set, like schemes and languages: repeats are dropped.
	conflicts := append([]string{}, slices.Compact(slices.Sorted(slices.Values(p.Conflicts)))...)
	return []aggregate.Change{{Type: EventProfileSet, Data: AssessorProfileSet{UserID: userID,
		Schemes: slices.Compact(slices.Sorted(slices.Values(p.Schemes))), MaxLevel: p.MaxLevel,
		Languages: slices.Compact(slices.Sorted(slices.Values(p.Languages))), Conflicts: conflicts}}}, nil
}

// ChangePassword decides a user's new password hash.
func (d *Directory) ChangePassword(userID string, hash pii.Sealed) ([]aggregate.Change, error) {
	if _, err := d.live(userID); err != nil {
		return nil, err
	}
	return []aggregate.Change{{Type: EventPasswordChanged, Data: PasswordChanged{UserID: userID, PasswordHash: hash}}}, nil
}

// EndSessions decides that every session of a user ends. It changes no
// state: the record says who ended them, and when.
func (d *Directory) EndSessions(userID string) ([]aggregate.Change, error) {
	if _, err := d.live(userID); err != nil {
		return nil, err
	}
	return []aggregate.Change{{Type: EventSessionsEnded, Data: SessionsEnded{UserID: userID}}}, nil
}

// Disable decides that a user may no longer log in.
func (d *Directory) Disable(userID string, reason pii.Sealed) ([]aggregate.Change, error) {
	if _, err := d.live(userID); err != nil {
		return nil, err
	}
	if d.Users[userID].Disabled {
		return nil, nil
	}
	return []aggregate.Change{{Type: EventUserDisabled, Data: UserDisabled{UserID: userID, Reason: reason}}}, nil
}

// Erase decides the erasure of a user's personal data.
func (d *Directory) Erase(userID, reason string) ([]aggregate.Change, error) {
	u, ok := d.Users[userID]
	if !ok {
		return nil, domain.Errorf(domain.NotFound, "no user %s", userID)
	}
	if u.Erased {
		return nil, domain.Errorf(domain.Conflict, "user %s is already erased", userID)
	}
	if reason == "" {
		return nil, domain.InvalidFields("a reason is required", domain.FieldError{Field: "reason", Reason: "required"})
	}
	return []aggregate.Change{{Type: EventUserErased, Data: UserErased{UserID: userID, Reason: reason}}}, nil
}

func (d *Directory) live(userID string) (*User, error) {
	u, ok := d.Users[userID]
	if !ok || u.Erased {
		return nil, domain.Errorf(domain.NotFound, "no user %s", userID)
	}
	return u, nil
}

// Offices returns the ids of the office users that are not disabled.
func (d *Directory) Offices() []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(d.Users)) {
		if u := d.Users[id]; u.Role == domain.RoleOffice && !u.Disabled {
			out = append(out, id)
		}
	}
	return out
}

// ValidLanguage reports whether s is a lower-case two-letter language code.
func ValidLanguage(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}
