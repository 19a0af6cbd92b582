package web

import (
	"sync/atomic"

	"github.com/emcc/accredit/projections"
)

// finishedLimit is how many finished cases a page shows: 25, but a test of
// the pager sets fewer while the server runs, hence atomic.
var finishedLimit = func() *atomic.Int32 {
	var n atomic.Int32
	n.Store(25)
	return &n
}()

// finishedQueue is an assessor's finished cases, beside their queue: newest
// submission first, a page at a time (?cursor), each linked to the case.
func (a *app) finishedQueue(x *ctx) error {
	var after projections.FinishedCursor
	spoilt := false
	if v := x.QueryParam("cursor"); v != "" {
		var ok bool
		if after, ok = projections.ParseFinishedCursor(v); !ok {
			after, spoilt = projections.FinishedCursor{}, true // from the newest, saying so
		}
	}
	var page projections.FinishedPage
	a.read(func(m *projections.Models) { page = m.Cases.Finished(x.user.ID, after, int(finishedLimit.Load())) })
	d := map[string]any{"Items": page.Items, "Paged": after.ID != ""}
	if page.Next != nil {
		d["Next"] = page.Next.String()
	}
	p := x.newPage("finished.title", d)
	if spoilt {
		p.Spoilt = x.T("pager.spoilt")
	}
	return x.render(0, "finished", p)
}
