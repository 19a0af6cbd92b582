package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/search"
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
			erased := map[string]bool{}
			if st != nil {
				erased = st.erased // what the register applied stays applied
			}
			st = &registerShaping{rows: map[string]*shapedRow{}, byHolder: map[string][]string{},
				names: map[string]string{}, retry: map[string]bool{}, erased: erased}
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
	erased   map[string]bool       // holder ids the register saw erased: never listed, whatever the accounts say yet
	tried    time.Time             // when they were last tried
}

// update shapes again the rows that changed and makes the new list.
func (st *registerShaping) update(ctx context.Context, r PublicRegister, reg *projections.Register, changed projections.RegisterChanges) {
	for h := range changed.Erased {
		st.erased[h] = true
	}
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
	var active []projections.RegisterEntry
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
		active = append(active, *e)
	}
	names, sealed := st.openAll(ctx, r, active)
	for i, e := range active {
		id, old := e.AccreditationID, st.rows[e.AccreditationID]
		row, err := st.shape(e, names, sealed[i])
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

// openWorkers is how many names are opened at once in a shaping: each
// may wait on the key store, so a first shaping of 60k rows waits on
// several at a time rather than on each in turn.
const openWorkers = 16

// holderName is a holder's name opened, or why it could not be for now.
type holderName struct {
	name string
	err  error
}

// programme is an EQA entry's programme and provider opened.
type programme struct {
	name, provider string
	err            error
}

// openAll opens what the rows of entries show, openWorkers at a time:
// the names of their holders not kept yet, each once, and their
// programmes. It only reads st.
func (st *registerShaping) openAll(ctx context.Context, r PublicRegister, entries []projections.RegisterEntry) (map[string]holderName, []programme) {
	var holders []string
	seen := map[string]bool{}
	progs := make([]programme, len(entries))
	var eqa []int
	for i, e := range entries {
		if e.Scheme == accreditation.SchemeEQA {
			eqa = append(eqa, i)
			continue
		}
		if _, kept := st.names[e.HolderID]; !kept && !seen[e.HolderID] {
			seen[e.HolderID] = true
			holders = append(holders, e.HolderID)
		}
	}
	opened := make([]holderName, len(holders))
	inParallel(len(holders)+len(eqa), func(k int) {
		if k < len(holders) {
			name, err := r.Users.HolderName(ctx, holders[k])
			opened[k] = holderName{name: name, err: err}
			return
		}
		i := eqa[k-len(holders)]
		p := &progs[i]
		if p.name, p.err = open(ctx, r.Vault, entries[i].ProgrammeName); p.err == nil {
			p.provider, p.err = open(ctx, r.Vault, entries[i].ProgrammeProvider)
		}
	})
	names := make(map[string]holderName, len(holders))
	for k, h := range holders {
		names[h] = opened[k]
	}
	return names, progs
}

// inParallel calls do(0) to do(n-1), openWorkers at a time.
func inParallel(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, openWorkers) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				do(i)
			}
		})
	}
	wg.Wait()
}

// shape makes the row of entry e from its holder's name (kept, or opened
// in names) or its programme opened; err when one could not be opened for
// now.
func (st *registerShaping) shape(e projections.RegisterEntry, names map[string]holderName, p programme) (*shapedRow, error) {
	row := RegisterRow{AccreditationID: e.AccreditationID, Scheme: e.Scheme, Level: e.Level, AwardedAt: e.AwardedAt,
		ValidUntil: e.ValidUntil, Status: e.Status}
	if st.erased[e.HolderID] {
		// Erased by the register's own record: the accounts (and the key
		// store) may give the name for a moment after it applied the
		// erasure, and a name shaped then would stay listed.
		row.Holder = pii.Erased
		return &shapedRow{RegisterRow: row, holderID: e.HolderID}, nil
	}
	if e.Scheme == accreditation.SchemeEQA {
		// The provider's name stands for the holder's (as Row).
		if p.err != nil {
			return nil, p.err
		}
		row.Programme, row.Provider, row.Holder = p.name, p.provider, p.provider
	} else {
		name, ok := st.names[e.HolderID]
		if !ok {
			h, opened := names[e.HolderID]
			switch {
			case !opened: // kept when opened, let go since: next time
				return nil, errors.New("the holder's name was not opened")
			case h.err != nil:
				return nil, h.err
			}
			name = h.name
			st.names[e.HolderID] = name
		}
		row.Holder = name
	}
	s := &shapedRow{RegisterRow: row, holderID: e.HolderID, listed: row.Holder != pii.Erased}
	if s.listed {
		s.text = search.Fold(row.Holder + " " + row.Programme + " " + row.Provider)
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
