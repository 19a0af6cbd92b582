package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/limits"
	"github.com/emcc/accredit/domain/pii"
)

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// Service runs the account commands and logins.
type Service struct {
	users    *aggregate.Repository[*User]
	emails   *aggregate.Repository[*Reservation]
	vault    *pii.Vault
	sessions SessionStore
	now      func() time.Time
	log      *slog.Logger
	throttle *throttle
	// hash makes new password hashes: the KDF at the cost UseKDF set
	// (DefaultKDF's). Slow on purpose: made for a change that will be
	// recorded, not one about to be refused (see setPassword).
	hash func(password string) string

	mu  sync.RWMutex
	dir directory
}

// NewService wires the accounts into feed; call before the feed runs.
func NewService(store eventstore.Store, feed *aggregate.Feed, vault *pii.Vault, sessions SessionStore, now func() time.Time, log *slog.Logger) *Service {
	s := &Service{vault: vault, sessions: sessions, now: now, log: log, dir: newDirectory(), hash: DefaultKDF.Hash}
	s.throttle = &throttle{store: NewMemoryThrottle(), now: now, blind: vault.Blind}
	s.users = aggregate.NewRepository(UserPrefix, store, feed, now, newUserState)
	s.users.Upcast(userOf)
	s.emails = aggregate.NewRepository(EmailPrefix, store, feed, now, newReservation)
	feed.Add(s) // after the repositories, so the indexes are current when a wait returns
	return s
}

// UseKDF sets the cost that new password hashes are made at (DefaultKDF
// unless set; TestingKDF in tests). Hashes already stored keep theirs.
// Call before the service is used.
func (s *Service) UseKDF(k KDF) { s.hash = k.Hash }

// UseThrottleStore sets where failed logins are counted: a store shared by
// every process of a cluster (natsstore.ThrottleStore), so that the
// throttle's limits hold for them together. Without it they are counted in
// this process alone (MemoryThrottle). Call before the service is used.
func (s *Service) UseThrottleStore(ts ThrottleStore) { s.throttle.store = ts }

// find returns a copy of one registered user (erased ones included). A
// user the store could not give is an error (Unavailable), never "no such
// user": an answer decided from a failed read would let an email be taken
// twice or an assessor lose their profile.
func (s *Service) find(ctx context.Context, id string) (*User, bool, error) {
	u, _, ok, err := s.users.Find(ctx, id)
	if err != nil || !ok || !u.registered() {
		return nil, false, err
	}
	return u, true, nil
}

// userByEmail finds the user whose email it is: the holder of its
// reservation, when the holder's own stream says the email is theirs, or a
// user of the old directory stream.
func (s *Service) userByEmail(ctx context.Context, email string) (string, bool, error) {
	norm := NormaliseEmail(email)
	key := s.vault.Blind(norm)
	r, _, ok, err := s.emails.Find(ctx, key)
	if err != nil {
		return "", false, err
	}
	if ok && r.UserID != "" { // released or not, the user's stream says (see holds)
		u, ok, err := s.find(ctx, r.UserID)
		if err != nil {
			return "", false, err
		}
		if ok && !u.Erased && u.EmailKey == key {
			return u.ID, true, nil
		}
	}
	return s.legacyHolder(ctx, norm)
}

// legacyHolder returns the user of the old directory stream with this
// normalised email, as long as it is still theirs.
func (s *Service) legacyHolder(ctx context.Context, norm string) (string, bool, error) {
	s.mu.RLock()
	id, ok := s.dir.legacy[norm]
	s.mu.RUnlock()
	if !ok {
		return "", false, nil
	}
	u, ok, err := s.find(ctx, id)
	if err != nil {
		return "", false, err
	}
	return id, ok && !u.Erased && u.EmailKey == "", nil
}

// holds reports whether a reservation of the email of key still holds for
// its user: always within ReservationGrace of being made (its user's event
// follows within seconds), and after that as long as the user's own stream
// says the email is theirs. A reservation left over from a crash between
// the two writes, or from a user who moved to another email or was
// erased, frees itself so. A released one is asked the user's stream too:
// the release of a move away from the email may land after the user moved
// back to it (the move back found the reservation still theirs), and the
// email is then still theirs.
func (s *Service) holds(ctx context.Context, key string) func(*Reservation) (bool, error) {
	return func(r *Reservation) (bool, error) {
		if r.UserID == "" {
			return false, nil
		}
		if !r.Released && s.now().Sub(r.At) < ReservationGrace {
			return true, nil
		}
		u, ok, err := s.find(ctx, r.UserID)
		if err != nil {
			return false, err
		}
		return ok && !u.Erased && u.EmailKey == key, nil
	}
}

