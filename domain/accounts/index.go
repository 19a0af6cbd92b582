package accounts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// listed is what the service knows of every user without reading them:
// what the users list and the retention policy sort and filter by.
type listed struct {
	Role      domain.Role
	CreatedAt time.Time
	Erased    bool
	// ErasureDone: the erasure was seen through (EventErasureCompleted).
	ErasureDone bool
	// Name is the name as registered (no event renames a user), sealed:
	// the public register opens it without reading the user (HolderName).
	Name pii.Sealed
}

// directory is the index of every user, kept by Follow from the events
// alone and saved with the write-side snapshot, so that listing users or
// finding the erased ones never reads every user. The users of the old
// directory stream are found by email through legacy, which holds emails
// in the clear and is never saved: the snapshot holds their sealed emails
// (oldEmails), opened again when it is loaded.
type directory struct {
	list      userList
	users     map[string]listed
	oldEmails map[string]pii.Sealed
	// legacy finds the users of the old directory stream by email
	// (normalised email -> user id): they hold no reservation.
	legacy map[string]string
}

func newDirectory() directory {
	return directory{users: map[string]listed{}, oldEmails: map[string]pii.Sealed{}, legacy: map[string]string{}}
}

// Follow keeps the index of users, and the email index of the users of the
// old directory stream: it opens each one's sealed email. A commit handed
// over again after a snapshot leaves it as it was: each event assigns.
func (s *Service) Follow(c eventstore.Commit) {
	old := c.Stream == DirectoryStream
	if !old && !strings.HasPrefix(c.Stream, UserPrefix+".") {
		return
	}
	for _, e := range c.Events {
		switch e.Type {
		case EventUserRegistered:
			var p UserRegistered
			if decodeInto(e, &p) != nil {
				continue
			}
			s.mu.Lock()
			s.dir.list.add(p.UserID, p.Role)
			s.dir.users[p.UserID] = listed{Role: p.Role, CreatedAt: e.OccurredAt, Name: sharedSubject(p.Name, p.UserID)}
			if old {
				s.dir.oldEmails[p.UserID] = p.Email
			}
			s.mu.Unlock()
			if !old {
				continue // found by its reservation
			}
			email, err := s.vault.Open(context.Background(), p.Email)
			if err != nil {
				continue // erased before we saw it
			}
			s.mu.Lock()
			s.addLegacyLocked(NormaliseEmail(email), p.UserID)
			s.mu.Unlock()
		case EventUserErased:
			var p UserErased
			if decodeInto(e, &p) != nil {
				continue
			}
			s.mu.Lock()
			if u, ok := s.dir.users[p.UserID]; ok {
				u.Erased, u.Name = true, pii.Sealed{}
				s.dir.users[p.UserID] = u
			}
			delete(s.dir.oldEmails, p.UserID)
			s.dropLegacyLocked(p.UserID)
			s.mu.Unlock()
			s.vault.Forget(p.UserID)
		case EventEmailChanged:
			// A user of the old stream who moves to another address holds
			// a reservation from then on: the old address, in the clear,
			// is no longer theirs to find them by.
			s.mu.Lock()
			if id := ownStreamUser(c.Stream); id != "" {
				if _, old := s.dir.oldEmails[id]; old {
					delete(s.dir.oldEmails, id)
					s.dropLegacyLocked(id)
				}
			}
			s.mu.Unlock()
		case EventErasureCompleted:
			var p ErasureCompleted
			if decodeInto(e, &p) != nil {
				continue
			}
			s.mu.Lock()
			if u, ok := s.dir.users[p.UserID]; ok {
				u.ErasureDone = true
				s.dir.users[p.UserID] = u
			}
			s.mu.Unlock()
			// The key is deleted by now (CompleteErasure deletes it
			// first). The erasure's Forget came before that deletion: a
			// read here in between (another process recorded the erasure,
			// or stopped before deleting the key) cached the key again.
			s.vault.Forget(p.UserID)
		}
	}
}

// sharedSubject is v with its subject the string id when they are equal:
// a user's name is sealed with their own key, so the index keeps their id
// once, not once more in each name.
func sharedSubject(v pii.Sealed, id string) pii.Sealed {
	if v.Subject == id {
		v.Subject = id
	}
	return v
}

// HolderName is user id's name as the public register shows it: opened,
// or pii.Erased once they were erased. It is read from the index of users
// (no user is read, no block of the store loaded: at 100k holders the
// register's first shaping read every holder's stream, 20 to 30 s and 2 GB
// of the server's block cache), or from the user's stream when the index
// has not followed their registration yet. Errors: NotFound for no such
// user; the vault's when the name cannot be opened for now.
func (s *Service) HolderName(ctx context.Context, id string) (string, error) {
	s.mu.RLock()
	u, ok := s.dir.users[id]
	s.mu.RUnlock()
	if ok && u.Erased {
		return pii.Erased, nil
	}
	if !ok || u.Name.IsZero() {
		v, err := s.UserOpened(ctx, id)
		switch {
		case err != nil:
			return "", err
		case v.Erased:
			return pii.Erased, nil
		case v.Name == pii.Erased:
			return "", errors.New("the holder's name could not be opened")
		}
		return v.Name, nil
	}
	name, err := s.vault.Open(ctx, u.Name)
	if errors.Is(err, pii.ErrErased) {
		return pii.Erased, nil
	}
	return name, err
}

