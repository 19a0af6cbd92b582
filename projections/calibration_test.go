package projections_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
	"github.com/emcc/accredit/projections"
)

// calibrationEvent is one event of case "c1" by actor at t.
func calibrationEvent(t *testing.T, typ accreditation.EventType, actor string, at time.Time, data any) eventstore.Event {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.Event{Stream: accreditation.StreamPrefix + ".c1", Type: string(typ), Actor: domain.Actor{ID: actor}, OccurredAt: at, Data: b}
}

func assessed(t *testing.T, role accreditation.AssessorRole, who string, at time.Time, rec accreditation.Recommendation, r accreditation.Rating) eventstore.Event {
	t.Helper()
	var ratings []accreditation.CategoryRating
	for cat := 1; cat <= 8; cat++ {
		ratings = append(ratings, accreditation.CategoryRating{Category: cat, Rating: r})
	}
	return calibrationEvent(t, accreditation.EventAssessmentSubmitted, who, at, accreditation.AssessmentSubmitted{Role: role, Ratings: ratings, Recommendation: rec})
}

// An appeal upheld against a refusal overturns the assessor who
// recommended it, not the one who recommended the award; an appeal
// dismissed overturns nobody. A case assessed again after the appeal is a
// new round: its pairs are counted again, never against the old round.
func TestCalibrationCountsAppealsAndRounds(t *testing.T) {
	m := projections.NewCalibration()
	day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	m.Apply(assessed(t, accreditation.RoleAssessor, "anna", day, accreditation.RecommendNotAward, accreditation.RatingPartiallyEvidenced))
	m.Apply(assessed(t, accreditation.RoleVerifier, "victor", day, accreditation.RecommendAward, accreditation.RatingEvidenced))
	m.Apply(calibrationEvent(t, accreditation.EventCaseModerated, "office", day, accreditation.CaseModerated{Recommendation: accreditation.RecommendNotAward}))
	m.Apply(calibrationEvent(t, accreditation.EventDecisionMade, "office", day, accreditation.DecisionMade{Number: 1, Outcome: accreditation.OutcomeNotAwarded}))
	m.Apply(calibrationEvent(t, accreditation.EventAppealDecided, "office", day, accreditation.AppealDecided{DecisionNumber: 1, Outcome: accreditation.AppealUpheld}))
	// Back to assessment: a second round, both now agree on evidenced.
	later := day.AddDate(0, 3, 0)
	m.Apply(assessed(t, accreditation.RoleAssessor, "anna", later, accreditation.RecommendAward, accreditation.RatingEvidenced))
	m.Apply(assessed(t, accreditation.RoleVerifier, "victor", later, accreditation.RecommendAward, accreditation.RatingEvidenced))
	m.Apply(calibrationEvent(t, accreditation.EventDecisionMade, "office", later, accreditation.DecisionMade{Number: 2, Outcome: accreditation.OutcomeAwarded}))
	m.Apply(calibrationEvent(t, accreditation.EventAppealDecided, "office", later, accreditation.AppealDecided{DecisionNumber: 2, Outcome: accreditation.AppealDismissed}))

	r := m.Report("")
	by := map[string]projections.AssessorReport{}
	for _, a := range r.Assessors {
		by[a.UserID] = a
	}
	anna, victor := by["anna"], by["victor"]
	// Rounds: 8 pairs (p,y) then 8 (y,y).
	if anna.Pairs != 16 || *anna.Agreement.Agreement != 0.5 {
		t.Fatalf("Anna: %d pairs, agreement %v; want 16 and 0.5", anna.Pairs, *anna.Agreement.Agreement)
	}
	// Moderation went Anna's way (not_award), against Victor; the appeal on
	// decision 1 (a refusal, Anna's recommendation) was upheld: against
	// Anna. Decision 2's appeal was dismissed: against nobody.
	if anna.Assessments != 2 || anna.ModeratedAgainst != 0 || anna.Appealed != 2 || anna.AppealedAgainst != 1 || *anna.Overturned != 0.5 {
		t.Fatalf("Anna: %+v", anna.TallyReport)
	}
	if victor.ModeratedAgainst != 1 || victor.AppealedAgainst != 0 || *victor.Overturned != 0.5 {
		t.Fatalf("Victor: %+v", victor.TallyReport)
	}
	if len(anna.Quarters) != 2 || anna.Quarters[0].Quarter != "2026-Q2" || anna.Quarters[1].Quarter != "2026-Q3" || anna.Quarters[0].AppealedAgainst != 1 {
		t.Fatalf("Anna's quarters: %+v", anna.Quarters)
	}
	// The snapshot restores the same figures.
	b, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	again := projections.NewCalibration()
	if err := again.Restore(b); err != nil {
		t.Fatal(err)
	}
	b2, _ := again.Snapshot()
	if string(b) != string(b2) {
		t.Fatal("the restored calibration differs")
	}
}

