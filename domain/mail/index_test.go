package mail

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestIndexPagesNewestFirstWhateverTheOrderOfArrival: messages loaded in
// any order, then added, updated and dropped, page newest first exactly as
// sorting them all would, and only unsent ones are pending.
func TestIndexPagesNewestFirstWhateverTheOrderOfArrival(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	x := newIndex()
	want := map[string]Message{}
	add := func(i int, st Status) {
		m := Message{ID: fmt.Sprintf("m%04d", i), CreatedAt: base.Add(time.Duration(i/3) * time.Minute), Status: st}
		x.put(m)
		want[m.ID] = m
	}
	for _, i := range rng.Perm(300) { // the store's order is not creation's
		add(i, StatusKept)
	}
	x.loaded()
	for i := 300; i < 400; i++ {
		add(i, StatusQueued)
	}
	for _, i := range rng.Perm(400)[:250] {
		id := fmt.Sprintf("m%04d", i)
		x.drop(id)
		delete(want, id)
	}
	add(5, StatusSent)        // dropped, perhaps, and made again
	for id, m := range want { // sent: no longer pending
		if m.Status == StatusQueued && id > "m0390" {
			m.Status = StatusSent
			x.put(m)
			want[id] = m
		}
	}

	all := slices.Collect(func(yield func(Message) bool) {
		for _, m := range want {
			if !yield(m) {
				return
			}
		}
	})
	slices.SortFunc(all, func(a, b Message) int { return -compareEntries(entry{a.CreatedAt, a.ID}, entry{b.CreatedAt, b.ID}) })
	for _, size := range []int{1, 7, 50, 1000} {
		var got, byCursor []Message
		for off := 0; ; off += size {
			p, more := x.page(entry{}, off, size)
			got = append(got, p...)
			if !more {
				break
			}
		}
		for before := (entry{}); ; {
			p, more := x.page(before, 0, size)
			byCursor = append(byCursor, p...)
			if !more {
				break
			}
			before = entry{p[len(p)-1].CreatedAt, p[len(p)-1].ID}
		}
		for _, got := range [][]Message{got, byCursor} {
			if !slices.EqualFunc(got, all, func(a, b Message) bool { return a.ID == b.ID && a.Status == b.Status }) {
				t.Fatalf("pages of %d: %d messages, want %d in order", size, len(got), len(all))
			}
		}
	}
	for id := range x.pending {
		if st := want[id].Status; st != StatusQueued {
			t.Fatalf("%s is pending as %q", id, st)
		}
	}
	for id, m := range want {
		if _, p := x.pending[id]; (m.Status == StatusQueued) != p {
			t.Fatalf("%s (%s) pending: %v", id, m.Status, p)
		}
	}
	cut := base.Add(50 * time.Minute)
	for _, id := range x.doneBefore(cut) {
		if m := want[id]; !m.CreatedAt.Before(cut) || m.Status == StatusQueued {
			t.Fatalf("%s is not done before the cut: %+v", id, m)
		}
	}
}