// dropLegacyLocked forgets the address of the old stream that finds user
// id, as it goes out of use (an erasure, a move to another address): kept,
// an erased person's address would stay in memory in the clear until the
// next start. Rare, so a pass over the map is cheap enough.
func (s *Service) dropLegacyLocked(id string) {
	for key, holder := range s.dir.legacy {
		if holder == id {
			delete(s.dir.legacy, key)
		}
	}
}

// ownStreamUser is the user id of a user's own stream ("" for any other).
func ownStreamUser(stream string) string {
	id, _ := strings.CutPrefix(stream, UserPrefix+".")
	if id == stream {
		return ""
	}
	return id
}

func (s *Service) addLegacyLocked(key, id string) {
	if other, ok := s.dir.legacy[key]; ok && other != id {
		// Two accounts registered before emails were normalised as now:
		// the first keeps the address.
		s.log.Warn("two accounts share one normalised email; the older keeps it", "user_id", other, "duplicate_user_id", id)
		return
	}
	s.dir.legacy[key] = id
}

// Accounts lists the accounts of role (every one when role is empty),
// oldest first, from the index: no user is read.
func (s *Service) Accounts(role domain.Role) []Account {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, _ := s.dir.list.page(role, "", 0)
	out := make([]Account, 0, len(ids))
	for _, id := range ids {
		u := s.dir.users[id]
		out = append(out, Account{ID: id, Role: u.Role, CreatedAt: u.CreatedAt, Erased: u.Erased, ErasureDone: u.ErasureDone})
	}
	return out
}

// savedUser is one user in the snapshot.
type savedUser struct {
	ID          string      `json:"id"`
	Role        domain.Role `json:"role"`
	CreatedAt   time.Time   `json:"created_at"`
	Erased      bool        `json:"erased,omitempty"`
	ErasureDone bool        `json:"erasure_done,omitempty"`
	OldEmail    *pii.Sealed `json:"old_email,omitempty"`
	Name        pii.Sealed  `json:"name,omitzero"`
}

// SnapshotName implements aggregate.Snapshotter.
func (s *Service) SnapshotName() string { return "accounts.index" }

// SnapshotShape implements aggregate.Snapshotter.
func (s *Service) SnapshotShape() string { return aggregate.ShapeOf(savedUser{}) }

// snapshotChunk is how many users are copied under one read lock.
const snapshotChunk = 1024

// SaveSnapshot implements aggregate.Snapshotter: one value a user, in id
// order.
func (s *Service) SaveSnapshot(ctx context.Context, put func(any) error) error {
	s.mu.RLock()
	ids := slices.Clone(s.dir.list.all)
	s.mu.RUnlock()
	buf := make([]savedUser, 0, snapshotChunk)
	for len(ids) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(snapshotChunk, len(ids))
		buf = buf[:0]
		s.mu.RLock()
		for _, id := range ids[:n] {
			u := s.dir.users[id]
			su := savedUser{ID: id, Role: u.Role, CreatedAt: u.CreatedAt, Erased: u.Erased, ErasureDone: u.ErasureDone, Name: u.Name}
			if e, ok := s.dir.oldEmails[id]; ok {
				su.OldEmail = &e
			}
			buf = append(buf, su)
		}
		s.mu.RUnlock()
		for _, su := range buf {
			if err := put(su); err != nil {
				return err
			}
		}
		ids = ids[n:]
	}
	return nil
}

// LoadSnapshot implements aggregate.Snapshotter. The email index of the
// old directory's users is rebuilt by opening their sealed emails, oldest
// first, so that of two sharing a normalised email the older keeps it, as
// when the directory stream is replayed.
func (s *Service) LoadSnapshot(more func() bool, next func(any) error) (func(), error) {
	d := newDirectory()
	for more() {
		var su savedUser
		if err := next(&su); err != nil {
			return nil, err
		}
		if su.ID == "" || !su.Role.Valid() {
			return nil, errors.New("a user without id or role")
		}
		d.list.all = append(d.list.all, su.ID)
		if d.list.byRole == nil {
			d.list.byRole = map[domain.Role][]string{}
		}
		d.list.byRole[su.Role] = append(d.list.byRole[su.Role], su.ID)
		d.users[su.ID] = listed{Role: su.Role, CreatedAt: su.CreatedAt, Erased: su.Erased, ErasureDone: su.ErasureDone, Name: sharedSubject(su.Name, su.ID)}
		if su.OldEmail != nil {
			d.oldEmails[su.ID] = *su.OldEmail
		}
	}
	d.list.sort()
	return func() {
		legacy := map[string]string{}
		for _, id := range d.list.all {
			sealed, ok := d.oldEmails[id]
			if !ok {
				continue
			}
			email, err := s.vault.Open(context.Background(), sealed)
			if err != nil {
				continue // erased
			}
			if key := NormaliseEmail(email); legacy[key] == "" {
				legacy[key] = id
			}
		}
		d.legacy = legacy
		s.mu.Lock()
		s.dir = d
		s.mu.Unlock()
	}, nil
}
