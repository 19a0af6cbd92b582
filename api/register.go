package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/search"
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
	// EndedAt is when an accreditation no longer active ended (revoked,
	// withdrawn, or its date when expired); absent while it is active.
	EndedAt time.Time `json:"ended_at,omitzero"`
	// ReplacedBy is the accreditation awarded in its stead on the same
	// case (an appeal upheld back to the decision); the verification
	// answers it, the lists never hold such a row.
	ReplacedBy string `json:"replaced_by,omitempty"`
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

// Holders is what the register reads of a holder: accounts.Service.
type Holders interface {
	// HolderName is the holder's name opened, pii.Erased once erased;
	// an error when there is no such user or the name cannot be opened
	// for now.
	HolderName(ctx context.Context, id string) (string, error)
}

// PublicRegister shapes the read model's register entries for anyone to
// see: the holder's name (the provider's, for EQA) and the programme opened,
// and whether each accreditation is valid now.
type PublicRegister struct {
	Users Holders
	Vault *pii.Vault
	Now   func() time.Time
}

// Row shapes one entry; listed is false when its holder was erased: lists
// leave such a row out, verification still answers it. A name that cannot
// be read for now is Unavailable, not told as an erasure: a verifier would
// read that a valid accreditation's holder was erased.
func (r PublicRegister) Row(ctx context.Context, e projections.RegisterEntry) (row RegisterRow, listed bool, err error) {
	row = RegisterRow{AccreditationID: e.AccreditationID, Scheme: e.Scheme, Level: e.Level, AwardedAt: e.AwardedAt,
		ValidUntil: e.ValidUntil, Status: e.Status, EndedAt: e.EndedAt, Valid: accreditation.InForce(e.Status, e.ValidUntil, r.Now())}
	unavailable := func(err error) (RegisterRow, bool, error) {
		e := domain.Wrap(domain.Unavailable, err, "the accreditation's holder cannot be read for now")
		e.RetryAfter = 1
		return RegisterRow{}, false, e
	}
	name, err := r.Users.HolderName(ctx, e.HolderID)
	switch {
	case err == nil:
		row.Holder = name
	case domain.Is(err, domain.NotFound):
		row.Holder = pii.Erased // no such user: nobody to name
	default:
		return unavailable(err)
	}
	if e.Scheme == accreditation.SchemeEQA {
		if row.Programme, err = open(ctx, r.Vault, e.ProgrammeName); err != nil {
			return unavailable(err)
		}
		if row.Provider, err = open(ctx, r.Vault, e.ProgrammeProvider); err != nil {
			return unavailable(err)
		}
		row.Holder = row.Provider
	}
	return row, row.Holder != pii.Erased, nil
}

// RegisterList is the listed rows of the register's current entries,
// newest award first, as they stood at one change of the register and
// shared by every reader until the next (Listed): read it, never modify
// it.
type RegisterList struct {
	rows []*shapedRow
	now  func() time.Time // for Valid, which a search reckons at its time

	once sync.Once
	body []byte // the whole list as GET /api/v1/register answers it
	etag string

	gzipOnce sync.Once
	gzipped  []byte // body gzipped, for a client that accepts it
}

// shapedRow is one active entry as the lists show it, made when its entry
// or its holder changes and never modified after: the lists made after
// each change share it until then.
type shapedRow struct {
	RegisterRow        // Valid unset: a search reckons it
	holderID    string // whose row it is
	listed      bool   // false when its holder (the provider, for EQA) was erased
	text        string // the names a search looks in, folded (search.Fold)
	json        []byte // the row as encoding/json writes it, for pages
}

// Len is how many rows the list holds.
func (l *RegisterList) Len() int { return len(l.rows) }

// Search returns up to limit rows (every one when limit is 0) that f
// matches, from position from on, and the position after the last row
// returned when more may follow (-1 when none do). Valid is as of now.
func (l *RegisterList) Search(f RegisterFilter, from, limit int) (rows []RegisterRow, next int) {
	at, next := l.search(f, from, limit)
	now := time.Now()
	if l.now != nil {
		now = l.now()
	}
	rows = make([]RegisterRow, len(at))
	for i, j := range at {
		rows[i] = l.rows[j].RegisterRow
		rows[i].Valid = accreditation.InForce(rows[i].Status, rows[i].ValidUntil, now)
	}
	return rows, next
}

