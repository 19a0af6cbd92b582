package selfcheck

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

// StreamPrefix names the streams of the self-checks, one per user:
// "selfcheck.<user id>".
const StreamPrefix = "selfcheck"

// EventRecorded is a saved self-check; a stable name, never renamed.
const EventRecorded = "selfcheck.recorded"

// MaxSaved bounds the self-checks one user keeps, so that one aggregate
// stays small in memory.
const MaxSaved = 200

// Recorded records one self-check. Ratings are the JSON of the ratings
// (a list of Input), sealed with the user's key as a file is
// (pii.Vault.SealFile), not as a pii.Sealed field: the views that show
// events with their sealed fields opened (the office's audit history) show
// these as ciphertext. A self-check is its user's alone.
type Recorded struct {
	CheckID   string `json:"check_id"`
	Framework string `json:"framework"` // the catalogue's version rated against
	Ratings   []byte `json:"ratings_sealed"`
}

// Record is one saved self-check as stored.
type Record struct {
	ID        string
	At        time.Time
	Framework string
	Ratings   []byte // sealed with the user's key (see Recorded)
}

// History is one user's saved self-checks, oldest first: the aggregate.
type History struct {
	UserID string
	Checks []Record
}

func newHistory(id string) *History { return &History{UserID: id} }

// Clone implements aggregate.Root.
func (h *History) Clone() *History {
	c := *h
	c.Checks = slices.Clone(h.Checks)
	return &c
}

// Apply implements aggregate.Root.
func (h *History) Apply(e eventstore.Event) error {
	if e.Type != EventRecorded {
		return nil
	}
	var p Recorded
	if err := json.Unmarshal(e.Data, &p); err != nil {
		return fmt.Errorf("%s: %w", e.Type, err)
	}
	h.Checks = append(h.Checks, Record{ID: p.CheckID, At: e.OccurredAt, Framework: p.Framework, Ratings: p.Ratings})
	return nil
}

// record decides a new self-check.
func (h *History) record(in Recorded) ([]aggregate.Change, error) {
	if len(h.Checks) >= MaxSaved {
		return nil, domain.Errorf(domain.Unprocessable, "at most %d self-checks are kept per person", MaxSaved)
	}
	return []aggregate.Change{{Type: EventRecorded, SchemaVersion: 1, Data: in}}, nil
}

// find returns the saved self-check id.
func (h *History) find(id string) (Record, bool) {
	for _, r := range h.Checks {
		if r.ID == id {
			return r, true
		}
	}
	return Record{}, false
}