// reserve makes userID the holder of the email of key (norm is the
// normalised email) and returns who holds it for this command: userID, or,
// when this very command was recorded before (a retry, or the same command
// sent by another process), the user it reserved for then. Errors:
// Conflict when the email belongs to someone else.
func (s *Service) reserve(ctx context.Context, meta aggregate.Meta, key, norm, userID string) (string, error) {
	m := meta
	m = m.Unconditioned()
	m.Command = "reserve_email"
	if m.CommandID != "" {
		m.CommandID += ".email"
	}
	res, err := s.emails.Update(ctx, key, m, func(r *Reservation, _ uint64) ([]aggregate.Change, error) {
		other, ok, err := s.legacyHolder(ctx, norm)
		if err != nil {
			return nil, err
		}
		if ok && other != userID {
			return nil, errEmailTaken
		}
		return r.Reserve(userID, s.holds(ctx, key))
	})
	if err != nil {
		return "", err
	}
	r, _, ok, err := s.emails.Find(ctx, key)
	if err != nil {
		return "", err
	}
	switch {
	case !ok || r.Released:
		return "", errEmailTaken
	case r.UserID == userID:
		return userID, nil
	case res.Duplicate && r.CommandID != "" && r.CommandID == m.CommandID:
		return r.UserID, nil
	}
	return "", errEmailTaken
}

// stillReserved checks, as a user's event is decided, that the email of
// key is reserved for userID: errEmailTaken when not, the store's error
// when it cannot say.
func (s *Service) stillReserved(ctx context.Context, key, userID string) error {
	r, _, ok, err := s.emails.Find(ctx, key)
	switch {
	case err != nil:
		return err
	case !ok || !r.active(userID):
		return errEmailTaken
	}
	return nil
}

// release lets the email of key go, when userID holds it. A failure is
// only logged: a reservation its user's stream no longer confirms frees
// itself after ReservationGrace.
func (s *Service) release(ctx context.Context, meta aggregate.Meta, key, userID string) {
	if key == "" {
		return
	}
	m := meta
	m = m.Unconditioned()
	m.Command = "release_email"
	if m.CommandID != "" {
		m.CommandID += ".release"
	}
	if _, err := s.emails.Update(ctx, key, m, func(r *Reservation, _ uint64) ([]aggregate.Change, error) {
		return r.Release(userID)
	}); err != nil {
		s.log.Warn("email reservation not released; it frees itself", "user_id", userID, "err", err)
	}
}

// UserView is a user as shown to someone allowed to see them.
type UserView struct {
	ID       string      `json:"id"`
	Email    string      `json:"email"`
	Name     string      `json:"name"`
	Role     domain.Role `json:"role"`
	Disabled bool        `json:"disabled,omitempty"`
	Erased   bool        `json:"erased,omitempty"`
	Profile  *Profile    `json:"assessor_profile,omitempty"`
	// CredentialChanges is User.CredentialChanges, for the recovery links.
	CredentialChanges int `json:"-"`
}

// NewUser is the input of Register and CreateUser.
type NewUser struct {
	Email    string
	Password string
	Name     string
	Role     domain.Role
}

func validateNewUser(in NewUser) error {
	var f []domain.FieldError
	if err := CheckEmail(in.Email); err != nil {
		f = append(f, domain.FieldError{Field: "email", Reason: err.Error()})
	} else if e := limits.Email.Text("email", in.Email); e != nil {
		f = append(f, *e)
	}
	if why := CheckNewPassword(in.Password); why != "" {
		f = append(f, domain.FieldError{Field: "password", Reason: why})
	}
	if n := strings.TrimSpace(in.Name); n == "" || limits.Name.Text("name", n) != nil {
		f = append(f, domain.FieldError{Field: "name", Reason: fmt.Sprintf("required, at most %d characters", limits.Name.Runes)})
	} else if e := limits.OneLine("name", n); e != nil {
		f = append(f, *e)
	}
	if !in.Role.Valid() {
		f = append(f, domain.FieldError{Field: "role", Reason: "one of applicant, assessor, office"})
	}
	if len(f) > 0 {
		return domain.InvalidFields("invalid user", f...)
	}
	return nil
}

