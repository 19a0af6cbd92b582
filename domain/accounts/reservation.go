package accounts

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

// EmailReserved records that a user holds an email (its stream is named
// by the blinded normalised email; the payload holds no personal data).
type EmailReserved struct {
	UserID string `json:"user_id"`
}

// EmailReleased records that a user no longer holds an email.
type EmailReleased struct {
	UserID string `json:"user_id"`
}

// ReservationGrace is how long a reservation holds before its user's own
// stream confirms it: registration and email change write the user's event
// within a command's time-out (seconds) of reserving, so a reservation
// older than this whose user does not hold it (never registered, or moved
// to another email) is left over from a crash, and free.
const ReservationGrace = time.Minute

// Reservation is the aggregate of one email: who holds it.
type Reservation struct {
	UserID   string
	At       time.Time // when UserID reserved it
	Released bool
	// CommandID is the command that reserved it, so that a retry of that
	// command knows the user it reserved for.
	CommandID string
}

func newReservation(string) *Reservation { return &Reservation{} }

// Clone implements aggregate.Root.
func (r *Reservation) Clone() *Reservation { c := *r; return &c }

// Apply implements aggregate.Root.
func (r *Reservation) Apply(e eventstore.Event) error {
	switch e.Type {
	case EventEmailReserved:
		var p EmailReserved
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		*r = Reservation{UserID: p.UserID, At: e.OccurredAt, CommandID: e.CommandID}
	case EventEmailReleased:
		var p EmailReleased
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		if p.UserID == r.UserID {
			r.Released = true
		}
	}
	return nil
}

// active reports whether userID holds the reservation as far as its own
// stream goes (not released).
func (r *Reservation) active(userID string) bool { return r.UserID == userID && !r.Released }

// Reserve decides that userID holds the email. held tells whether the
// last holder (another user) still holds it, released or not; see
// Service.holds.
func (r *Reservation) Reserve(userID string, held func(*Reservation) (bool, error)) ([]aggregate.Change, error) {
	if r.active(userID) {
		return nil, nil
	}
	if r.UserID != "" && r.UserID != userID {
		taken, err := held(r)
		if err != nil {
			return nil, err // the holder could not be read: never take their email
		}
		if taken {
			return nil, errEmailTaken
		}
	}
	return []aggregate.Change{{Type: EventEmailReserved, Data: EmailReserved{UserID: userID}}}, nil
}

// Release decides that userID lets the email go; nothing when it does not
// hold it.
func (r *Reservation) Release(userID string) ([]aggregate.Change, error) {
	if !r.active(userID) {
		return nil, nil
	}
	return []aggregate.Change{{Type: EventEmailReleased, Data: EmailReleased{UserID: userID}}}, nil
}
