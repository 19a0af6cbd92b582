package web

import (
	"math"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/projections"
)

// calibrationFigure is one Agreement as the page shows it: percentages and
// the bars' lengths out of 100 (kappa below 0 draws no bar).
type calibrationFigure struct {
	Pairs              int
	Agreement, Kappa   string // "" when not defined
	AgreementW, KappaW int
}

func figureOf(a projections.Agreement, lang string) calibrationFigure {
	f := calibrationFigure{Pairs: a.Pairs}
	if a.Agreement != nil {
		f.AgreementW = int(math.Round(*a.Agreement * 100))
		f.Agreement = formatNum(lang, float64(f.AgreementW)) + "%"
	}
	if a.Kappa != nil {
		k := math.Round(*a.Kappa*100) / 100
		f.Kappa, f.KappaW = formatNum(lang, k), int(math.Round(max(k, 0)*100))
	}
	return f
}

type calibrationRow struct {
	Label string
	calibrationFigure
	Assessments, ModeratedAgainst, AppealedAgainst int
	Overturned                                     string
}

func rowOf(label string, t projections.TallyReport, lang string) calibrationRow {
	r := calibrationRow{Label: label, calibrationFigure: figureOf(t.Agreement, lang), Assessments: t.Assessments,
		ModeratedAgainst: t.ModeratedAgainst, AppealedAgainst: t.AppealedAgainst}
	if t.Overturned != nil {
		r.Overturned = formatNum(lang, math.Round(*t.Overturned*100)) + "%"
	}
	return r
}

type calibrationAssessor struct {
	calibrationRow
	UserID     string
	Categories []calibrationRow
	Quarters   []calibrationRow
}

// calibration is the calibration page: every assessor and each category
// for the office (/office/calibration), an assessor's own figures for them
// (/calibration), as GET /api/v1/calibration answers.
func (a *app) calibration(x *ctx) error {
	only := ""
	if x.user.Role != domain.RoleOffice {
		only = x.user.ID
	}
	var r projections.CalibrationReport
	a.read(func(m *projections.Models) { r = m.Calibration.Report(only) })
	catName := func(n int) string {
		if c, ok := a.d.Catalogue.Category(n); ok {
			return c.Name.In(x.lang)
		}
		return ""
	}
	var categories []calibrationRow
	for _, c := range r.Categories {
		categories = append(categories, calibrationRow{Label: catName(c.Category), calibrationFigure: figureOf(c.Agreement, x.lang)})
	}
	var assessors []calibrationAssessor
	for _, as := range r.Assessors {
		row := calibrationAssessor{calibrationRow: rowOf(a.userName(x, as.UserID), as.TallyReport, x.lang), UserID: as.UserID}
		for _, c := range as.Categories {
			row.Categories = append(row.Categories, calibrationRow{Label: catName(c.Category), calibrationFigure: figureOf(c.Agreement, x.lang)})
		}
		for _, q := range as.Quarters {
			row.Quarters = append(row.Quarters, rowOf(q.Quarter, q.TallyReport, x.lang))
		}
		assessors = append(assessors, row)
	}
	p := x.newPage("calibration.title", map[string]any{"Office": only == "", "Categories": categories, "Assessors": assessors})
	return x.render(0, "calibration", p)
}