// Create registers a user. meta.Actor is who does it (the user themselves
// for a self-registration).
func (s *Service) Create(ctx context.Context, meta aggregate.Meta, in NewUser) (UserView, aggregate.Result, error) {
	if err := validateNewUser(in); err != nil {
		return UserView{}, aggregate.Result{}, err
	}
	// A retry of a registration recorded already answers with the user it
	// created: the email's reservation, asked again, refuses it as taken
	// once that user has moved to another email or been erased.
	if res, ok, err := s.users.Applied(ctx, meta); ok {
		if err != nil {
			return UserView{}, res, err
		}
		id, ok := strings.CutPrefix(res.Stream, UserPrefix+".")
		if !ok {
			return UserView{}, res, domain.Errorf(domain.Internal, "command %s recorded on %s, not a user", meta.CommandID, res.Stream)
		}
		v, err := s.User(ctx, id)
		return v, res, err
	}
	self, selfService := meta.Actor.ID == "", meta.Actor.Role == ""
	id := ulid.Make().String()
	norm := NormaliseEmail(in.Email)
	key := s.vault.Blind(norm)
	if self {
		meta.Actor = domain.Actor{ID: id, Role: in.Role}
	}
	// The email first: whoever reserves it registers; the user's own event
	// follows within seconds (see holds).
	holder, err := s.reserve(ctx, meta, key, norm, id)
	if err != nil {
		return UserView{}, aggregate.Result{}, err
	}
	if holder != id { // this command reserved it before: go on with that user
		id = holder
		if self {
			meta.Actor.ID = id
		}
	}
	email, err := s.vault.Seal(ctx, id, displayEmail(in.Email))
	if err != nil {
		return UserView{}, aggregate.Result{}, domain.Wrap(domain.Unavailable, err, "key store unavailable")
	}
	name, _ := s.vault.Seal(ctx, id, strings.TrimSpace(in.Name))
	hash, _ := s.vault.Seal(ctx, id, s.hash(in.Password))
	ev := UserRegistered{UserID: id, Role: in.Role, Email: email, Name: name, PasswordHash: hash, SelfService: selfService, EmailKey: key}
	res, err := s.users.Update(ctx, id, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		if err := s.stillReserved(ctx, key, id); err != nil {
			return nil, err
		}
		return u.Register(ev)
	})
	if err != nil {
		return UserView{}, res, err
	}
	if uid, ok := strings.CutPrefix(res.Stream, UserPrefix+"."); ok && res.Duplicate {
		id = uid // a retried registration: answer with the user it created
	}
	v, err := s.User(ctx, id)
	return v, res, err
}

// ChangeEmail moves a user to a new email: the new one is reserved first,
// then the user's event records it, then the old one is released. A crash
// after the first step leaves a reservation the user's stream does not
// confirm, after the second one the old email reserved to a user whose
// stream names another: both free themselves after ReservationGrace, and at
// no moment do two users hold one email or the user none. Errors: Invalid,
// NotFound, Conflict (the email belongs to someone else).
func (s *Service) ChangeEmail(ctx context.Context, meta aggregate.Meta, userID, email string) (aggregate.Result, error) {
	return s.changeEmail(ctx, meta, userID, email, nil)
}

