package projections

import (
	"iter"
	"slices"
	"strings"
	"time"
)

// ordered is an index of cases by submission time (then id), held in
// sorted blocks of at most blockMax refs. A query reads only live refs, from
// the first, and stops at its page: its cost is the page, never the cases
// that left the index. A change finds its block by a binary search and moves
// at most a block's refs, so that a replay stays linear in the changes.
// (The index it replaced removed lazily: a removed case's ref stayed until
// half were dead, and every query skipped them, at 10k cases a quarter of
// the office queue's CPU.)
type ordered struct {
	blocks [][]queueRef
	at     map[string]time.Time // case id -> the time it is placed at
}

type queueRef struct {
	at time.Time
	id string
}

const blockMax = 512

func newOrdered() ordered { return ordered{at: map[string]time.Time{}} }

// len is the number of cases in the index.
func (o *ordered) len() int { return len(o.at) }

// all yields the refs in order.
func (o *ordered) all() iter.Seq[queueRef] {
	return func(yield func(queueRef) bool) {
		for _, b := range o.blocks {
			for _, r := range b {
				if !yield(r) {
					return
				}
			}
		}
	}
}

// put places the case at time at, replacing its earlier place if any.
func (o *ordered) put(id string, at time.Time) {
	o.remove(id)
	o.at[id] = at
	r := queueRef{at: at, id: id}
	if len(o.blocks) == 0 {
		o.blocks = [][]queueRef{{r}}
		return
	}
	// The first block whose last ref comes after r, else the last block.
	bi, _ := slices.BinarySearchFunc(o.blocks, r, func(b []queueRef, r queueRef) int { return byTime(b[len(b)-1], r) })
	bi = min(bi, len(o.blocks)-1)
	b := o.blocks[bi]
	i, _ := slices.BinarySearchFunc(b, r, byTime)
	b = slices.Insert(b, i, r)
	if len(b) <= blockMax {
		o.blocks[bi] = b
		return
	}
	// Split in two halves, each with room to grow.
	half := len(b) / 2
	right := slices.Clone(b[half:])
	o.blocks[bi] = slices.Clip(b[:half:half])
	o.blocks = slices.Insert(o.blocks, bi+1, right)
}

// append adds a case without keeping the order (a restore), for sort.
func (o *ordered) append(id string, at time.Time) {
	o.at[id] = at
	if n := len(o.blocks); n == 0 {
		o.blocks = [][]queueRef{nil}
	}
	last := len(o.blocks) - 1
	o.blocks[last] = append(o.blocks[last], queueRef{at: at, id: id})
}

// sort orders what append added, into half-full blocks.
func (o *ordered) sort() {
	var all []queueRef
	for _, b := range o.blocks {
		all = append(all, b...)
	}
	slices.SortFunc(all, byTime)
	o.blocks = o.blocks[:0]
	for len(all) > 0 {
		n := min(len(all), blockMax/2)
		o.blocks = append(o.blocks, slices.Clone(all[:n]))
		all = all[n:]
	}
}

// countUpTo is how many cases are placed at or before t: whole blocks
// counted by their length, the last one searched.
func (o *ordered) countUpTo(t time.Time) int {
	n := 0
	for _, b := range o.blocks {
		if !b[len(b)-1].at.After(t) {
			n += len(b)
			continue
		}
		i, _ := slices.BinarySearchFunc(b, t, func(r queueRef, t time.Time) int {
			if r.at.After(t) {
				return 1
			}
			return -1
		})
		return n + i
	}
	return n
}

func (o *ordered) remove(id string) {
	at, ok := o.at[id]
	if !ok {
		return
	}
	delete(o.at, id)
	r := queueRef{at: at, id: id}
	bi, _ := slices.BinarySearchFunc(o.blocks, r, func(b []queueRef, r queueRef) int { return byTime(b[len(b)-1], r) })
	if bi == len(o.blocks) {
		return // not reached: every case in at has its ref
	}
	b := o.blocks[bi]
	i, found := slices.BinarySearchFunc(b, r, byTime)
	if !found {
		return // not reached, as above
	}
	b = slices.Delete(b, i, i+1)
	if len(b) == 0 {
		o.blocks = slices.Delete(o.blocks, bi, bi+1)
		return
	}
	o.blocks[bi] = b
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
