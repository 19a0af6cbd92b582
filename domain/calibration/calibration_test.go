package calibration_test

import (
	"math"
	"testing"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/calibration"
)

const (
	no   = accreditation.RatingNotEvidenced
	part = accreditation.RatingPartiallyEvidenced
	yes  = accreditation.RatingEvidenced
)

func matrix(t *testing.T, pairs ...[2]accreditation.Rating) calibration.Matrix {
	t.Helper()
	var m calibration.Matrix
	for _, p := range pairs {
		if !m.Add(p[0], p[1]) {
			t.Fatalf("pair %v not counted", p)
		}
	}
	return m
}

func repeat(n int, p [2]accreditation.Rating) [][2]accreditation.Rating {
	out := make([][2]accreditation.Rating, n)
	for i := range out {
		out[i] = p
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The worked examples, each computed by hand here.
func TestAgreementAndWeightedKappaOnWorkedExamples(t *testing.T) {
	// Ten categories rated by two assessors:
	//                 second: no  part  yes
	//   first: no              2    1    0
	//          part            0    3    1
	//          yes             0    0    3
	// Alike: 2+3+3 = 8 of 10, agreement 0.8.
	// Rows (first) 3, 4, 3; columns (second) 2, 4, 4.
	// Observed weighted disagreement: the two one-step misses, each weight
	// 1/2: (0.5 + 0.5) / 10 = 0.1.
	// Expected, row·column/100 in each cell, weighted:
	//   one step apart (1/2): (no,part) 3·4 + (part,no) 4·2 + (part,yes) 4·4 + (yes,part) 3·4 = 12+8+16+12 = 48 -> 24
	//   two steps apart (1):  (no,yes) 3·4 + (yes,no) 3·2 = 12+6 = 18 -> 18
	//   (24 + 18) / 100 = 0.42.
	// Kappa = 1 - 0.1/0.42 = 1 - 10/42 = 16/21.
	var pairs [][2]accreditation.Rating
	pairs = append(pairs, repeat(2, [2]accreditation.Rating{no, no})...)
	pairs = append(pairs, repeat(1, [2]accreditation.Rating{no, part})...)
	pairs = append(pairs, repeat(3, [2]accreditation.Rating{part, part})...)
	pairs = append(pairs, repeat(1, [2]accreditation.Rating{part, yes})...)
	pairs = append(pairs, repeat(3, [2]accreditation.Rating{yes, yes})...)
	m := matrix(t, pairs...)
	if a, ok := m.Agreement(); !ok || !near(a, 0.8) {
		t.Fatalf("agreement %v (%v), want 0.8", a, ok)
	}
	if k, ok := m.Kappa(); !ok || !near(k, 16.0/21.0) {
		t.Fatalf("kappa %v (%v), want 16/21 = %v", k, ok, 16.0/21.0)
	}
	// Swapping the assessors changes neither figure.
	if k, _ := m.Transposed().Kappa(); !near(k, 16.0/21.0) {
		t.Fatalf("kappa with the assessors swapped %v", k)
	}

	// Full agreement over two ratings: kappa 1.
	full := matrix(t, append(repeat(5, [2]accreditation.Rating{no, no}), repeat(5, [2]accreditation.Rating{yes, yes})...)...)
	if k, ok := full.Kappa(); !ok || !near(k, 1) {
		t.Fatalf("full agreement: kappa %v (%v), want 1", k, ok)
	}

	// Agreement no better than chance: each assessor says yes half the
	// time, independently, in every combination once.
	//   cells (yes,yes) (yes,no) (no,yes) (no,no), one each: observed
	//   weighted disagreement (1+1)/4 = 0.5; rows 2, 2 and columns 2, 2 ->
	//   expected (2·2 + 2·2)/16 = 0.5; kappa = 1 - 0.5/0.5 = 0. Agreement 0.5.
	chance := matrix(t, [2]accreditation.Rating{yes, yes}, [2]accreditation.Rating{yes, no}, [2]accreditation.Rating{no, yes}, [2]accreditation.Rating{no, no})
	if k, ok := chance.Kappa(); !ok || !near(k, 0) {
		t.Fatalf("chance: kappa %v (%v), want 0", k, ok)
	}
	if a, _ := chance.Agreement(); !near(a, 0.5) {
		t.Fatalf("chance: agreement %v, want 0.5", a)
	}

	// Systematic opposition: always the two ends, each way once.
	//   observed (1+1)/2 = 1; rows 1, 1 and columns 1, 1 on no and yes ->
	//   expected: (no,yes) 1·1/4 + (yes,no) 1·1/4 = 0.5; kappa = 1 - 1/0.5 = -1.
	opposed := matrix(t, [2]accreditation.Rating{no, yes}, [2]accreditation.Rating{yes, no})
	if k, ok := opposed.Kappa(); !ok || !near(k, -1) {
		t.Fatalf("opposed: kappa %v (%v), want -1", k, ok)
	}

	// A half step off every time: the first says partly where the second
	// says yes, four times, and yes where the second says yes, four times.
	//   observed 4·0.5/8 = 0.25; rows part 4, yes 4; columns yes 8 ->
	//   expected (part,yes) 4·8/64 · 0.5 = 0.25; kappa = 1 - 0.25/0.25 = 0.
	half := matrix(t, append(repeat(4, [2]accreditation.Rating{part, yes}), repeat(4, [2]accreditation.Rating{yes, yes})...)...)
	if k, ok := half.Kappa(); !ok || !near(k, 0) {
		t.Fatalf("half steps: kappa %v (%v), want 0", k, ok)
	}
}

func TestKappaIsUndefinedWithoutPairsOrWithOneRatingThroughout(t *testing.T) {
	var empty calibration.Matrix
	if _, ok := empty.Kappa(); ok {
		t.Fatal("kappa of no pairs is defined")
	}
	if _, ok := empty.Agreement(); ok {
		t.Fatal("agreement of no pairs is defined")
	}
	same := matrix(t, repeat(4, [2]accreditation.Rating{yes, yes})...)
	if _, ok := same.Kappa(); ok {
		t.Fatal("kappa where both always said yes is defined (chance alone agrees fully)")
	}
	if a, ok := same.Agreement(); !ok || a != 1 {
		t.Fatalf("agreement where both always said yes: %v", a)
	}
	var m calibration.Matrix
	if m.Add("excellent", yes) || m.N() != 0 {
		t.Fatal("a rating off the scale was counted")
	}
	var merged calibration.Matrix
	merged.Merge(same)
	merged.Merge(same)
	if merged.N() != 8 {
		t.Fatalf("merged %d pairs, want 8", merged.N())
	}
}
