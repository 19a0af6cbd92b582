package projections

import (
	"iter"
	"slices"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
)

// AssessorQueue is what one assessor sees, each oldest first and up to
// limit: the cases awaiting assessment they may take, and their own cases
// in progress.
func (m *Cases) AssessorQueue(p accreditation.AssessorProfile, now time.Time, sla time.Duration, limit int) (available, mine Page) {
	return m.AssessorQueueAfter(p, now, sla, limit, AssessorCursors{})
}

// AssessorCursors are where an assessor's next pages start: after the
// case each names (a page's Next), from the first when its ID is empty.
type AssessorCursors struct {
	Available, Mine QueueCursor
}

// AssessorQueueAfter is AssessorQueue going on after the cases at.
func (m *Cases) AssessorQueueAfter(p accreditation.AssessorProfile, now time.Time, sla time.Duration, limit int, at AssessorCursors) (available, mine Page) {
	return m.AssessorQueueIn(make([]QueueItem, 0, min(limit, len(m.awaitKey))), make([]QueueItem, 0, min(limit, len(m.open.byUser[p.UserID]))),
		p, now, sla, limit, at)
}

// AssessorQueueIn is AssessorQueueAfter making the pages in the arrays of
// availItems and mineItems (emptied first), as OfficeQueueIn does. A
// cursor is found by a binary search, so a page costs the page, not the
// cases before it or after it.
func (m *Cases) AssessorQueueIn(availItems, mineItems []QueueItem, p accreditation.AssessorProfile, now time.Time, sla time.Duration, limit int, at AssessorCursors) (available, mine Page) {
	available, mine = Page{Items: emptied(availItems)}, Page{Items: emptied(mineItems)}
	// Their own cases in progress, from their index in submission order.
	refs := m.open.byUser[p.UserID]
	from := 0
	if at.Mine.ID != "" {
		from = afterRef(refs, queueRef{at: at.Mine.At, id: at.Mine.ID})
	}
	var last queueRef
	for _, r := range refs[from:] {
		c, ok := m.Case(r.id)
		if !ok {
			continue
		}
		if len(mine.Items) == limit {
			mine.HasMore, mine.Next = true, &QueueCursor{At: last.at, ID: last.id}
			break
		}
		it := item(c, now, sla)
		it.MyRole = it.roleOf(p.UserID)
		it.Barred = barred(c, p, it.MyRole)
		mine.Items = append(mine.Items, it)
		last = r
	}
	var lastAvail queueRef
	for r := range m.awaitingFor(p, queueRef{at: at.Available.At, id: at.Available.ID}) {
		c, ok := m.Case(r.id)
		// Cheap checks first; CanClaim has the last word (and refuses a
		// role to whoever holds the other, so that is not asked here too).
		if !ok || c.State != accreditation.StateAwaitingAssessment || !slices.Contains(p.Schemes, string(c.Scheme)) ||
			!p.MaxLevel.AtLeast(c.Level) || !slices.Contains(p.Languages, c.Language) || slices.Contains(p.Conflicts, c.ApplicantID) {
			continue
		}
		roles := c.ClaimableRoles(p)
		if len(roles) == 0 {
			continue
		}
		if len(available.Items) == limit {
			available.HasMore, available.Next = true, &QueueCursor{At: lastAvail.at, ID: lastAvail.id}
			break
		}
		it := item(c, now, sla)
		it.Claimable = roles
		available.Items = append(available.Items, it)
		lastAvail = r
	}
	return available, mine
}

// afterRef is the index of the first of refs (in byTime order) that comes
// after r.
func afterRef(refs []queueRef, r queueRef) int {
	i, found := slices.BinarySearchFunc(refs, r, byTime)
	if found {
		i++
	}
	return i
}

// awaitingFor yields the cases awaiting assessment in the parts profile p
// matches, by submission: the parts are merged.
func (m *Cases) awaitingFor(p accreditation.AssessorProfile, after queueRef) iter.Seq[queueRef] {
	var parts [][][]queueRef
	for k, o := range m.awaitingBy {
		if slices.Contains(p.Schemes, string(k.scheme)) && p.MaxLevel.AtLeast(k.level) && slices.Contains(p.Languages, k.language) {
			parts = append(parts, o.blocks)
		}
	}
	return func(yield func(queueRef) bool) {
		type cursor struct{ block, i int }
		at := make([]cursor, len(parts))
		for j, blocks := range parts {
			if after.id == "" {
				break
			}
			// The first block whose last ref comes after the cursor, and in
			// it the first ref that does (a block is never empty).
			c := &at[j]
			c.block, _ = slices.BinarySearchFunc(blocks, after, func(b []queueRef, r queueRef) int {
				if byTime(b[len(b)-1], r) <= 0 {
					return -1
				}
				return 1
			})
			if c.block < len(blocks) {
				c.i = afterRef(blocks[c.block], after)
			}
		}
		for {
			best := -1
			for j, blocks := range parts {
				c := at[j]
				if c.block == len(blocks) {
					continue
				}
				if best < 0 || byTime(blocks[c.block][c.i], parts[best][at[best].block][at[best].i]) < 0 {
					best = j
				}
			}
			if best < 0 {
				return
			}
			c := &at[best]
			if !yield(parts[best][c.block][c.i]) {
				return
			}
			if c.i++; c.i == len(parts[best][c.block]) {
				c.block, c.i = c.block+1, 0
			}
		}
	}
}
