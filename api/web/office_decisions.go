package web

import (
	"github.com/emcc/accredit/projections"
)

// ---- decisions ----

func (a *app) decisions(x *ctx) error {
	f := projections.DecisionFilter{Scheme: enumParam(x.QueryParam("scheme"), schemes), Level: enumParam(x.QueryParam("level"), levelIDs()),
		Outcome: enumParam(x.QueryParam("outcome"), []string{"awarded", "not_awarded"})}
	var list []projections.DecisionRecord
	a.read(func(m *projections.Models) { list = m.Decisions.List(f) })
	type row struct {
		projections.DecisionRecord
		Rationale string
		DecidedBy string
	}
	rows := make([]row, 0, len(list))
	for _, r := range list {
		rows = append(rows, row{DecisionRecord: r, Rationale: a.d.Reads.Vault.Reveal(x.Request().Context(), r.Rationale), DecidedBy: a.userName(x, r.DecidedBy)})
	}
	p := x.newPage("decisions.title", map[string]any{"Rows": rows, "Levels": levelIDs()})
	for _, k := range []string{"scheme", "level", "outcome"} {
		p.Form.Set(k, x.QueryParam(k))
	}
	return x.render(0, "decisions", p)
}
