package api

import (
	"context"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
)

// RegisterRow is one accreditation as the public register shows it: the
// API's JSON and the web's register and verification pages are built from
// this one row.
type RegisterRow struct {
	AccreditationID string                            `json:"accreditation_id"`
	Holder          string                            `json:"holder"`
	Programme       string                            `json:"programme,omitempty"`
	Provider        string                            `json:"provider,omitempty"`
	Scheme          accreditation.Scheme              `json:"scheme"`
	Level           framework.Level                   `json:"level"`
	AwardedAt       time.Time                         `json:"awarded_at"`
	ValidUntil      time.Time                         `json:"valid_until"`
	Status          accreditation.AccreditationStatus `json:"status"`
	// Valid is whether it is in force now (accreditation.InForce); the
	// verification answer carries it beside the row, not in it.
	Valid bool `json:"-"`
}

// RegisterFilter narrows the public register: a scheme and a level ("" for
// any), and text that the holder's, programme's or provider's name must
// contain, any case.
type RegisterFilter struct {
	Scheme, Level, Text string
}

// PublicRegister shapes the read model's register entries for anyone to
// see: the holder's name (the provider's, for EQA) and the programme opened,
// and whether each accreditation is valid now.
type PublicRegister struct {
	Users *accounts.Service
	Vault *pii.Vault
	Now   func() time.Time
}

// Row shapes one entry; listed is false when its holder was erased: lists
// leave such a row out, verification still answers it.
func (r PublicRegister) Row(ctx context.Context, e projections.RegisterEntry) (row RegisterRow, listed bool) {
	row = RegisterRow{AccreditationID: e.AccreditationID, Scheme: e.Scheme, Level: e.Level, AwardedAt: e.AwardedAt,
		ValidUntil: e.ValidUntil, Status: e.Status, Valid: accreditation.InForce(e.Status, e.ValidUntil, r.Now())}
	if u, err := r.Users.User(ctx, e.HolderID); err == nil && !u.Erased {
		row.Holder = u.Name
	} else {
		row.Holder = pii.Erased
	}
	if e.Scheme == accreditation.SchemeEQA {
		row.Programme = r.Vault.Reveal(ctx, e.ProgrammeName)
		row.Provider = r.Vault.Reveal(ctx, e.ProgrammeProvider)
		row.Holder = row.Provider
	}
	return row, row.Holder != pii.Erased
}

// Search lists the rows of the entries that f matches and that are listed,
// in the entries' order.
func (r PublicRegister) Search(ctx context.Context, entries []projections.RegisterEntry, f RegisterFilter) []RegisterRow {
	text := strings.ToLower(f.Text)
	out := []RegisterRow{}
	for _, e := range entries {
		if (f.Scheme != "" && string(e.Scheme) != f.Scheme) || (f.Level != "" && string(e.Level) != f.Level) {
			continue
		}
		row, listed := r.Row(ctx, e)
		if !listed || text != "" && !strings.Contains(strings.ToLower(row.Holder+" "+row.Programme+" "+row.Provider), text) {
			continue
		}
		out = append(out, row)
	}
	return out
}
