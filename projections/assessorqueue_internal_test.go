package projections

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// TestAwaitingForGoesOnAfterTheCursor: the cases awaiting assessment, from
// parts of many blocks merged, go on after any cursor (one in the index,
// one that left it, one before or after them all) exactly as the whole
// list does after it: the binary search into each part's blocks misses
// none and repeats none.
func TestAwaitingForGoesOnAfterTheCursor(t *testing.T) {
	m := &Cases{awaitingBy: map[claimKey]*ordered{}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var all []queueRef
	for i := range 3000 {
		k := claimKey{scheme: "EIA", language: []string{"en", "nl"}[i%2], level: framework.Practitioner}
		r := queueRef{at: t0.Add(time.Duration(i*7%2999) * time.Minute), id: fmt.Sprintf("case-%04d", i)}
		m.awaitingPart(k).put(r.id, r.at)
		all = append(all, r)
	}
	slices.SortFunc(all, byTime)
	if n := len(m.awaitingBy[claimKey{"EIA", "en", framework.Practitioner}].blocks); n < 3 {
		t.Fatalf("a part of %d blocks: the test crosses none", n)
	}
	p := accreditation.AssessorProfile{Schemes: []string{"EIA"}, MaxLevel: framework.MasterPractitioner, Languages: []string{"en", "nl"}}
	afters := []queueRef{{}, {at: t0.Add(-time.Hour), id: "before-all"}, {at: t0.Add(10000 * time.Hour), id: "after-all"},
		{at: all[1500].at, id: all[1500].id + "-gone"}}
	for _, i := range []int{0, 1, 511, 512, 513, 1024, 2998, 2999} {
		afters = append(afters, all[i])
	}
	for _, after := range afters {
		var want []queueRef
		for _, r := range all {
			if after.id == "" || byTime(r, after) > 0 {
				want = append(want, r)
			}
		}
		got := slices.Collect(m.awaitingFor(p, after))
		if !slices.Equal(got, want) {
			t.Fatalf("after %v: %d cases, want %d in order", after, len(got), len(want))
		}
	}
}
