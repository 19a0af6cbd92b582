// Package calibration measures how far two assessors of one case agree on
// the ordinal ratings of the framework's categories: the share of equal
// ratings and Cohen's kappa with linear weights, which discounts the
// agreement two assessors would reach by chance given how often each uses
// each rating, and counts a near miss (evidenced against partially
// evidenced) as half a disagreement.
package calibration

import (
	"slices"

	"github.com/emcc/accredit/domain/accreditation"
)

// Scale is the ratings in order, from least to most evidenced.
var Scale = []accreditation.Rating{accreditation.RatingNotEvidenced, accreditation.RatingPartiallyEvidenced, accreditation.RatingEvidenced}

// points is the number of points on the scale.
const points = 3

// Matrix counts pairs of ratings of one thing by two assessors: Counts[i][j]
// is how often the first rated Scale[i] where the second rated Scale[j].
type Matrix struct {
	Counts [points][points]int `json:"counts"`
}

// Add counts one pair; false (nothing counted) when either rating is not
// on the scale.
func (m *Matrix) Add(first, second accreditation.Rating) bool {
	i, j := slices.Index(Scale, first), slices.Index(Scale, second)
	if i < 0 || j < 0 {
		return false
	}
	m.Counts[i][j]++
	return true
}

// Merge adds o's pairs to m.
func (m *Matrix) Merge(o Matrix) {
	for i := range points {
		for j := range points {
			m.Counts[i][j] += o.Counts[i][j]
		}
	}
}

// Transposed is m with the two assessors swapped.
func (m Matrix) Transposed() Matrix {
	var t Matrix
	for i := range points {
		for j := range points {
			t.Counts[j][i] = m.Counts[i][j]
		}
	}
	return t
}

// N is the number of pairs.
func (m Matrix) N() int {
	n := 0
	for i := range points {
		for j := range points {
			n += m.Counts[i][j]
		}
	}
	return n
}

// Agreement is the share of pairs rated alike; ok is false with no pairs.
func (m Matrix) Agreement() (share float64, ok bool) {
	n := m.N()
	if n == 0 {
		return 0, false
	}
	same := 0
	for i := range points {
		same += m.Counts[i][i]
	}
	return float64(same) / float64(n), true
}

// weight is the linear disagreement weight of ratings i and j: 0 alike,
// 1/2 one step apart, 1 at the two ends.
func weight(i, j int) float64 {
	d := i - j
	if d < 0 {
		d = -d
	}
	return float64(d) / float64(points-1)
}

// Kappa is Cohen's kappa with linear weights:
//
//	1 - Σ w(i,j)·observed(i,j) / Σ w(i,j)·expected(i,j)
//
// where observed is the share of pairs in cell (i,j) and expected the share
// chance would put there (the first assessor's share of rating i times the
// second's share of rating j). 1 is full agreement, 0 what chance gives,
// below 0 worse than chance. ok is false when it is not defined: no pairs,
// or both assessors always gave one and the same rating (chance alone
// would agree fully).
func (m Matrix) Kappa() (kappa float64, ok bool) {
	n := float64(m.N())
	if n == 0 {
		return 0, false
	}
	var rows, cols [points]float64
	for i := range points {
		for j := range points {
			rows[i] += float64(m.Counts[i][j])
			cols[j] += float64(m.Counts[i][j])
		}
	}
	var observed, expected float64
	for i := range points {
		for j := range points {
			w := weight(i, j)
			observed += w * float64(m.Counts[i][j]) / n
			expected += w * rows[i] * cols[j] / (n * n)
		}
	}
	if expected == 0 {
		return 0, false
	}
	return 1 - observed/expected, true
}
