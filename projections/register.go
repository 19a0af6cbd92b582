package projections

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
)

// RegisterEntry is one accreditation as the public register knows it.
type RegisterEntry struct {
	AccreditationID string                            `json:"accreditation_id"`
	CaseID          string                            `json:"case_id"`
	HolderID        string                            `json:"holder_id"`
	Scheme          accreditation.Scheme              `json:"scheme"`
	Level           framework.Level                   `json:"level"`
	AwardedAt       time.Time                         `json:"awarded_at"`
	ValidUntil      time.Time                         `json:"valid_until"`
	Status          accreditation.AccreditationStatus `json:"status"`
	// EndedAt is when an accreditation no longer active ended: the day it
	// was revoked or withdrawn, or its date, expired. Zero while active
	// (a renewal after an end clears it), and for an end applied before
	// the register kept it (a snapshot made then).
	EndedAt           time.Time  `json:"ended_at,omitzero"`
	ProgrammeName     pii.Sealed `json:"programme_name,omitzero"`
	ProgrammeProvider pii.Sealed `json:"programme_provider,omitzero"`
}

// Register is the read model of the public register: every accreditation
// with its status; only active ones are listed.
//
// The list is read far more often than it changes (an award, a renewal, an
// end, a person erased), and a reader's shaping of it (the public rows, see
// Shaped) is kept from one change to the next and told what changed: a read
// costs the page it returns, and a change the rows it touched, not the
// register.
type Register struct {
	Entries map[string]*RegisterEntry `json:"entries"` // by accreditation id
	// Cases is by case id: what case_opened said, and the id of the case's
	// latest award (see Replaced).
	Cases map[string]*RegisterEntry `json:"cases"`
	// programmes is the ids of the EQA entries: a provider's list of
	// programmes reads them, not every accreditation of every coach.
	programmes map[string]struct{}

	changes uint64 // counts the changes a list shows; Apply's alone
	curMu   sync.Mutex
	current memo // Current's list
	mu      sync.Mutex
	shaped  memo // Shaped's value
	// pending is what changed since the shaping was last made; Apply adds
	// to it (within the runner's write lock), Shaped hands it over.
	pending RegisterChanges
}

// RegisterChanges is what changed in the register since a shaping was
// made: the entries (by accreditation id: awarded, renewed, ended) and the
// holders whose name may have changed (erased, or any account event that
// may touch a name), or All: shape every entry anew (the first shaping, a
// restored register, an event that named no user). Read it, never modify
// it.
type RegisterChanges struct {
	All            bool
	Accreditations map[string]bool
	Holders        map[string]bool
	// Erased are the holders erased: their name is not to be listed even
	// if the accounts, which the write side brings up to date on its own,
	// still give it a moment after this model applied the erasure.
	Erased map[string]bool
}

// nameNeutral are the account events that never change a user's name or
// erasure: any other account event makes the register read its user again
// (a rename, should there be one, is then shown at once).
var nameNeutral = map[string]bool{
	accounts.EventProfileSet: true, accounts.EventUserDisabled: true, accounts.EventUserEnabled: true, accounts.EventPasswordChanged: true,
	accounts.EventSessionsEnded: true, accounts.EventEmailChanged: true, accounts.EventEmailReserved: true,
	accounts.EventEmailReleased: true, accounts.EventErasureCompleted: true, accounts.EventResetLinkIssued: true,
}

// entryChanged notes that the entry of accreditation id changed.
func (m *Register) entryChanged(id string) {
	if m.pending.Accreditations == nil {
		m.pending.Accreditations = map[string]bool{}
	}
	m.pending.Accreditations[id] = true
	m.changes++
}

// holderChanged notes that the user of account event e may have another
// name (or none).
func (m *Register) holderChanged(e eventstore.Event) {
	var p struct {
		UserID string `json:"user_id"`
	}
	id, ok := strings.CutPrefix(e.Stream, accounts.UserPrefix+".")
	if !ok && json.Unmarshal(e.Data, &p) == nil {
		id = p.UserID
	}
	if id == "" {
		m.pending.All = true
	} else {
		if m.pending.Holders == nil {
			m.pending.Holders = map[string]bool{}
		}
		m.pending.Holders[id] = true
		if e.Type == accounts.EventUserErased {
			if m.pending.Erased == nil {
				m.pending.Erased = map[string]bool{}
			}
			m.pending.Erased[id] = true
		}
	}
	m.changes++
}

