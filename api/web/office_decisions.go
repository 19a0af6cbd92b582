package web

import (
	"github.com/emcc/accredit/projections"
)

// ---- decisions ----

func (a *app) decisions(x *ctx) error {
	f := projections.DecisionFilter{Scheme: enumParam(x.QueryParam("scheme"), schemes), Level: enumParam(x.QueryParam("level"), levelIDs()),
		Outcome: enumParam(x.QueryParam("outcome"), []string{"awarded", "not_awarded"})}
	// Newest first, a page at a time: the list grows with every decision.
	var after *projections.DecisionCursor
	if cur, err := projections.ParseDecisionCursor(x.QueryParam("before")); err == nil {
		after = &cur
	}
	const limit = 50
	var page projections.DecisionPage
	var next *projections.DecisionCursor
	a.read(func(m *projections.Models) { page, next = m.Decisions.Pick(f, after, limit) })
	list := page.Records() // decoded with no lock held
	type row struct {
		projections.DecisionRecord
		Rationale string
		DecidedBy string
	}
	rows := make([]row, 0, len(list))
	for _, r := range list {
		rows = append(rows, row{DecisionRecord: r, Rationale: a.d.Reads.Vault.Reveal(x.Request().Context(), r.Rationale), DecidedBy: a.userName(x, r.DecidedBy)})
	}
	d := map[string]any{"Rows": rows, "Levels": levelIDs(), "Paged": after != nil || next != nil}
	q := x.QueryParams()
	q.Del("before")
	if after != nil {
		d["First"] = "/office/decisions?" + q.Encode()
	}
	if next != nil {
		q.Set("before", next.String())
		d["Next"] = "/office/decisions?" + q.Encode()
	}
	p := x.newPage("decisions.title", d)
	for _, k := range []string{"scheme", "level", "outcome"} {
		p.Form.Set(k, x.QueryParam(k))
	}
	return x.render(0, "decisions", p)
}