// Count is how many rows f matches.
func (l *RegisterList) Count(f RegisterFilter) int {
	at, _ := l.search(f, 0, 0)
	return len(at)
}

// search is Search's rows' positions.
func (l *RegisterList) search(f RegisterFilter, from, limit int) (at []int, next int) {
	text := search.Fold(f.Text)
	if limit > 0 {
		at = make([]int, 0, min(limit, len(l.rows)))
	}
	for i := from; i < len(l.rows); i++ {
		row := l.rows[i]
		if (f.Scheme != "" && string(row.Scheme) != f.Scheme) || (f.Level != "" && string(row.Level) != f.Level) ||
			text != "" && !strings.Contains(row.text, text) {
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
// encoded once, when it was shaped, the page joined from them
// (encoding/json's bytes for {"accreditations": rows, "next_cursor": id}).
// Through reflection every page cost its rows' encoding, half of its CPU
// at 10k accreditations.
func (l *RegisterList) PageJSON(f RegisterFilter, from, limit int) []byte {
	return l.AppendPageJSON(nil, f, from, limit)
}

// AppendPageJSON appends PageJSON's bytes to b: the API makes its pages in
// a pooled buffer (a page of 50 rows is about 15 KB, copied into the
// answer).
func (l *RegisterList) AppendPageJSON(b []byte, f RegisterFilter, from, limit int) []byte {
	at, next := l.search(f, from, limit)
	size := 64
	for _, i := range at {
		size += len(l.rows[i].json) + 1
	}
	b = slices.Grow(b, size)
	b = append(b, `{"accreditations":[`...)
	for k, i := range at {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, l.rows[i].json...)
	}
	b = append(b, ']')
	if next >= 0 && len(at) > 0 {
		b = append(b, `,"next_cursor":`...)
		b = appendJSONString(b, l.rows[at[len(at)-1]].AccreditationID)
	}
	return append(b, "}\n"...)
}

// GzipJSON is JSON's body gzipped, compressed once per list, and its
// entity tag (another than the plain body's: another representation). The
// whole list is about 12 MB at 60k accreditations, written to every client
// that asks for it: gzipped it is a fraction of that, on the wire and in
// the server's writes.
func (l *RegisterList) GzipJSON() (body []byte, etag string) {
	plain, etag := l.JSON()
	l.gzipOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed) // a valid level: no error
		_, _ = zw.Write(plain)                           // into memory: no error
		_ = zw.Close()
		l.gzipped = b.Bytes()
	})
	return l.gzipped, strings.TrimSuffix(etag, `"`) + `-gzip"`
}

// acceptsGzip reports whether an Accept-Encoding header value accepts
// gzip: named with a q above 0, or not named and * is (RFC 9110 12.5.3:
// "*" matches only a coding not listed, so "*, gzip;q=0" refuses gzip).
func acceptsGzip(header string) bool {
	q := qualities(header)
	if gzip, named := q["gzip"]; named {
		return gzip > 0
	}
	return q["*"] > 0
}

// After is the position of the first row listed after an accreditation
// awarded at awardedAt with id: where the page after it starts, whether or
// not it is still listed.
func (l *RegisterList) After(awardedAt time.Time, id string) int {
	return sort.Search(len(l.rows), func(i int) bool {
		r := l.rows[i]
		if c := awardedAt.Compare(r.AwardedAt); c != 0 {
			return c > 0 // newest first
		}
		return r.AccreditationID > id
	})
}

// JSON is the whole list as GET /api/v1/register answers it without a
// query (encoding/json's bytes for {"accreditations": rows}), joined once
// from the rows' JSON, and its entity tag.
func (l *RegisterList) JSON() (body []byte, etag string) {
	l.once.Do(func() {
		size := 64
		for _, r := range l.rows {
			size += len(r.json) + 1
		}
		b := make([]byte, 0, size)
		b = append(b, `{"accreditations":[`...)
		for i, r := range l.rows {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, r.json...)
		}
		b = append(b, "]}\n"...)
		sum := sha256.Sum256(b)
		l.body, l.etag = b, `"`+hex.EncodeToString(sum[:16])+`"`
	})
	return l.body, l.etag
}
