package search

import (
	"fmt"
	"testing"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
)

// filled is an index of n applicants with a case each (one in ten an EQA
// programme), built without a store.
func filled(n int) *Index {
	x := New(nil, nil, nil)
	first := []string{"Ada", "Grace", "Zoë", "Seán", "Anna", "Victor", "Carla", "Otto", "Rita", "Paul"}
	last := []string{"Lovelace", "Hopper", "van den Berg", "O'Brien", "Bergström", "Verifier", "Coach", "Other", "Reviewer", "Panel"}
	for i := range n {
		u, c := ulid.Make().String(), ulid.Make().String()
		name := fmt.Sprintf("%s %s %d", first[i%10], last[(i/10)%10], i)
		x.putUser(u, domain.RoleApplicant, name, fmt.Sprintf("person%d@example.org", i), u, u)
		programme, provider := "", ""
		if i%10 == 0 {
			programme, provider = fmt.Sprintf("Coaching Programme %d", i), "Academy North"
		}
		x.putCase(c, u, programme, provider, u, u)
	}
	return x
}

// BenchmarkSearch: one page of the office's searches over n cases and
// users: by a rare name (the whole index is looked at), by a common one
// (the page fills early), and a user search.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		x := filled(n)
		for _, q := range []struct{ name, text string }{{"rare", fmt.Sprintf("person%d@", n/2)}, {"common", "berg"}} {
			b.Run(fmt.Sprintf("cases/%s/n=%d", q.name, n), func(b *testing.B) {
				for b.Loop() {
					if page, _ := x.Cases(CaseQuery{Text: q.text}); len(page) == 0 {
						b.Fatal("nothing found")
					}
				}
			})
		}
		b.Run(fmt.Sprintf("users/rare/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if page, _ := x.Users(UserQuery{Text: fmt.Sprintf("person%d@", n/2)}); len(page) == 0 {
					b.Fatal("nothing found")
				}
			}
		})
	}
}
