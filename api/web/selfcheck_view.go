package web

import (
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/domain/selfcheck"
)

// scView is a self-check's result as the pages show it: the indicative
// level, the chart of the per-category profile (drawn on the server as
// SVG: no script), the indicators to develop next, and, for a saved one,
// the comparison with the one before.
type scView struct {
	selfcheck.Result
	Chart     scChart
	ToDevelop []catIndicators
	Saved     *selfcheck.Saved
	Previous  *selfcheck.Saved
}

// The chart's geometry, in SVG user units: a label column, then one band
// per level.
const (
	chartLabelW = 300
	chartBandW  = 120
	chartRowH   = 34
	chartTop    = 30
)

type scChart struct {
	Width, Height int
	Grid          []scGridLine
	Rows          []scBar
	// IndicativeX is where the indicative level's line is (0: none).
	IndicativeX int
	Bottom      int
}

type scGridLine struct {
	X, LabelX int
	Label     string
}

type scBar struct {
	Category        framework.Category
	Y, TextY, Width int
	ValueX          int
	Level           framework.Level
}

func (a *app) scView(x *ctx, r selfcheck.Result) scView {
	v := scView{Result: r}
	levels := len(framework.Levels)
	c := scChart{Width: chartLabelW + levels*chartBandW + 10, Height: chartTop + len(r.Categories)*chartRowH + 10}
	c.Bottom = c.Height - 10
	for k := 0; k <= levels; k++ {
		g := scGridLine{X: chartLabelW + k*chartBandW}
		if k > 0 {
			g.LabelX = chartLabelW + k*chartBandW - chartBandW/2
			if li, ok := a.d.Catalogue.Level(framework.Levels[k-1]); ok {
				g.Label = li.Name.In(x.lang)
			}
		}
		c.Grid = append(c.Grid, g)
	}
	for i, cr := range r.Categories {
		cat, _ := a.d.Catalogue.Category(cr.Category)
		y := chartTop + i*chartRowH
		w := int(cr.Profile * chartBandW)
		c.Rows = append(c.Rows, scBar{Category: cat, Y: y + 7, TextY: y + 22, Width: w, ValueX: chartLabelW + w + 6, Level: cr.Level})
	}
	if rk := r.Level.Rank(); rk > 0 {
		c.IndicativeX = chartLabelW + rk*chartBandW
	}
	v.Chart = c
	for _, cat := range a.d.Catalogue.Categories {
		ci := catIndicators{Category: cat}
		for _, n := range r.ToDevelop {
			if in, ok := a.d.Catalogue.Indicator(n); ok && in.Category == cat.Number {
				ci.At = append(ci.At, in)
			}
		}
		if len(ci.At) > 0 {
			v.ToDevelop = append(v.ToDevelop, ci)
		}
	}
	return v
}

// Change is how category i's level moved since the previous self-check:
// "up", "down" or "same" ("" when there is none to compare with).
func (v *scView) Change(i int) string {
	if v.Previous == nil || i >= len(v.Previous.Categories) || i >= len(v.Categories) {
		return ""
	}
	was, now := v.Previous.Categories[i].Level.Rank(), v.Categories[i].Level.Rank()
	switch {
	case now > was:
		return "up"
	case now < was:
		return "down"
	}
	return "same"
}
