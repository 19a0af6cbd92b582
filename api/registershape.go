package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
)

// retryEvery is how often a read tries again a row whose holder could not
// be read (the store or the key store failing for a moment), when the
// register has not changed meanwhile.
const retryEvery = time.Second

// Listed returns the shaped list of reg; call it within a read of the
// models.
//
// The rows are shaped incrementally: after a change of the register, the
// first read shapes again only the rows whose entry changed (an award, a
// renewal, an end) and those of holders whose name may have changed (an
// erasure), and makes the new list from the one before: the cost of a
// change is its rows', not the register's (at 10k accreditations the whole
// shaping took 4 to 19 s, reading every holder and opening their name).
// The holders' names are opened once and kept, in memory only, until
// their holder changes or holds no listed row any more.
//
// Readers who arrive while the rows are shaped wait for that one shaping
// (Register.Shaped) rather than read the list before: an answer says at
// which position of the store it is (X-Accredit-Seq), and a reader who
// waited for an award with min_seq must see it. The wait is the changed
// rows' shaping.
func (r PublicRegister) Listed(ctx context.Context, reg *projections.Register) *RegisterList {
	// The shaping is shared: a reader who leaves must not cut it short.
	ctx = context.WithoutCancel(ctx)
	v := reg.Shaped(func(prev any, changed projections.RegisterChanges) (any, bool) {
		st, _ := prev.(*registerShaping)
		if st == nil || changed.All {
			st = &registerShaping{rows: map[string]*shapedRow{}, byHolder: map[string][]string{},
				names: map[string]string{}, retry: map[string]bool{}}
		}
		st.update(ctx, r, reg, changed)
		return st, len(st.retry) > 0
	})
	return v.(*registerShaping).list
}

// registerShaping is the register's shaping kept from one change to the
// next: every active entry's row and the holders' names. Only the
// register's Shaped touches it, one shaping at a time.
type registerShaping struct {
	list     *RegisterList
	rows     map[string]*shapedRow // by accreditation id: every active entry's row, listed or not
	byHolder map[string][]string   // holder id -> the accreditation ids of their rows
	names    map[string]string     // holder id -> their name opened (pii.Erased when erased), while they hold a row
	retry    map[string]bool       // accreditation ids to shape again: their holder could not be read for now
	tried    time.Time             // when they were last tried
}

// update shapes again the rows that changed and makes the new list.
func (st *registerShaping) update(ctx context.Context, r PublicRegister, reg *projections.Register, changed projections.RegisterChanges) {
	dirty := map[string]bool{}
	if st.list == nil {
		for id, e := range reg.Entries {
			if e.Status == accreditation.StatusActive {
				dirty[id] = true
			}
		}
	} else {
		for id := range changed.Accreditations {
			dirty[id] = true
		}
		for h := range changed.Holders {
			delete(st.names, h)
			for _, id := range st.byHolder[h] {
				dirty[id] = true
			}
		}
	}
	if len(st.retry) > 0 && (len(dirty) > 0 || time.Since(st.tried) >= retryEvery) {
		for id := range st.retry {
			dirty[id] = true
		}
		st.tried = time.Now()
	}
	if len(dirty) == 0 && st.list != nil {
		return // the list shows the same: it stays, with its entity tag
	}
	var removed, added []*shapedRow // listed rows that leave the list, and that join it
	for id := range dirty {
		delete(st.retry, id)
		old := st.rows[id]
		e, ok := reg.Entries[id]
		if !ok || e.Status != accreditation.StatusActive {
			if old != nil {
				st.drop(old)
				if old.listed {
					removed = append(removed, old)
				}
			}
			continue
		}
		row, err := st.shape(ctx, r, *e)
		if err != nil {
			st.retry[id] = true // the row as it was meanwhile, or none
			if st.tried.IsZero() {
				st.tried = time.Now()
			}
			continue
		}
		if old != nil && old.sameAs(row) {
			continue
		}
		switch {
		case old == nil:
			st.put(row)
		case old.holderID == row.holderID:
			st.rows[id] = row // the holder's name kept
		default:
			st.drop(old)
			st.put(row)
		}
		if old != nil && old.listed {
			removed = append(removed, old)
		}
		if row.listed {
			added = append(added, row)
		}
	}
	if st.list != nil && len(removed) == 0 && len(added) == 0 {
		return
	}
	st.list = &RegisterList{rows: st.merged(removed, added), now: r.Now}
}