// changeEmail is ChangeEmail, refused by check (nil: none) as it decides,
// and asked before the new email is reserved.
func (s *Service) changeEmail(ctx context.Context, meta aggregate.Meta, userID, email string, check func(*User) error) (aggregate.Result, error) {
	if err := CheckEmail(email); err != nil {
		return aggregate.Result{}, domain.InvalidFields("invalid email", domain.FieldError{Field: "email", Reason: err.Error()})
	}
	if err := limits.Check("invalid email", limits.Email.Text("email", email)); err != nil {
		return aggregate.Result{}, err
	}
	u, ok, err := s.find(ctx, userID)
	if err != nil {
		return aggregate.Result{}, err
	}
	if !ok || u.Erased {
		return aggregate.Result{}, domain.Errorf(domain.NotFound, "no user %s", userID)
	}
	norm := NormaliseEmail(email)
	key := s.vault.Blind(norm)
	// check first: a change it refuses must not hold the new email until
	// ReservationGrace frees it (an email confirmation refused as its
	// user's credentials changed: the address would be taken for a minute
	// from whoever registers it). Refused here, nothing is reserved, but
	// the change is still decided, where check refuses it again before
	// stillReserved would: the state read here may hold this very command,
	// recorded already and not yet applied by this process, and the
	// decision answers such a retry as recorded (aggregate.Repository.
	// Update). It is asked as the change is decided too, since the user
	// may change in between.
	if check == nil || check(u) == nil {
		if _, err := s.reserve(ctx, meta, key, norm, userID); err != nil {
			return aggregate.Result{}, err
		}
	}
	sealed, err := s.vault.Seal(ctx, userID, displayEmail(email))
	if err != nil {
		return aggregate.Result{}, domain.Wrap(domain.Unavailable, err, "key store unavailable")
	}
	old := u.EmailKey
	res, err := s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		if check != nil {
			if err := check(u); err != nil {
				return nil, err
			}
		}
		if err := s.stillReserved(ctx, key, userID); err != nil {
			return nil, err
		}
		return u.ChangeEmail(sealed, key)
	})
	if err != nil {
		return res, err
	}
	if old != key {
		s.release(ctx, meta, old, userID)
	}
	return res, nil
}

// User returns a user's view; NotFound when unknown. Their name and
// address read pii.Erased once they were erased, and pii.Unavailable when
// they cannot be opened for now (UserOpened for what is kept or sent).
func (s *Service) User(ctx context.Context, id string) (UserView, error) {
	v, _, err := s.UserAt(ctx, id)
	return v, err
}

// UserAt is User with the version of the user's stream the view was read
// at: the version a change to what it shows is made against
// (aggregate.Meta.IfVersion), so that it cannot undo a change made since.
func (s *Service) UserAt(ctx context.Context, id string) (UserView, uint64, error) {
	u, version, ok, err := s.users.Find(ctx, id)
	if err != nil {
		return UserView{}, 0, err
	}
	if !ok || !u.registered() {
		return UserView{}, 0, domain.Errorf(domain.NotFound, "no user %s", id)
	}
	return s.view(ctx, u), version, nil
}

// UserOpened is User with the name and address opened, or an error:
// Unavailable when they cannot be opened for now, where User shows
// pii.Unavailable (an erased user's read pii.Erased in both). For what is
// kept or sent (mail, the register, credentials, exports), which must
// not hold a placeholder for a person's data.
func (s *Service) UserOpened(ctx context.Context, id string) (UserView, error) {
	ctx, unreadable := pii.Strict(ctx)
	v, err := s.User(ctx, id)
	if err != nil {
		return UserView{}, err
	}
	if err := unreadable(); err != nil {
		e := domain.Wrap(domain.Unavailable, err, "the personal data of user %s cannot be read for now", id)
		e.RetryAfter = 1
		return UserView{}, e
	}
	return v, nil
}

func (s *Service) view(ctx context.Context, u *User) UserView {
	v := UserView{ID: u.ID, Role: u.Role, Disabled: u.Disabled, Erased: u.Erased, Profile: u.Profile, CredentialChanges: u.CredentialChanges}
	if u.Erased {
		v.Email, v.Name = pii.Erased, pii.Erased
	} else {
		v.Email, v.Name = s.vault.Reveal(ctx, u.Email), s.vault.Reveal(ctx, u.Name)
	}
	return v
}

// Users lists every user, oldest first.
func (s *Service) Users(ctx context.Context) ([]UserView, error) {
	page, _, err := s.UsersPage(ctx, "", "", 0)
	return page, err
}

// UsersPage lists users oldest first (by id): those after the id after,
// of role when set, at most limit of them (all when 0). next is the after
// of the next page, empty on the last one. It reads the users it returns,
// not the others.
// A user the store cannot give fails the page rather than leaving a gap.
func (s *Service) UsersPage(ctx context.Context, role domain.Role, after string, limit int) (page []UserView, next string, err error) {
	s.mu.RLock()
	ids, more := s.dir.list.page(role, after, limit)
	s.mu.RUnlock()
	for _, id := range ids {
		u, ok, err := s.find(ctx, id)
		if err != nil {
			return nil, "", err
		}
		if ok {
			page = append(page, s.view(ctx, u))
		}
	}
	if more && len(ids) > 0 {
		next = ids[len(ids)-1]
	}
	return page, next, nil
}

