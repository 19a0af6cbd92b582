package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"sync"
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

// RegisterList is the listed rows of the register's current entries,
// newest award first, shaped once per change of the register and shared by
// every reader until the next (Listed): read it, never modify it. Valid is
// as when it was shaped (the lists do not show it).
type RegisterList struct {
	Rows []RegisterRow
	text []string // per row: the lower-cased names a search looks in

	once sync.Once
	body []byte // the whole list as GET /api/v1/register answers it
	etag string
}

// Listed returns the shaped list of reg; call it within a read of the
// models.
func (r PublicRegister) Listed(ctx context.Context, reg *projections.Register) *RegisterList {
	return reg.Shaped(func(current []projections.RegisterEntry) any {
		l := &RegisterList{Rows: make([]RegisterRow, 0, len(current)), text: make([]string, 0, len(current))}
		for _, e := range current {
			row, listed := r.Row(ctx, e)
			if listed {
				l.Rows = append(l.Rows, row)
				l.text = append(l.text, strings.ToLower(row.Holder+" "+row.Programme+" "+row.Provider))
			}
		}
		return l
	}).(*RegisterList)
}

// Search returns up to limit rows (every one when limit is 0) that f
// matches, from position from on, and the position after the last row
// returned when more may follow (-1 when none do).
func (l *RegisterList) Search(f RegisterFilter, from, limit int) (rows []RegisterRow, next int) {
	text := strings.ToLower(f.Text)
	rows = []RegisterRow{}
	for i := from; i < len(l.Rows); i++ {
		row := l.Rows[i]
		if (f.Scheme != "" && string(row.Scheme) != f.Scheme) || (f.Level != "" && string(row.Level) != f.Level) ||
			text != "" && !strings.Contains(l.text[i], text) {
			continue
		}
		if limit > 0 && len(rows) == limit {
			return rows, i
		}
		rows = append(rows, row)
	}
	return rows, -1
}

// After is the position of the first row listed after an accreditation
// awarded at awardedAt with id: where the page after it starts, whether or
// not it is still listed.
func (l *RegisterList) After(awardedAt time.Time, id string) int {
	return sort.Search(len(l.Rows), func(i int) bool {
		r := l.Rows[i]
		if c := awardedAt.Compare(r.AwardedAt); c != 0 {
			return c > 0 // newest first
		}
		return r.AccreditationID > id
	})
}

// JSON is the whole list as GET /api/v1/register answers it without a
// query, encoded once, and its entity tag.
func (l *RegisterList) JSON() (body []byte, etag string) {
	l.once.Do(func() {
		var buf bytes.Buffer
		_ = json.NewEncoder(&buf).Encode(map[string]any{"accreditations": l.Rows})
		sum := sha256.Sum256(buf.Bytes())
		l.body, l.etag = buf.Bytes(), `"`+hex.EncodeToString(sum[:16])+`"`
	})
	return l.body, l.etag
}
