package web

import (
	"net/http"
	"slices"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections/search"
)

// conflictPickerSize is how many applicants a search of the conflict
// picker offers at once.
const conflictPickerSize = 20

// conflictChoices fills what the conflict-of-interest picker of an
// assessor's profile offers: the applicants already declared, ticked, and
// those found by conflict_q (name or email: the query of a link, or the
// profile's form sent by its search button), to tick. It never lists
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
	if searchingConflicts(x) {
		q = x.fv("conflict_q")
	}
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
	if searchingConflicts(x) {
		// The form goes on from the version it was shown at, for a save
		// to merge what changed since as it would have.
		d["Version"], d["Shown"] = x.fv("version"), (*accounts.Profile)(nil)
		if x.form.Has("shown_max_level") {
			d["Shown"] = &accounts.Profile{Schemes: x.form["shown_schemes"], MaxLevel: framework.Level(x.fv("shown_max_level")),
				Languages: languageCodes(x.fv("shown_languages")), Conflicts: x.form["shown_conflicts"]}
		}
	}
	return nil
}

// searchingConflicts reports whether the profile's form was sent by its
// conflict search's button, with something to search for: the page is to
// come back with the form as typed and what the search found, nothing
// saved. Sent so with nothing to search for (Enter in another field of
// the form, whose first button the search is), it saves.
func searchingConflicts(x *ctx) bool {
	return x.Request().Method == http.MethodPost && x.fv("find_conflicts") == "yes" && x.fv("conflict_q") != ""
}