// memo is a value made from the register as it was after changes changes.
type memo struct {
	changes uint64
	made    bool
	v       any
	again   bool // make it again at the next read (Shaped)
}

// NewRegister returns an empty register.
func NewRegister() *Register {
	return &Register{Entries: map[string]*RegisterEntry{}, Cases: map[string]*RegisterEntry{}, programmes: map[string]struct{}{}}
}

// Programmes yields the EQA entries (accredited programmes), in no order.
// Like every query, it runs within a read of the models.
func (m *Register) Programmes(yield func(*RegisterEntry) bool) {
	for id := range m.programmes {
		if !yield(m.Entries[id]) {
			return
		}
	}
}

// Replaced reports whether a later award on e's case replaced e: the
// accreditation withdrawn when an appeal was upheld back to the decision,
// and awarded anew.
func (m *Register) Replaced(e RegisterEntry) bool { return m.ReplacedBy(e) != "" }

// ReplacedBy is the id of the later award on e's case that replaced e
// (see Replaced), "" when none did.
func (m *Register) ReplacedBy(e RegisterEntry) string {
	c := m.Cases[e.CaseID]
	if c != nil && c.AccreditationID != "" && c.AccreditationID != e.AccreditationID {
		return c.AccreditationID
	}
	return ""
}

// Name implements ReadModel.
func (m *Register) Name() string { return "register" }

// Apply implements ReadModel.
func (m *Register) Apply(e eventstore.Event) {
	if strings.HasPrefix(e.Type, accounts.StreamPrefix+".") {
		if !nameNeutral[e.Type] {
			m.holderChanged(e) // a holder's name may be another, or gone
		}
		return
	}
	caseID, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	switch accreditation.EventType(e.Type) {
	case accreditation.EventCaseOpened, accreditation.EventAccreditationAwarded, accreditation.EventAccreditationRenewed,
		accreditation.EventAccreditationExpired, accreditation.EventAccreditationRevoked, accreditation.EventAccreditationWithdrawn:
		if up, p, err := accreditation.DecodePayload(e); err == nil {
			m.applyCase(caseID, up, p)
		}
	}
}

