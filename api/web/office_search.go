package web

import (
	"slices"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/projections"
	"github.com/emcc/accredit/projections/search"
)

// searchPageSize is how many cases a page of the office's search shows.
const searchPageSize = 50

// foundRow is one case on the office's search page.
type foundRow struct {
	search.Case
	projections.Facts
	AssessorNames []string
}

// officeSearch finds any case, in any state, by the words of its
// applicant's name or email, its programme or provider or the start of its
// id, and by state, scheme, level and assessor; newest first, by pages.
func (a *app) officeSearch(x *ctx) error {
	idx := a.d.Reads.Search
	if idx == nil {
		return domain.Errorf(domain.Unavailable, "search is not available on this server")
	}
	q := x.QueryParam("q") // the index reads at most search.MaxQueryText of it
	scheme, level, state := enumParam(x.QueryParam("scheme"), schemes), enumParam(x.QueryParam("level"), levelIDs()), enumParam(x.QueryParam("state"), stateIDs())
	assessor, before := x.QueryParam("assessor"), x.QueryParam("before")
	if !domain.ValidULID(assessor) {
		assessor = ""
	}
	if !domain.ValidULID(before) {
		before = ""
	}
	staff, _, err := a.d.Accounts.UsersPage(x.Request().Context(), domain.RoleAssessor, "", 0)
	if err != nil {
		return err
	}
	names := map[string]string{}
	assessors := make([]option, 0, len(staff))
	for _, u := range staff {
		names[u.ID] = u.Name
		if !u.Erased {
			assessors = append(assessors, option{Value: u.ID, Label: u.Name})
		}
	}
	var rows []foundRow
	var next string
	a.read(func(m *projections.Models) {
		keep := func(id string) bool {
			f, ok := m.Cases.Facts(id)
			return ok && (scheme == "" || string(f.Scheme) == scheme) && (level == "" || string(f.Level) == level) &&
				(state == "" || string(f.State) == state) && (assessor == "" || slices.Contains(f.Assessors, assessor))
		}
		var hits []search.Case
		hits, next = idx.Cases(search.CaseQuery{Text: q, Keep: keep, Before: before, Limit: searchPageSize})
		for _, h := range hits {
			f, _ := m.Cases.Facts(h.ID)
			r := foundRow{Case: h, Facts: f}
			for _, id := range f.Assessors {
				if n, ok := names[id]; ok {
					r.AssessorNames = append(r.AssessorNames, n)
				}
			}
			rows = append(rows, r)
		}
	})
	d := map[string]any{"Rows": rows, "Q": q, "States": stateIDs(), "Assessors": assessors, "Index": idx.Status()}
	if next != "" {
		v := x.QueryParams()
		v.Set("before", next)
		d["Next"] = "/office/search?" + v.Encode()
	}
	if before != "" {
		v := x.QueryParams()
		v.Del("before")
		d["First"] = "/office/search?" + v.Encode()
	}
	p := x.newPage("officesearch.title", d)
	for _, k := range []string{"scheme", "level", "state", "assessor"} {
		p.Form.Set(k, x.QueryParam(k))
	}
	return x.render(0, "officesearch", p)
}