// A calibration restored from a snapshot taken in the middle of cases (a
// round half assessed, a decision not yet appealed) goes on as the one
// that was never stopped: what a case's next events need is in the
// snapshot.
func TestCalibrationGoesOnFromASnapshotMidCase(t *testing.T) {
	day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	before := []eventstore.Event{
		assessed(t, accreditation.RoleAssessor, "anna", day, accreditation.RecommendNotAward, accreditation.RatingPartiallyEvidenced),
		assessed(t, accreditation.RoleVerifier, "victor", day, accreditation.RecommendAward, accreditation.RatingEvidenced),
		calibrationEvent(t, accreditation.EventDecisionMade, "office", day, accreditation.DecisionMade{Number: 1, Outcome: accreditation.OutcomeNotAwarded}),
		// A second round half assessed.
		assessed(t, accreditation.RoleAssessor, "anna", day.AddDate(0, 1, 0), accreditation.RecommendAward, accreditation.RatingEvidenced),
	}
	after := []eventstore.Event{
		calibrationEvent(t, accreditation.EventAppealDecided, "office", day, accreditation.AppealDecided{DecisionNumber: 1, Outcome: accreditation.AppealUpheld}),
		assessed(t, accreditation.RoleVerifier, "victor", day.AddDate(0, 1, 0), accreditation.RecommendAward, accreditation.RatingPartiallyEvidenced),
		calibrationEvent(t, accreditation.EventCaseModerated, "office", day, accreditation.CaseModerated{Recommendation: accreditation.RecommendNotAward}),
	}
	whole := projections.NewCalibration()
	for _, e := range append(slices.Clone(before), after...) {
		whole.Apply(e)
	}
	half := projections.NewCalibration()
	for _, e := range before {
		half.Apply(e)
	}
	b, err := half.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored := projections.NewCalibration()
	if err := restored.Restore(b); err != nil {
		t.Fatal(err)
	}
	for _, e := range after {
		restored.Apply(e)
	}
	got, err := json.Marshal(restored.Report(""))
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(whole.Report(""))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("restored mid-case:\n got %s\nwant %s", got, want)
	}
	// The appeal upheld counted against Anna, the second round's pairs and
	// the moderation against Anna's and Victor's second assessments.
	if r := whole.Report("anna"); len(r.Assessors) != 1 || r.Assessors[0].AppealedAgainst != 1 || r.Assessors[0].Pairs != 16 || r.Assessors[0].ModeratedAgainst != 1 {
		t.Fatalf("Anna: %+v", r.Assessors)
	}
}

// A moderation at another level than an assessor recommended is against
// them, though both say award_lower: the moderator at foundation goes
// Anna's way and not Victor's, who said practitioner.
func TestAModerationAtAnotherLevelIsAgainstTheAssessor(t *testing.T) {
	m := projections.NewCalibration()
	day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	lower := func(role accreditation.AssessorRole, who, level string) eventstore.Event {
		e := assessed(t, role, who, day, accreditation.RecommendAwardLower, accreditation.RatingPartiallyEvidenced)
		var d accreditation.AssessmentSubmitted
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		d.Level = framework.Level(level)
		return calibrationEvent(t, accreditation.EventAssessmentSubmitted, who, day, d)
	}
	m.Apply(lower(accreditation.RoleAssessor, "anna", "foundation"))
	m.Apply(lower(accreditation.RoleVerifier, "victor", "practitioner"))
	m.Apply(calibrationEvent(t, accreditation.EventCaseModerated, "office", day, accreditation.CaseModerated{Recommendation: accreditation.RecommendAwardLower, Level: "foundation"}))
	by := map[string]projections.AssessorReport{}
	for _, a := range m.Report("").Assessors {
		by[a.UserID] = a
	}
	if a, v := by["anna"], by["victor"]; a.Moderated != 1 || a.ModeratedAgainst != 0 || v.Moderated != 1 || v.ModeratedAgainst != 1 {
		t.Fatalf("Anna %+v, Victor %+v; want the moderation against Victor only", a.TallyReport, v.TallyReport)
	}
}

// An assessment overturned twice, in moderation and again on appeal, is
// one assessment overturned: the share overturned is of assessments, so
// never above 1. Anna recommends no award, the moderator the award; the
// panel refuses all the same (as Anna said), and an appeal against the
// refusal is upheld.
func TestAnAssessmentOverturnedInModerationAndOnAppealCountsOnce(t *testing.T) {
	m := projections.NewCalibration()
	day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	m.Apply(assessed(t, accreditation.RoleAssessor, "anna", day, accreditation.RecommendNotAward, accreditation.RatingPartiallyEvidenced))
	m.Apply(assessed(t, accreditation.RoleVerifier, "victor", day, accreditation.RecommendAward, accreditation.RatingEvidenced))
	m.Apply(calibrationEvent(t, accreditation.EventCaseModerated, "office", day, accreditation.CaseModerated{Recommendation: accreditation.RecommendAward}))
	m.Apply(calibrationEvent(t, accreditation.EventDecisionMade, "office", day, accreditation.DecisionMade{Number: 1, Outcome: accreditation.OutcomeNotAwarded}))
	m.Apply(calibrationEvent(t, accreditation.EventAppealDecided, "office", day, accreditation.AppealDecided{DecisionNumber: 1, Outcome: accreditation.AppealUpheld}))
	// A snapshot between the events keeps what the next need.
	b, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored := projections.NewCalibration()
	if err := restored.Restore(b); err != nil {
		t.Fatal(err)
	}
	for what, m := range map[string]*projections.Calibration{"live": m, "restored": restored} {
		by := map[string]projections.AssessorReport{}
		for _, a := range m.Report("").Assessors {
			by[a.UserID] = a
		}
		anna, victor := by["anna"], by["victor"]
		if anna.Assessments != 1 || anna.ModeratedAgainst != 1 || anna.AppealedAgainst != 1 || anna.Overturned == nil || *anna.Overturned != 1 {
			t.Fatalf("%s: Anna %+v (overturned %v); want her one assessment overturned in moderation and on appeal, a share of 1", what, anna.TallyReport, deref(anna.Overturned))
		}
		if q := anna.Quarters; len(q) != 1 || q[0].Overturned == nil || *q[0].Overturned != 1 {
			t.Fatalf("%s: Anna's quarters %+v; want a share of 1 in 2026-Q2", what, q)
		}
		if victor.Overturned == nil || *victor.Overturned != 0 {
			t.Fatalf("%s: Victor %+v; want nothing overturned", what, victor.TallyReport)
		}
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