// Profile returns an active user's assessor profile (nil when they have
// none) and role; ok is false for an unknown or disabled user.
func (s *Service) Profile(ctx context.Context, id string) (*Profile, domain.Role, bool, error) {
	u, ok, err := s.find(ctx, id)
	if err != nil || !ok || u.Disabled {
		return nil, "", false, err
	}
	return u.Profile, u.Role, true, nil
}

// HasOffice reports whether any active office user exists.
func (s *Service) HasOffice(ctx context.Context) (bool, error) {
	s.mu.RLock()
	ids, _ := s.dir.list.page(domain.RoleOffice, "", 0)
	s.mu.RUnlock()
	for _, id := range ids {
		u, ok, err := s.find(ctx, id)
		if err != nil {
			return false, err
		}
		if ok && !u.Disabled {
			return true, nil
		}
	}
	return false, nil
}

// UserIDByEmail finds a user by email.
func (s *Service) UserIDByEmail(ctx context.Context, email string) (string, bool, error) {
	return s.userByEmail(ctx, email)
}

// SetProfile sets an assessor's profile. The users it names as conflicts
// are looked up first, so that one the store cannot give fails the command
// rather than reading as unknown; nil conflicts keep those recorded.
func (s *Service) SetProfile(ctx context.Context, meta aggregate.Meta, userID string, p Profile) (aggregate.Result, error) {
	lookup := p.Conflicts
	if limits.Conflicts.List("conflicts", len(lookup)) != nil {
		lookup = nil // too many: User.SetProfile refuses the list unread
	}
	exists := make(map[string]bool, len(lookup))
	for _, id := range lookup {
		if _, seen := exists[id]; seen {
			continue
		}
		_, ok, err := s.find(ctx, id)
		if err != nil {
			return aggregate.Result{}, err
		}
		exists[id] = ok
	}
	known := func(id string) bool { return exists[id] }
	return s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		if p.Conflicts == nil {
			// Left out (the API's body had none): the conflicts recorded
			// stay, checked when they were declared. A client that sets
			// the schemes must not wipe the conflicts of interest unseen;
			// an empty list clears them.
			q := p
			q.Conflicts = []string{}
			if u.Profile != nil {
				q.Conflicts = u.Profile.Conflicts
			}
			return u.SetProfile(q, func(string) bool { return true })
		}
		return u.SetProfile(p, known)
	})
}

// ChangePassword sets a user's new password after checking the current
// one. Errors: Unauthorized (wrong current password, the same answer as a
// failed login, and counted like one), Invalid (see CheckNewPassword).
//
// The user's other sessions end, as someone who changes their password may
// be shutting out someone who learnt it; the session of keepToken (the
// one the change was made in) goes on.
func (s *Service) ChangePassword(ctx context.Context, meta aggregate.Meta, userID, current, next, keepToken string) (aggregate.Result, error) {
	const ended = "the password is changed, but other sessions could not be ended; change it again"
	// The current password is checked against the user as the store holds
	// them, not as this process does: one behind a change made elsewhere
	// would take the password it replaced. Caught up first, a retry of a
	// change recorded already is answered as recorded.
	if err := s.users.CatchUpWith(ctx, userID); err != nil {
		return aggregate.Result{}, err
	}
	if res, ok, err := s.passwordRecorded(ctx, meta, keepToken, ended); ok {
		return res, err
	}
	if why := CheckNewPassword(next); why != "" {
		return aggregate.Result{}, domain.InvalidFields("invalid password", domain.FieldError{Field: "new_password", Reason: why})
	}
	u, err := s.currentPassword(ctx, userID, current)
	if err != nil {
		return aggregate.Result{}, err
	}
	return s.setPassword(ctx, meta, userID, next, keepToken, ended, "", checkedAt(u.CredentialChanges))
}

// checkedAt refuses a change of password whose user's credentials changed
// (CredentialChanges is no longer changes) after their current password
// was checked: a change made elsewhere in between, which the password
// checked no longer stands for.
func checkedAt(changes int) func(*User) error {
	return func(u *User) error {
		if u.CredentialChanges != changes {
			return domain.Errorf(domain.Conflict, "the credentials changed while the current password was checked; try again")
		}
		return nil
	}
}