// applyDecoded implements decodedApplier: the replay's payload, decoded
// ahead on every core, rather than decoded again here (a rebuild spent
// 4 % of its CPU decoding each case's opening a second time).
func (m *Register) applyDecoded(d decodedEvent) {
	caseID, ok := strings.CutPrefix(d.event.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	if d.payload == nil {
		m.Apply(d.event) // it did not decode: Apply tries again
		return
	}
	m.applyCase(caseID, d.event, d.payload)
}

// applyCase applies case event e of caseID, its payload p decoded.
func (m *Register) applyCase(caseID string, e eventstore.Event, p any) {
	switch p := p.(type) {
	case accreditation.CaseOpened:
		m.Cases[caseID] = &RegisterEntry{CaseID: caseID, HolderID: p.ApplicantID, Scheme: p.Scheme,
			ProgrammeName: p.ProgrammeName, ProgrammeProvider: p.ProgrammeProvider}
	case accreditation.AccreditationAwarded:
		base := m.Cases[caseID]
		if base == nil {
			return
		}
		en := *base
		en.AccreditationID, en.Level, en.AwardedAt, en.ValidUntil, en.Status = p.AccreditationID, p.Level, p.AwardedAt, p.ValidUntil, accreditation.StatusActive
		m.Entries[p.AccreditationID] = &en
		latest := *base // replaced, not changed in place (see capture)
		latest.AccreditationID = p.AccreditationID
		m.Cases[caseID] = &latest
		if en.Scheme == accreditation.SchemeEQA {
			m.programmes[p.AccreditationID] = struct{}{}
		}
		m.entryChanged(p.AccreditationID)
	case accreditation.AccreditationRenewed:
		if m.Entries[p.AccreditationID] != nil {
			// An award that ended while its renewal was assessed is in
			// force again.
			en := *m.Entries[p.AccreditationID]
			en.ValidUntil, en.Status, en.EndedAt = p.ValidUntil, accreditation.StatusActive, time.Time{}
			m.Entries[p.AccreditationID] = &en
			m.entryChanged(p.AccreditationID)
		}
	case accreditation.AccreditationExpired:
		m.ended(p.AccreditationID, accreditation.StatusExpired, p.ValidUntil)
	case accreditation.AccreditationRevoked:
		m.ended(p.AccreditationID, accreditation.StatusRevoked, e.OccurredAt)
	case accreditation.AccreditationWithdrawn:
		m.ended(p.AccreditationID, accreditation.StatusWithdrawn, e.OccurredAt)
	}
}

// ended sets the status of an accreditation that ended at, as a new entry
// (see capture).
func (m *Register) ended(id string, status accreditation.AccreditationStatus, at time.Time) {
	if m.Entries[id] == nil {
		return
	}
	en := *m.Entries[id]
	en.Status, en.EndedAt = status, at
	m.Entries[id] = &en
	m.entryChanged(id)
}

// Snapshot implements ReadModel.
func (m *Register) Snapshot() ([]byte, error) { return encodeInMemory(m.writeTo) }

// writeTo writes the model as json.Marshal writes it, an entry at a time
// (see writeMap).
func (m *Register) writeTo(w *snapWriter) error {
	w.WriteString(`{"entries":`)
	if err := writeMap(w, m.Entries); err != nil {
		return err
	}
	w.WriteString(`,"cases":`)
	if err := writeMap(w, m.Cases); err != nil {
		return err
	}
	_, err := w.WriteString("}")
	return err
}

// capture implements capturer: an entry is replaced when it changes,
// never changed in place (see Apply), so copies of the maps hold the
// entries as they stand.
func (m *Register) capture() func(w *snapWriter) error {
	frozen := &Register{Entries: maps.Clone(m.Entries), Cases: maps.Clone(m.Cases)}
	return frozen.writeTo
}

// Restore implements ReadModel.
func (m *Register) Restore(b []byte) error {
	m.changes++
	m.pending = RegisterChanges{All: true}
	if err := unmarshal(b, m); err != nil {
		return err
	}
	m.programmes = map[string]struct{}{}
	for id, e := range m.Entries {
		if e.Scheme == accreditation.SchemeEQA {
			m.programmes[id] = struct{}{}
		}
	}
	return nil
}

// Current lists the active accreditations, newest award first (then by
// id). The list is shared by every reader until the register changes: do
// not modify it. Like every query, it runs within a read of the models.
func (m *Register) Current() []RegisterEntry {
	return remember(m, &m.current, func() any { return m.sorted() }).([]RegisterEntry)
}

// Shaped returns the register's shaping (the public register's rows, with
// the holders' names: api.PublicRegister), kept from one change to the
// next and remade by shape when the register changed: shape is given the
// shaping before (nil the first time) and what changed since it was made,
// and returns the new one, which may be the one it was given, updated.
// When again is set, shape is called at the next read even without a
// change (a row it could not shape for now, to try again). The register
// keeps one shaping: give it one shape only. Readers at once wait for one
// making; like every query, it runs within a read of the models, and
// shape may read the register's entries.
func (m *Register) Shaped(shape func(prev any, changed RegisterChanges) (v any, again bool)) any {
	m.mu.Lock()
	defer m.mu.Unlock()
	slot := &m.shaped
	if slot.made && slot.changes == m.changes && !slot.again {
		return slot.v
	}
	changed := m.pending
	if !slot.made || changed.All {
		changed = RegisterChanges{All: true}
	}
	v, again := shape(slot.v, changed)
	*slot = memo{changes: m.changes, made: true, v: v, again: again}
	m.pending = RegisterChanges{} // handed over, once shape is done with it
	return v
}

// remember returns slot's value if it was made since the last change, and
// otherwise makes it; readers at once wait for one making.
func remember(m *Register, slot *memo, make func() any) any {
	m.curMu.Lock()
	defer m.curMu.Unlock()
	if !slot.made || slot.changes != m.changes {
		*slot = memo{changes: m.changes, made: true, v: make()}
	}
	return slot.v
}

// sorted lists the active accreditations, newest award first.
func (m *Register) sorted() []RegisterEntry {
	out := []RegisterEntry{}
	for _, e := range m.Entries {
		if e.Status == accreditation.StatusActive {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b RegisterEntry) int {
		if c := b.AwardedAt.Compare(a.AwardedAt); c != 0 {
			return c
		}
		return strings.Compare(a.AccreditationID, b.AccreditationID)
	})
	return out
}

// Lookup returns one accreditation whatever its status (verification).
func (m *Register) Lookup(id string) (RegisterEntry, bool) {
	e, ok := m.Entries[id]
	if !ok {
		return RegisterEntry{}, false
	}
	return *e, true
}
