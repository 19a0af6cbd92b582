package projections

import (
	"slices"
	"strings"
	"time"
)

// ordered is an index of cases by submission time, with lazy removal: a
// removed case's ref stays, skipped by readers, until more than half the
// refs are dead and one pass drops them. Removing a case from a sorted
// slice in place cost a scan of the slice per change, quadratic in the
// cases over a replay.
type ordered struct {
	refs   []queueRef
	live   map[string]uint64 // case id -> serial of its live ref
	serial uint64
	dead   int
}

type queueRef struct {
	at time.Time
	id string
	n  uint64
}

func newOrdered() ordered { return ordered{live: map[string]uint64{}} }

// has reports whether r is the live ref of its case.
func (o *ordered) has(r queueRef) bool { return o.live[r.id] == r.n && r.n != 0 }

// put places the case at time at, replacing its earlier place if any.
func (o *ordered) put(id string, at time.Time) {
	o.remove(id)
	o.serial++
	o.live[id] = o.serial
	o.refs = insertOrdered(o.refs, queueRef{at: at, id: id, n: o.serial})
}

// append adds a case without keeping the order (a restore), for sort.
func (o *ordered) append(id string, at time.Time) {
	o.serial++
	o.live[id] = o.serial
	o.refs = append(o.refs, queueRef{at: at, id: id, n: o.serial})
}

func (o *ordered) sort() { slices.SortFunc(o.refs, byTime) }

func (o *ordered) remove(id string) {
	if _, ok := o.live[id]; !ok {
		return
	}
	delete(o.live, id)
	if o.dead++; o.dead > 1024 && o.dead > len(o.refs)/2 {
		out := o.refs[:0]
		for _, r := range o.refs {
			if o.has(r) {
				out = append(out, r)
			}
		}
		clear(o.refs[len(out):])
		o.refs, o.dead = out, 0
	}
}

// insertOrdered inserts r by (at, id); refs arrive nearly in order, so the
// insertion point is at or near the end.
func insertOrdered(refs []queueRef, r queueRef) []queueRef {
	i := len(refs)
	for i > 0 && (refs[i-1].at.After(r.at) || (refs[i-1].at.Equal(r.at) && refs[i-1].id > r.id)) {
		i--
	}
	return slices.Insert(refs, i, r)
}

func byTime(a, b queueRef) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}