// passwordRecorded answers a retry of a password change or reset recorded
// already (meta's command id, the same request): ok, its result, and the
// user's sessions but keepToken's ended again, as the first attempt may
// have stopped before it ended them. Its checks would refuse the retry:
// the current password is the one it set (and a wrong one counts against
// the throttle), the link is used.
func (s *Service) passwordRecorded(ctx context.Context, meta aggregate.Meta, keepToken, ended string) (aggregate.Result, bool, error) {
	res, ok, err := s.users.Applied(ctx, meta)
	if !ok || err != nil {
		return res, ok, err
	}
	userID, ok := strings.CutPrefix(res.Stream, UserPrefix+".")
	if !ok {
		return res, true, domain.Errorf(domain.Internal, "command %s recorded on %s, not a user", meta.CommandID, res.Stream)
	}
	if _, err := s.endSessions(ctx, userID, keepToken, time.Time{}); err != nil {
		return res, true, domain.Wrap(domain.Unavailable, err, "%s", ended)
	}
	return res, true, nil
}

// NotOwnAccount refuses an office user disabling or erasing their own
// account: done by the last office user, nobody could manage the system
// any more; another office user can. The web asks it before its
// confirmation page; Disable and Erase decide by it.
func NotOwnAccount(actor domain.Actor, userID, what string) error {
	if actor.ID == userID {
		return domain.Errorf(domain.Unprocessable, "you cannot %s your own account: another office user can", what)
	}
	return nil
}

// Disable stops a user from logging in. The reason is required (it is
// what the office reads later in the user's history).
func (s *Service) Disable(ctx context.Context, meta aggregate.Meta, userID, reason string) (aggregate.Result, error) {
	if limits.Blank(reason) {
		return aggregate.Result{}, domain.InvalidFields("a reason is required", domain.FieldError{Field: "reason", Reason: "required"})
	}
	if err := limits.Check("invalid reason", limits.Reason.Prose("reason", reason)); err != nil {
		return aggregate.Result{}, err
	}
	if err := NotOwnAccount(meta.Actor, userID, "disable"); err != nil {
		return aggregate.Result{}, err
	}
	sealed, err := s.vault.Seal(ctx, userID, reason)
	if err != nil && !errors.Is(err, pii.ErrErased) {
		return aggregate.Result{}, domain.Wrap(domain.Unavailable, err, "key store unavailable")
	}
	res, err := s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		return u.Disable(sealed)
	})
	if err != nil {
		return res, err
	}
	// Authenticate refuses a disabled user anyway; this leaves no session
	// behind to come back with, should the user be enabled again one day.
	if _, err := s.endSessions(ctx, userID, "", time.Time{}); err != nil {
		s.log.Warn("disable: sessions not ended", "user_id", userID, "err", err)
	}
	return res, nil
}

// Enable lets a disabled user log in again: a disabling undone. The reason
// is required, as a disabling's is.
func (s *Service) Enable(ctx context.Context, meta aggregate.Meta, userID, reason string) (aggregate.Result, error) {
	if limits.Blank(reason) {
		return aggregate.Result{}, domain.InvalidFields("a reason is required", domain.FieldError{Field: "reason", Reason: "required"})
	}
	if err := limits.Check("invalid reason", limits.Reason.Prose("reason", reason)); err != nil {
		return aggregate.Result{}, err
	}
	sealed, err := s.vault.Seal(ctx, userID, reason)
	if err != nil && !errors.Is(err, pii.ErrErased) {
		return aggregate.Result{}, domain.Wrap(domain.Unavailable, err, "key store unavailable")
	}
	return s.users.Update(ctx, userID, meta, func(u *User, _ uint64) ([]aggregate.Change, error) {
		return u.Enable(sealed)
	})
}

func decodeInto(e eventstore.Event, v any) error { return jsonUnmarshal(e.Data, v) }

// Account is what the retention policy needs to know of a user.
type Account struct {
	ID        string
	Role      domain.Role
	CreatedAt time.Time
	Erased    bool
	// ErasureDone: the erasure was seen through (CompleteErasure).
	ErasureDone bool
}
