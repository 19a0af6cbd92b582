package cases

import (
	"slices"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// Coverage is the evidence coverage map of a case: the framework's
// categories by the indicators at the case's level and below, each cell
// saying which items of evidence cite the indicator and which assessors
// observed it. It is made from a CaseView, so it shows exactly the
// evidence and assessments its reader may see.
type Coverage struct {
	Level      framework.Level    `json:"level"`
	Categories []CoverageCategory `json:"categories"`
}

// CoverageCategory is one category's row of the map.
type CoverageCategory struct {
	Number int `json:"number"`
	// Evidence are the items citing the category, with or without an
	// indicator of it; SelfAssessed is whether the applicant's
	// self-assessment addresses it.
	Evidence     []string       `json:"evidence"`
	SelfAssessed bool           `json:"self_assessed"`
	Indicators   []CoverageCell `json:"indicators"`
}

// CoverageCell is one indicator of a category.
type CoverageCell struct {
	Indicator int             `json:"indicator"`
	Level     framework.Level `json:"level"`
	// Evidence are the ids of the items citing the indicator, in the order
	// added; ObservedBy the roles of the assessments that observed it.
	Evidence   []string                     `json:"evidence"`
	ObservedBy []accreditation.AssessorRole `json:"observed_by"`
}

// Gaps counts the indicators no item of evidence cites.
func (c Coverage) Gaps() int {
	n := 0
	for _, cat := range c.Categories {
		for _, cell := range cat.Indicators {
			if len(cell.Evidence) == 0 {
				n++
			}
		}
	}
	return n
}

// CoverageOf maps case view v against the catalogue cat.
func CoverageOf(v *CaseView, cat *framework.Catalogue) Coverage {
	out := Coverage{Level: v.Level, Categories: []CoverageCategory{}}
	for _, c := range cat.Categories {
		row := CoverageCategory{Number: c.Number, Evidence: []string{}, Indicators: []CoverageCell{},
			SelfAssessed: slices.ContainsFunc(v.SelfAssessment, func(s SelfAssessmentView) bool { return s.Category == c.Number && s.Statement != "" })}
		for _, e := range v.Evidence {
			if slices.Contains(e.Categories, c.Number) {
				row.Evidence = append(row.Evidence, e.ID)
			}
		}
		for _, in := range c.Indicators {
			if !v.Level.AtLeast(in.Level) {
				continue
			}
			cell := CoverageCell{Indicator: in.Number, Level: in.Level, Evidence: []string{}, ObservedBy: []accreditation.AssessorRole{}}
			for _, e := range v.Evidence {
				if slices.Contains(e.Indicators, in.Number) {
					cell.Evidence = append(cell.Evidence, e.ID)
				}
			}
			for _, a := range v.Assessments {
				if slices.ContainsFunc(a.Ratings, func(r RatingView) bool { return slices.Contains(r.Indicators, in.Number) }) {
					cell.ObservedBy = append(cell.ObservedBy, a.Role)
				}
			}
			row.Indicators = append(row.Indicators, cell)
		}
		out.Categories = append(out.Categories, row)
	}
	return out
}
