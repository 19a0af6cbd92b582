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

	rowsOnce sync.Once
	rowJSON  [][]byte // per row: its JSON, for pages
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
	at, next := l.search(f, from, limit)
	rows = make([]RegisterRow, len(at))
	for i, j := range at {
		rows[i] = l.Rows[j]
	}
	return rows, next
}

// search is Search's rows' positions.
func (l *RegisterList) search(f RegisterFilter, from, limit int) (at []int, next int) {
	text := strings.ToLower(f.Text)
	if limit > 0 {
		at = make([]int, 0, min(limit, len(l.Rows)))
	}
	for i := from; i < len(l.Rows); i++ {
		row := &l.Rows[i]
		if (f.Scheme != "" && string(row.Scheme) != f.Scheme) || (f.Level != "" && string(row.Level) != f.Level) ||
			text != "" && !strings.Contains(l.text[i], text) {
			continue
		}
		if limit > 0 && len(at) == limit {
			return at, i
		}
		at = append(at, i)
	}
	return at, -1
}

// PageJSON is Search's answer as GET /api/v1/register writes it: each row
// encoded once per change of the register, the page joined from them
// (encoding/json's bytes for {"accreditations": rows, "next_cursor": id}).
// Through reflection every page cost its rows' encoding, half of its CPU
// at 10k accreditations.
func (l *RegisterList) PageJSON(f RegisterFilter, from, limit int) []byte {
	l.rowsOnce.Do(func() {
		l.rowJSON = make([][]byte, len(l.Rows))
		for i := range l.Rows {
			l.rowJSON[i], _ = json.Marshal(&l.Rows[i]) // a row always encodes
		}
	})
	at, next := l.search(f, from, limit)
	size := 64
	for _, i := range at {
		size += len(l.rowJSON[i]) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, `{"accreditations":[`...)
	for k, i := range at {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, l.rowJSON[i]...)
	}
	b = append(b, ']')
	if next >= 0 && len(at) > 0 {
		b = append(b, `,"next_cursor":`...)
		b = appendJSONString(b, l.Rows[at[len(at)-1]].AccreditationID)
	}
	return append(b, "}\n"...)
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
