package projections

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The index holds exactly its live cases, in (time, id) order, through
// random puts, moves and removals far past a block's size, and after a
// restore's append and sort: a query that reads it from the first visits
// no case that left it, however many did.
func TestOrderedHoldsOnlyItsCasesInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 14))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := newOrdered()
	want := map[string]time.Time{}
	check := func(step string) {
		t.Helper()
		var got []queueRef
		for r := range o.all() {
			got = append(got, r)
		}
		var exp []queueRef
		for id, at := range want {
			exp = append(exp, queueRef{at: at, id: id})
		}
		slices.SortFunc(exp, byTime)
		if !slices.Equal(got, exp) {
			t.Fatalf("%s: %d refs, want %d (the live cases in order)", step, len(got), len(exp))
		}
		held := 0
		for _, b := range o.blocks {
			if len(b) == 0 || len(b) > blockMax {
				t.Fatalf("%s: a block of %d refs", step, len(b))
			}
			held += len(b)
		}
		if held != len(want) || o.len() != len(want) {
			t.Fatalf("%s: %d refs held, %d indexed, want %d", step, held, o.len(), len(want))
		}
	}
	for i := range 20_000 {
		id := fmt.Sprintf("case-%05d", rng.IntN(6000))
		switch rng.IntN(10) {
		case 0, 1, 2, 3: // oldest first out, as cases are decided
			if i%3 == 0 {
				for r := range o.all() {
					id = r.id
					break
				}
			}
			o.remove(id)
			delete(want, id)
		default: // same times for several cases: the id orders them
			at := base.Add(time.Duration(rng.IntN(3000)) * time.Minute)
			o.put(id, at)
			want[id] = at
		}
		if i%2500 == 0 {
			check(fmt.Sprintf("step %d", i))
		}
	}
	check("end")
	if o.len() < 2*blockMax {
		t.Fatalf("%d cases left: the test needs several blocks", o.len())
	}

	restored := newOrdered()
	for id, at := range want {
		restored.append(id, at)
	}
	restored.sort()
	o = restored
	check("restored")
	for id := range want {
		if rng.IntN(2) == 0 {
			o.remove(id)
			delete(want, id)
		}
	}
	check("half removed after the restore")
	for o.len() > 0 {
		for r := range o.all() {
			o.remove(r.id)
			delete(want, r.id)
			break
		}
	}
	check("emptied")
	if len(o.blocks) != 0 {
		t.Fatalf("%d blocks left in an empty index", len(o.blocks))
	}
}
