package projections

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

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
type Register struct {
	Entries map[string]*RegisterEntry `json:"entries"` // by accreditation id
	Cases   map[string]*RegisterEntry `json:"cases"`   // by case id: what case_opened said
}

// NewRegister returns an empty register.
func NewRegister() *Register {
	return &Register{Entries: map[string]*RegisterEntry{}, Cases: map[string]*RegisterEntry{}}
}

// Name implements ReadModel.
func (m *Register) Name() string { return "register" }

// Apply implements ReadModel.
func (m *Register) Apply(e eventstore.Event) {
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
	case accreditation.EventAccreditationRenewed:
		var p accreditation.AccreditationRenewed
		if json.Unmarshal(e.Data, &p) == nil && m.Entries[p.AccreditationID] != nil {
			m.Entries[p.AccreditationID].ValidUntil = p.ValidUntil
		}
	case accreditation.EventAccreditationExpired, accreditation.EventAccreditationRevoked, accreditation.EventAccreditationWithdrawn:
		var p struct {
			AccreditationID string `json:"accreditation_id"`
		}
		if json.Unmarshal(e.Data, &p) == nil && m.Entries[p.AccreditationID] != nil {
			m.Entries[p.AccreditationID].Status = map[accreditation.EventType]accreditation.AccreditationStatus{
				accreditation.EventAccreditationExpired:   accreditation.StatusExpired,
				accreditation.EventAccreditationRevoked:   accreditation.StatusRevoked,
				accreditation.EventAccreditationWithdrawn: accreditation.StatusWithdrawn,
			}[accreditation.EventType(e.Type)]
		}
	}
}

// Snapshot implements ReadModel.
func (m *Register) Snapshot() ([]byte, error) { return json.Marshal(m) }

// Restore implements ReadModel.
func (m *Register) Restore(b []byte) error { return json.Unmarshal(b, m) }

// Current lists the active accreditations, newest award first.
func (m *Register) Current() []RegisterEntry {
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
