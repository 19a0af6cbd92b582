package mail

import (
	"cmp"
	"slices"
	"time"

	"github.com/emcc/accredit/domain/pii"
)

// index is the outbox as each process holds it, so that neither a page of
// the office's list nor a look for what is due costs more as mail piles
// up:
//   - each message without its address and body (sealed, and read from
//     the store when it is sent or opened);
//   - the ids in order of creation, for pages newest first;
//   - the ids still to send (queued or being sent), for the sender.
//
// It is not safe for concurrent use (Outbox holds its lock).
type index struct {
	byID    map[string]Message
	order   []entry // by (created, id); may hold ids dropped since (stale)
	stale   int     // how many of order are stale
	pending map[string]struct{}
	loading bool // the store's messages are arriving in no order: sorted once they are all in
}

type entry struct {
	at time.Time
	id string
}

func compareEntries(a, b entry) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

func newIndex() *index {
	return &index{byID: map[string]Message{}, pending: map[string]struct{}{}, loading: true}
}

// put adds m or updates it, unless the index has a later state of it.
func (x *index) put(m Message) {
	old, known := x.byID[m.ID]
	if known && rank(old) > rank(m) {
		return // a watch may bring an older state after a local write
	}
	m.To, m.Body = pii.Sealed{}, pii.Sealed{}
	x.byID[m.ID] = m
	if m.Status == StatusQueued || m.Status == StatusSending {
		x.pending[m.ID] = struct{}{}
	} else {
		delete(x.pending, m.ID)
	}
	if known {
		return // the creation time never changes
	}
	e := entry{m.CreatedAt, m.ID}
	if x.loading {
		x.order = append(x.order, e)
		return
	}
	i, found := slices.BinarySearchFunc(x.order, e, compareEntries)
	if found { // a stale entry of a message dropped and made again
		x.stale--
		return
	}
	x.order = slices.Insert(x.order, i, e)
}

// loaded ends the load: the order is sorted once.
func (x *index) loaded() {
	if !x.loading {
		return
	}
	slices.SortFunc(x.order, compareEntries)
	x.order = slices.CompactFunc(x.order, func(a, b entry) bool { return compareEntries(a, b) == 0 })
	x.loading = false
}

// drop forgets message id; its place in the order is cleared later.
func (x *index) drop(id string) {
	if _, ok := x.byID[id]; !ok {
		return
	}
	delete(x.byID, id)
	delete(x.pending, id)
	x.stale++
	if x.stale > len(x.order)/4 {
		x.order = slices.DeleteFunc(x.order, func(e entry) bool { return !x.current(e) })
		x.stale = 0
	}
}

// current reports whether e is a message the index holds.
func (x *index) current(e entry) bool {
	m, ok := x.byID[e.id]
	return ok && m.CreatedAt.Equal(e.at)
}

// page returns limit messages from offset, newest first, starting
// before the message before names (from the newest when its id is
// empty); more is whether any follow.
func (x *index) page(before entry, offset, limit int) (out []Message, more bool) {
	order := x.order
	if x.loading { // asked before the load ended: what is known so far
		order = slices.SortedFunc(slices.Values(order), compareEntries)
	}
	i := len(order)
	if before.id != "" {
		// A cursor goes on from its place, whatever was written since: by
		// offset, a message written between pages showed one twice.
		i, _ = slices.BinarySearchFunc(order, before, compareEntries)
	}
	for i--; i >= 0; i-- {
		e := order[i]
		if !x.current(e) {
			continue
		}
		if offset > 0 {
			offset--
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, x.byID[e.id])
	}
	return out, false
}

// to returns the ids of the messages written to recipientID, oldest first.
func (x *index) to(recipientID string) []string {
	order := x.order
	if x.loading {
		order = slices.SortedFunc(slices.Values(order), compareEntries)
	}
	var ids []string
	for _, e := range order {
		if x.current(e) && x.byID[e.id].RecipientID == recipientID {
			ids = append(ids, e.id)
		}
	}
	return ids
}

// due returns the ids to send at now, in id order.
func (x *index) due(now time.Time) []string {
	var ids []string
	for id := range x.pending {
		if due(x.byID[id], now) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// doneBefore returns the ids of the messages created before t that are
// past sending (sent, failed, kept or cancelled), oldest first.
func (x *index) doneBefore(t time.Time) []string {
	var ids []string
	for _, e := range x.order {
		if !e.at.Before(t) {
			break
		}
		if _, pending := x.pending[e.id]; x.current(e) && !pending {
			ids = append(ids, e.id)
		}
	}
	return ids
}
