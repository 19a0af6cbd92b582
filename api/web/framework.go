package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

// The framework explorer: the EMCC Competence Framework for everyone, with
// no account. Every text on these pages is the catalogue's (as printed in
// Dutch, and its English rendering); the templates hold only labels.

// frameworkCategory is one category with the indicators a filter leaves.
type frameworkCategory struct {
	framework.Category
	Shown []framework.Indicator
}

// matchesText reports whether an indicator's text holds lowerQ (already
// lower case) in either language: a Dutch reader may search the English
// and the other way round.
func matchesText(in framework.Indicator, lowerQ string) bool {
	return strings.Contains(strings.ToLower(in.Text.NL), lowerQ) || strings.Contains(strings.ToLower(in.Text.EN), lowerQ)
}

// framework shows the whole framework: its framing texts, the level
// descriptions, and the categories with their indicators, filtered by
// level, category and text.
func (a *app) framework(x *ctx) error {
	cat := a.d.Catalogue
	level := enumParam(x.QueryParam("level"), levelIDs())
	category, _ := strconv.Atoi(x.QueryParam("category"))
	if _, ok := cat.Category(category); !ok {
		category = 0
	}
	q := strings.TrimSpace(x.QueryParam("q"))
	if r := []rune(q); len(r) > 200 {
		q = string(r[:200]) // a search longer than any indicator finds nothing anyway
	}
	lowerQ := strings.ToLower(q)
	var cats []frameworkCategory
	shown := 0
	for _, c := range cat.Categories {
		if category != 0 && c.Number != category {
			continue
		}
		fc := frameworkCategory{Category: c}
		for _, in := range c.Indicators {
			if level != "" && string(in.Level) != level || q != "" && !matchesText(in, lowerQ) {
				continue
			}
			fc.Shown = append(fc.Shown, in)
		}
		shown += len(fc.Shown)
		cats = append(cats, fc)
	}
	p := x.newPage("framework.title", map[string]any{"Catalogue": cat, "Categories": cats, "Shown": shown,
		"Total": len(cat.Indicators()), "Filtered": level != "" || category != 0 || q != "", "Query": q})
	p.Form.Set("level", level)
	if category != 0 {
		p.Form.Set("category", strconv.Itoa(category))
	}
	p.Form.Set("q", q)
	return x.render(0, "framework", p)
}

// frameworkIndicator is one indicator's page: /framework/indicators/42.
func (a *app) frameworkIndicator(x *ctx) error {
	n, err := strconv.Atoi(x.Param("n"))
	in, ok := a.d.Catalogue.Indicator(n)
	if err != nil || !ok {
		return domain.Errorf(domain.NotFound, "no capability indicator %s", x.Param("n"))
	}
	c, _ := a.d.Catalogue.Category(in.Category)
	// The indicators of the same category at the same level, for context.
	var siblings []framework.Indicator
	for _, o := range c.Indicators {
		if o.Level == in.Level && o.Number != in.Number {
			siblings = append(siblings, o)
		}
	}
	p := x.newPage("framework.indicator.title", map[string]any{"Indicator": in, "Category": c, "Siblings": siblings})
	p.Title = x.T("framework.indicator.title", in.Number)
	return x.render(0, "frameworkindicator", p)
}

// frameworkCategoryPage is one category's page: /framework/categories/5,
// its indicators level by level.
func (a *app) frameworkCategoryPage(x *ctx) error {
	n, err := strconv.Atoi(x.Param("n"))
	c, ok := a.d.Catalogue.Category(n)
	if err != nil || !ok {
		return domain.Errorf(domain.NotFound, "no competence category %s", x.Param("n"))
	}
	type levelGroup struct {
		Level      framework.LevelInfo
		Indicators []framework.Indicator
	}
	var groups []levelGroup
	for _, li := range a.d.Catalogue.Levels {
		g := levelGroup{Level: li}
		for _, in := range c.Indicators {
			if in.Level == li.ID {
				g.Indicators = append(g.Indicators, in)
			}
		}
		groups = append(groups, g)
	}
	slices.SortStableFunc(groups, func(a, b levelGroup) int { return a.Level.ID.Rank() - b.Level.ID.Rank() })
	p := x.newPage("framework.title", map[string]any{"Category": c, "Groups": groups})
	p.Title = c.Name.In(x.lang)
	return x.render(0, "frameworkcategory", p)
}
