package web

import (
	"slices"
	"strings"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/projections"
)

// The programme effectiveness pages (issue 16 item 4): the office's list of
// EQA-accredited programmes, and how one programme's graduates fared in
// their EIA cases, for its provider and the office. Who sees which is the
// API's rule (api.ReadSide.ProgrammeEffectiveness), so the pages cannot
// show more than the API.

// programmes lists the programmes the caller may see the figures of.
func (a *app) programmes(x *ctx) error {
	var list []api.ProgrammeSummary
	a.read(func(m *projections.Models) { list = a.d.Reads.Programmes(x.Request().Context(), m, x.actor()) })
	return x.render(0, "programmes", x.newPage("programmes.title", map[string]any{"Programmes": list, "Min": projections.MinGraduates}))
}

// figureRow is one distribution as a row of the page: its label, and its
// parts as text and as the segments of a stacked bar.
type figureRow struct {
	Label string
	Shown bool
	Count int
	Parts []partView
}

// partView is one part of a distribution: its values named, its count and
// share, and its segment of the bar (X and W in percent) coloured by the
// place of its first value on the scale.
type partView struct {
	Label          string
	Merged         bool
	Count, Percent int
	X, W           float64
	Class          string
}

func (x *ctx) figureRow(label string, d projections.Distribution, scale []string) figureRow {
	r := figureRow{Label: label, Shown: d.Shown, Count: d.Count}
	at := 0.0
	for _, p := range d.Parts {
		names := make([]string, len(p.Values))
		for i, v := range p.Values {
			names[i] = x.T(valueKey(v))
		}
		w := 0.0
		if d.Count > 0 {
			w = 100 * float64(p.Count) / float64(d.Count)
		}
		place := 0
		for i, v := range scale {
			if len(p.Values) > 0 && v == p.Values[0] {
				place = i
			}
		}
		r.Parts = append(r.Parts, partView{Label: strings.Join(names, x.T("effect.or")), Merged: len(p.Values) > 1,
			Count: p.Count, Percent: p.Percent, X: at, W: w, Class: "seg seg-" + itoa(place)})
		at += w
	}
	return r
}

// valueKey is the message naming a value of a distribution.
func valueKey(v string) string { return "effect.value." + v }

var (
	ratingScale  = []string{"not_evidenced", "partially_evidenced", "evidenced"}
	outcomeScale = []string{projections.OutcomeNotAwarded, projections.OutcomeAwardedLower, projections.OutcomeAwardedAsFor}
	// timeScale colours the longest wait as the worst.
	timeScale = func() []string { b := projections.AwardBands(); slices.Reverse(b); return b }()
)

// programme is one programme's figures.
func (a *app) programme(x *ctx) error {
	var v api.ProgrammeFigures
	var err error
	a.read(func(m *projections.Models) {
		v, err = a.d.Reads.ProgrammeEffectiveness(x.Request().Context(), m, x.actor(), x.Param("programme"))
	})
	if err != nil {
		return err
	}
	cat := a.d.Catalogue
	var ratings, outcomes []figureRow
	for _, c := range v.Categories {
		name := itoa(c.Category)
		if fc, ok := cat.Category(c.Category); ok {
			name += ". " + fc.Name.In(x.lang)
		}
		ratings = append(ratings, x.figureRow(name, c.Distribution, ratingScale))
	}
	for _, o := range v.Outcomes {
		var names []string
		for _, l := range o.Levels {
			name := string(l)
			if li, ok := cat.Level(l); ok {
				name = li.Name.In(x.lang)
			}
			names = append(names, name)
		}
		outcomes = append(outcomes, x.figureRow(strings.Join(names, x.T("effect.or")), o.Distribution, outcomeScale))
	}
	d := map[string]any{"V": v, "Ratings": ratings, "Outcomes": outcomes,
		"Time": x.figureRow(x.T("effect.time.row"), v.TimeToAward.Distribution, timeScale)}
	return x.render(0, "programme", x.newPage("programme.title", d))
}
