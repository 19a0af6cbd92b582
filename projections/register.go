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
	AccreditationID   string                            `json:"accreditation_id"`
	CaseID            string                            `json:"case_id"`
	HolderID          string                            `json:"holder_id"`
	Scheme            accreditation.Scheme              `json:"scheme"`
	Level             framework.Level                   `json:"level"`
	AwardedAt         time.Time                         `json:"awarded_at"`
	ValidUntil        time.Time                         `json:"valid_until"`
	Status            accreditation.AccreditationStatus `json:"status"`
	ProgrammeName     pii.Sealed                        `json:"programme_name,omitzero"`
	ProgrammeProvider pii.Sealed                        `json:"programme_provider,omitzero"`
}

// Register is the read model of the public register: every accreditation
// with its status; only active ones are listed.
//
// The list is read far more often than it changes (an award, a renewal, an
// end, a person erased), so it is sorted once per change, and a reader's
// shaping of it (the public rows, see Shaped) is kept until the next one:
// a read costs the page it returns, not the register.
type Register struct {
	Entries map[string]*RegisterEntry `json:"entries"` // by accreditation id
	Cases   map[string]*RegisterEntry `json:"cases"`   // by case id: what case_opened said

	changes uint64 // counts the changes a list shows; Apply's alone
	mu      sync.Mutex
	current memo // Current's list
	shaped  memo // Shaped's value
}

// memo is a value made from the register as it was after changes changes.
type memo struct {
	changes uint64
	made    bool
	v       any
}

// NewRegister returns an empty register.
func NewRegister() *Register {
	return &Register{Entries: map[string]*RegisterEntry{}, Cases: map[string]*RegisterEntry{}}
}

// Name implements ReadModel.
func (m *Register) Name() string { return "register" }

// Apply implements ReadModel.
func (m *Register) Apply(e eventstore.Event) {
	if e.Type == accounts.EventUserErased {
		m.changes++ // a holder's name may be gone
		return
	}
	caseID, ok := strings.CutPrefix(e.Stream, accreditation.StreamPrefix+".")
	if !ok {
		return
	}
	switch accreditation.EventType(e.Type) {
	case accreditation.EventCaseOpened:
		var p accreditation.CaseOpened
		if json.Unmarshal(e.Data, &p) == nil {
			m.Cases[caseID] = &RegisterEntry{CaseID: caseID, HolderID: p.ApplicantID, Scheme: p.Scheme,
				ProgrammeName: p.ProgrammeName, ProgrammeProvider: p.ProgrammeProvider}
		}
	case accreditation.EventAccreditationAwarded:
		var p accreditation.AccreditationAwarded
		base := m.Cases[caseID]
		if json.Unmarshal(e.Data, &p) != nil || base == nil {
			return
		}
		en := *base
		en.AccreditationID, en.Level, en.AwardedAt, en.ValidUntil, en.Status = p.AccreditationID, p.Level, p.AwardedAt, p.ValidUntil, accreditation.StatusActive
		m.Entries[p.AccreditationID] = &en
		m.changes++
	case accreditation.EventAccreditationRenewed:
		var p accreditation.AccreditationRenewed
		if json.Unmarshal(e.Data, &p) == nil && m.Entries[p.AccreditationID] != nil {
			// An award that ended while its renewal was assessed is in
			// force again.
			en := *m.Entries[p.AccreditationID]
			en.ValidUntil, en.Status = p.ValidUntil, accreditation.StatusActive
			m.Entries[p.AccreditationID] = &en
			m.changes++
		}
	case accreditation.EventAccreditationExpired, accreditation.EventAccreditationRevoked, accreditation.EventAccreditationWithdrawn:
		var p struct {
			AccreditationID string `json:"accreditation_id"`
		}
		if json.Unmarshal(e.Data, &p) == nil && m.Entries[p.AccreditationID] != nil {
			en := *m.Entries[p.AccreditationID]
			m.Entries[p.AccreditationID] = &en
			en.Status = map[accreditation.EventType]accreditation.AccreditationStatus{
				accreditation.EventAccreditationExpired:   accreditation.StatusExpired,
				accreditation.EventAccreditationRevoked:   accreditation.StatusRevoked,
				accreditation.EventAccreditationWithdrawn: accreditation.StatusWithdrawn,
			}[accreditation.EventType(e.Type)]
			m.changes++
		}
	}
}

// Snapshot implements ReadModel.
func (m *Register) Snapshot() ([]byte, error) { return json.Marshal(m) }

// capture implements capturer: an entry is replaced when it changes,
// never changed in place (see Apply), so copies of the maps hold the
// entries as they stand.
func (m *Register) capture() func() (parts, error) {
	frozen := &Register{Entries: maps.Clone(m.Entries), Cases: maps.Clone(m.Cases)}
	return whole(frozen.Snapshot)
}

// Restore implements ReadModel.
func (m *Register) Restore(b []byte) error {
	m.changes++
	return json.Unmarshal(b, m)
}

// Current lists the active accreditations, newest award first (then by
// id). The list is shared by every reader until the register changes: do
// not modify it. Like every query, it runs within a read of the models.
func (m *Register) Current() []RegisterEntry {
	return remember(m, &m.current, func() any { return m.sorted() }).([]RegisterEntry)
}

// Shaped returns what shape makes of Current, made once per change of the
// register and shared until the next: the public register's rows, with the
// holders' names, are made from it (api.PublicRegister). The register keeps
// one shaping: give it one shape only.
func (m *Register) Shaped(shape func(current []RegisterEntry) any) any {
	current := m.Current()
	return remember(m, &m.shaped, func() any { return shape(current) })
}

// remember returns slot's value if it was made since the last change, and
// otherwise makes it; readers at once wait for one making.
func remember(m *Register, slot *memo, make func() any) any {
	m.mu.Lock()
	defer m.mu.Unlock()
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
