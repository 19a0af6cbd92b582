package api_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// ratingsOf rates categories 1..8 as given, in order.
func ratingsOf(rs ...string) []map[string]any {
	var out []map[string]any
	for i, r := range rs {
		out = append(out, map[string]any{"category": i + 1, "rating": r, "notes": "noted"})
	}
	return out
}

// TestAssessorCalibration (issue 17 item 2) on two cases whose figures are
// worked out by hand below; the office sees everyone and each category, an
// assessor only themself.
func TestAssessorCalibration(t *testing.T) {
	tm := newTeam(t) // Anna is the assessor, Victor the verifier; 2026-03-02
	const y, p, n = "evidenced", "partially_evidenced", "not_evidenced"

	// Case A, in the first quarter: Anna y y y y y y p n, Victor y y y y y p p y;
	// both recommend the award.
	a := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+a+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, a)
	tm.post(t, "/api/v1/cases/"+a+"/assessments", tm.assessor.Token, map[string]any{"ratings": ratingsOf(y, y, y, y, y, y, p, n), "recommendation": "award", "rationale": "Sound."}, 200)
	tm.post(t, "/api/v1/cases/"+a+"/assessments", tm.verifier.Token, map[string]any{"ratings": ratingsOf(y, y, y, y, y, p, p, y), "recommendation": "award", "rationale": "Sound."}, 200)

	// Case B, in the second quarter: both rate everything evidenced, Anna
	// recommends no award, Victor the award; the moderator sides with Victor.
	tm.setClock(t, time.Date(2026, 4, 7, 9, 0, 0, 0, time.UTC))
	b := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}, 201)["id"].(string)
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+b+"/portfolio", tm.applicant.Token, eiaPortfolio()), 200)
	Expect(t, tm.in.Upload(t, b, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections", "categories": "1,2", "indicators": "1"}, "r.pdf", pdf, nil), 201)
	var cats []map[string]any
	for cat := 3; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": "How I work."})
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+b+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 200)
	tm.post(t, "/api/v1/cases/"+b+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, b)
	all := ratingsOf(y, y, y, y, y, y, y, y)
	tm.post(t, "/api/v1/cases/"+b+"/assessments", tm.assessor.Token, map[string]any{"ratings": all, "recommendation": "not_award", "rationale": "Thin."}, 200)
	tm.post(t, "/api/v1/cases/"+b+"/assessments", tm.verifier.Token, map[string]any{"ratings": all, "recommendation": "award", "rationale": "Enough."}, 200)
	mod := tm.post(t, "/api/v1/cases/"+b+"/moderation", tm.admin, map[string]string{"recommendation": "award", "rationale": "The verifier is right."}, 200)
	path := fmt.Sprintf("/api/v1/calibration?min_seq=%d", int64(mod["seq"].(float64))) // read the moderation
	read := func(token string) map[string]any {
		t.Helper()
		return Expect(t, Retry(t, func(map[string]string) Response { return tm.in.Get(t, path, token) }), 200).Map(t)
	}
	report := read(tm.admin)
	assessors := map[string]map[string]any{}
	for _, r := range report["assessors"].([]any) {
		assessors[r.(map[string]any)["user_id"].(string)] = r.(map[string]any)
	}
	if len(assessors) != 2 {
		t.Fatalf("the office sees %d assessors, want 2", len(assessors))
	}
	// Anna over both cases, 16 pairs (her rating first):
	//   (y,y) 13, (y,p) 1, (p,p) 1, (n,y) 1: alike 14 of 16 = 0.875.
	//   Her ratings: n 1, p 1, y 14; Victor's: p 2, y 14.
	//   Observed weighted disagreement (0.5 + 1)/16 = 0.09375.
	//   Expected, weight · her count · his count / 256: (n,p) .5·1·2 = 1,
	//   (n,y) 1·1·14 = 14, (p,y) .5·1·14 = 7, (y,p) .5·14·2 = 14: 36/256.
	//   Kappa = 1 - 0.09375/(36/256) = 1 - 2/3 = 1/3. The same for Victor.
	// Anna submitted 2 assessments, one moderated against her: 0.5 overturned.
	anna, victor := assessors[tm.assessor.ID], assessors[tm.verifier.ID]
	figures(t, "Anna", anna, 16, 0.875, 1.0/3)
	figures(t, "Victor", victor, 16, 0.875, 1.0/3)
	counts(t, "Anna", anna, map[string]float64{"assessments": 2, "moderated": 1, "moderated_against": 1, "overturned": 0.5})
	counts(t, "Victor", victor, map[string]float64{"assessments": 2, "moderated": 1, "moderated_against": 0, "overturned": 0})

	// Quarter by quarter. Q1 is case A alone, 8 pairs:
	//   (y,y) 5, (y,p) 1, (p,p) 1, (n,y) 1: alike 6 of 8 = 0.75.
	//   Anna: n 1, p 1, y 6; Victor: p 2, y 6. Observed 1.5/8 = 0.1875.
	//   Expected /64: (n,p) .5·1·2 = 1, (n,y) 1·1·6 = 6, (p,y) .5·1·6 = 3,
	//   (y,p) .5·6·2 = 6: 16/64 = 0.25. Kappa = 1 - 0.1875/0.25 = 0.25.
	// Q2 is case B: 8 alike, kappa not defined (one rating throughout);
	// her one assessment there was overturned.
	qs := anna["quarters"].([]any)
	if len(qs) != 2 {
		t.Fatalf("Anna's quarters: %v", qs)
	}
	q1, q2 := qs[0].(map[string]any), qs[1].(map[string]any)
	if q1["quarter"] != "2026-Q1" || q2["quarter"] != "2026-Q2" {
		t.Fatalf("quarters %v, %v", q1["quarter"], q2["quarter"])
	}
	figures(t, "Anna Q1", q1, 8, 0.75, 0.25)
	counts(t, "Anna Q1", q1, map[string]float64{"assessments": 1, "moderated_against": 0, "overturned": 0})
	if q2["pairs"].(float64) != 8 || q2["agreement"].(float64) != 1 || q2["kappa"] != nil {
		t.Fatalf("Anna Q2: %v", q2)
	}
	counts(t, "Anna Q2", q2, map[string]float64{"assessments": 1, "moderated_against": 1, "overturned": 1})

	// Per category, the office: category 8 was (n,y) then (y,y): alike 1 of 2;
	// her ratings n 1, y 1 against his y 2: observed 1/2, expected
	// 1·1·2/4 = 0.5, kappa 0. Category 1, always (y,y): kappa not defined.
	byCat := map[float64]map[string]any{}
	for _, c := range report["categories"].([]any) {
		byCat[c.(map[string]any)["category"].(float64)] = c.(map[string]any)
	}
	figures(t, "category 8", byCat[8], 2, 0.5, 0)
	if c1 := byCat[1]; c1["agreement"].(float64) != 1 || c1["kappa"] != nil {
		t.Fatalf("category 1: %v", c1)
	}

	// An assessor sees themself only, and no per-category table of others.
	own := read(tm.assessor.Token)
	if got := own["assessors"].([]any); len(got) != 1 || got[0].(map[string]any)["user_id"] != tm.assessor.ID || own["categories"] != nil {
		t.Fatalf("Anna's own calibration: %v", own)
	}
	Expect(t, tm.in.Get(t, "/api/v1/calibration", tm.applicant.Token), 403)
	Expect(t, tm.in.Get(t, "/api/v1/calibration", ""), 401)
}

func figures(t *testing.T, who string, m map[string]any, pairs, agreement, kappa float64) {
	t.Helper()
	k, _ := m["kappa"].(float64)
	if m["pairs"].(float64) != pairs || math.Abs(m["agreement"].(float64)-agreement) > 1e-9 || m["kappa"] == nil || math.Abs(k-kappa) > 1e-9 {
		t.Fatalf("%s: pairs %v agreement %v kappa %v; want %v, %v, %v", who, m["pairs"], m["agreement"], m["kappa"], pairs, agreement, kappa)
	}
}

func counts(t *testing.T, who string, m map[string]any, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if got, _ := m[k].(float64); math.Abs(got-v) > 1e-9 {
			t.Fatalf("%s: %s %v, want %v", who, k, m[k], v)
		}
	}
}
