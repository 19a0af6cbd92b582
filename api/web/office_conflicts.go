package web

import (
	"slices"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/projections/search"
)

// conflictPickerSize is how many applicants a search of the conflict
// picker offers at once.
const conflictPickerSize = 20

// conflictChoices fills what the conflict-of-interest picker of an
// assessor's profile offers: the applicants already declared, ticked, and
// those found by ?conflict_q (name or email), to tick. It never lists
// every applicant: the office searches.
func (a *app) conflictChoices(x *ctx, p *page) error {
	idx := a.d.Reads.Search
	if idx == nil {
		return domain.Errorf(domain.Unavailable, "search is not available on this server")
	}
	declared := p.Form["conflicts"]
	var chosen, found []search.User
	for _, id := range declared {
		u, ok := idx.User(id)
		if !ok {
			u = search.User{ID: id, Name: id} // erased, or not indexed yet: still kept
		}
		chosen = append(chosen, u)
	}
	q := x.QueryParam("conflict_q")
	if q != "" {
		hits, _ := idx.Users(search.UserQuery{Text: q, Role: domain.RoleApplicant, Limit: conflictPickerSize + len(declared)})
		for _, h := range hits {
			if !slices.Contains(declared, h.ID) && len(found) < conflictPickerSize {
				found = append(found, h)
			}
		}
	}
	d := p.D.(map[string]any)
	d["Conflicts"], d["ConflictQ"], d["ConflictHits"] = chosen, q, found
	return nil
}