// shape makes the row of entry e, reading its holder's name unless it is
// kept; err when the holder or a sealed value could not be read for now.
func (st *registerShaping) shape(ctx context.Context, r PublicRegister, e projections.RegisterEntry) (*shapedRow, error) {
	row := RegisterRow{AccreditationID: e.AccreditationID, Scheme: e.Scheme, Level: e.Level, AwardedAt: e.AwardedAt,
		ValidUntil: e.ValidUntil, Status: e.Status}
	if e.Scheme == accreditation.SchemeEQA {
		// The provider's name stands for the holder's (as Row).
		var err error
		if row.Programme, err = open(ctx, r.Vault, e.ProgrammeName); err != nil {
			return nil, err
		}
		if row.Provider, err = open(ctx, r.Vault, e.ProgrammeProvider); err != nil {
			return nil, err
		}
		row.Holder = row.Provider
	} else {
		name, ok := st.names[e.HolderID]
		if !ok {
			u, err := r.Users.User(ctx, e.HolderID)
			switch {
			case err != nil:
				return nil, err
			case u.Erased:
				name = pii.Erased
			case u.Name == pii.Erased:
				return nil, errors.New("the holder's name could not be opened")
			default:
				name = u.Name
			}
			st.names[e.HolderID] = name
		}
		row.Holder = name
	}
	s := &shapedRow{RegisterRow: row, holderID: e.HolderID, listed: row.Holder != pii.Erased}
	if s.listed {
		s.text = strings.ToLower(row.Holder + " " + row.Programme + " " + row.Provider)
		s.json, _ = json.Marshal(&s.RegisterRow) // a row always encodes
	}
	return s, nil
}

// open opens a sealed value for the register: pii.Erased when its subject
// was erased, an error when it cannot be opened for now.
func open(ctx context.Context, v *pii.Vault, s pii.Sealed) (string, error) {
	p, err := v.Open(ctx, s)
	if errors.Is(err, pii.ErrErased) {
		return pii.Erased, nil
	}
	return p, err
}

// sameAs reports whether the lists show o as they show s.
func (s *shapedRow) sameAs(o *shapedRow) bool {
	return s.listed == o.listed && s.holderID == o.holderID && s.text == o.text && bytes.Equal(s.json, o.json) &&
		s.AwardedAt.Equal(o.AwardedAt) // the position, should the JSON's time be the same instant written alike
}

// put keeps row as its accreditation's.
func (st *registerShaping) put(row *shapedRow) {
	st.rows[row.AccreditationID] = row
	st.byHolder[row.holderID] = append(st.byHolder[row.holderID], row.AccreditationID)
}

// drop forgets row, and its holder's name once they hold no row.
func (st *registerShaping) drop(row *shapedRow) {
	delete(st.rows, row.AccreditationID)
	ids := st.byHolder[row.holderID]
	if i := slices.Index(ids, row.AccreditationID); i >= 0 {
		ids = slices.Delete(ids, i, i+1)
	}
	if len(ids) == 0 {
		delete(st.byHolder, row.holderID)
		delete(st.names, row.holderID)
	} else {
		st.byHolder[row.holderID] = ids
	}
}

// compareRows orders the list: newest award first, then by id.
func compareRows(a, b *shapedRow) int {
	if c := b.AwardedAt.Compare(a.AwardedAt); c != 0 {
		return c
	}
	return strings.Compare(a.AccreditationID, b.AccreditationID)
}

// merged is the list before without the removed rows and with the added
// ones in their places: the rows between them are copied, not compared,
// so a change costs its rows and a copy of the list's pointers.
func (st *registerShaping) merged(removed, added []*shapedRow) []*shapedRow {
	var old []*shapedRow
	if st.list != nil {
		old = st.list.rows
	}
	slices.SortFunc(added, compareRows)
	skip := make([]int, 0, len(removed))
	for _, r := range removed {
		i, found := slices.BinarySearchFunc(old, r, compareRows)
		if !found || old[i] != r {
			return st.sortedAll() // never so; should it be, the whole list is right
		}
		skip = append(skip, i)
	}
	slices.Sort(skip)
	out := make([]*shapedRow, 0, len(old)-len(skip)+len(added))
	i, s := 0, 0
	copyTo := func(at int) { // old[i:at], less the rows removed
		for i < at {
			end := at
			if s < len(skip) && skip[s] < end {
				end = skip[s]
			}
			out = append(out, old[i:end]...)
			i = end
			if s < len(skip) && skip[s] == i {
				i, s = i+1, s+1
			}
		}
	}
	for _, a := range added {
		at, _ := slices.BinarySearchFunc(old, a, compareRows) // before the row it replaces, if any
		copyTo(at)
		out = append(out, a)
	}
	copyTo(len(old))
	return out
}

// sortedAll is every listed row, in order.
func (st *registerShaping) sortedAll() []*shapedRow {
	out := make([]*shapedRow, 0, len(st.rows))
	for _, r := range st.rows {
		if r.listed {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, compareRows)
	return out
}
