package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// openSenior opens an EIA Senior Practitioner case whose applicant meets
// the level, and submits it.
func (tm *team) openSenior(t *testing.T) string {
	t.Helper()
	return tm.openSeniorIn(t, "en")
}

// openSeniorIn is openSenior with the case in lang.
func (tm *team) openSeniorIn(t *testing.T, lang string) string {
	t.Helper()
	id := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "senior_practitioner", "language": lang}, 201)["id"].(string)
	p := eiaPortfolio()
	p["first_practice_date"], p["client_hours"], p["client_count"] = "2019-01-15", 300, 25
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, p), 200)
	var cats []map[string]any
	for cat := 1; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("My senior practice in category %d", cat)})
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 200)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	return id
}

// wantProblem checks a refusal's status and that its problem document
// says why.
func wantProblem(t *testing.T, r Response, status int, detail string) {
	t.Helper()
	p := Expect(t, r, status).Map(t)
	if !strings.Contains(fmt.Sprint(p["detail"]), detail) {
		t.Fatalf("%d: got detail %q, want it to say %q", status, p["detail"], detail)
	}
}

// The interview at Senior Practitioner (issue 13 item 6): the office or
// the case's assessor or verifier schedules it, each assessor records it
// once it has taken place and before assessing, the applicant sees when
// and where but never the assessors' notes, and no decision comes before
// it is recorded.
func TestInterviewAtSeniorPractitioner(t *testing.T) {
	tm := newTeam(t)
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	path := "/api/v1/cases/" + id
	start := tm.clock.Now()
	at := start.Add(48 * time.Hour).Truncate(time.Minute)
	place := "https://meet.example.org/emcc-interview"
	notes, observed := "Reflective, grounded in supervision.", "Builds trust quickly with a difficult client."
	record := map[string]any{"notes": notes, "observations": []map[string]any{{"category": 4, "notes": observed}}}

	c := tm.get(t, path, tm.assessor.Token)
	if next := c["next"].(map[string]any); next["key"] != "interview" || next["interview_at"] != nil {
		t.Fatalf("before scheduling: next %v, want the interview, unscheduled", next)
	}
	if !strings.Contains(fmt.Sprint(c["allowed_actions"]), "schedule_interview") {
		t.Fatalf("the assessor may not schedule: allowed %v", c["allowed_actions"])
	}
	wantProblem(t, tm.in.Post(t, path+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Fine.")), 409, "record it first")
	wantProblem(t, tm.in.Post(t, path+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "senior_practitioner", "rationale": "x"}), 409, "cannot decide")

	t.Run("scheduled by the office, the assessor and the verifier", func(t *testing.T) {
		for _, who := range []struct {
			name, token string
			at          time.Time
		}{{"office", tm.admin, at.Add(time.Hour)}, {"verifier", tm.verifier.Token, at.Add(2 * time.Hour)}, {"assessor", tm.assessor.Token, at}} {
			got := tm.post(t, path+"/interview", who.token, map[string]any{"at": who.at, "place": place}, 200)["interview"].(map[string]any)
			if got["at"] != who.at.UTC().Format(time.RFC3339) || got["place"] != place || got["recorded"] != false {
				t.Fatalf("scheduled by the %s: got %v, want %s at %s", who.name, got, place, who.at)
			}
		}
	})
	t.Run("refused to the applicant and to an assessor not on the case", func(t *testing.T) {
		wantProblem(t, tm.in.Post(t, path+"/interview", tm.applicant.Token, map[string]any{"at": at, "place": place}), 403, "")
		otto := tm.newAssessor(t, "otto@example.org", "Otto Other")
		r := tm.in.Post(t, path+"/interview", otto.Token, map[string]any{"at": at, "place": place})
		if r.Status != 403 && r.Status != 404 {
			t.Fatalf("another assessor schedules: got %d %s, want 403 or 404", r.Status, r.Body)
		}
		wantProblem(t, tm.in.Post(t, path+"/interview/record", tm.admin, record), 403, "")
	})
	t.Run("refused in the past or without a place", func(t *testing.T) {
		wantField(t, tm.in.Post(t, path+"/interview", tm.admin, map[string]any{"at": start.Add(-time.Hour), "place": place}), "at", "after now")
		wantField(t, tm.in.Post(t, path+"/interview", tm.admin, map[string]any{"at": at, "place": " "}), "place", "required")
	})
	t.Run("the applicant sees when and where", func(t *testing.T) {
		mine := tm.get(t, path, tm.applicant.Token)
		i := mine["interview"].(map[string]any)
		if i["at"] != at.UTC().Format(time.RFC3339) || i["place"] != place || i["scheduled_by"] != nil {
			t.Fatalf("applicant's interview: got %v, want when and where only", i)
		}
		if next := mine["next"].(map[string]any); next["key"] != "interview" || next["interview_place"] != place {
			t.Fatalf("applicant's next step: got %v", next)
		}
	})
	t.Run("recorded only once it has taken place", func(t *testing.T) {
		wantProblem(t, tm.in.Post(t, path+"/interview/record", tm.assessor.Token, record), 422, "it is on")
	})

	tm.setClock(t, at.Add(2*time.Hour))
	rec := tm.post(t, path+"/interview/record", tm.assessor.Token, record, 200)["interview"].(map[string]any)
	if r := rec["records"].([]any); len(r) != 1 || r[0].(map[string]any)["notes"] != notes {
		t.Fatalf("the assessor's record: got %v", rec)
	}
	wantProblem(t, tm.in.Post(t, path+"/interview/record", tm.assessor.Token, record), 409, "has recorded it")
	wantProblem(t, tm.in.Post(t, path+"/interview", tm.admin, map[string]any{"at": at.Add(72 * time.Hour), "place": place}), 409, "recorded")

	t.Run("the notes are hidden from the applicant and, until both assessed, from the verifier", func(t *testing.T) {
		for _, who := range []struct{ name, token string }{{"applicant", tm.applicant.Token}, {"verifier", tm.verifier.Token}} {
			for _, p := range []string{path, path + "/history"} {
				body := string(Expect(t, tm.in.Get(t, p, who.token), 200).Body)
				if strings.Contains(body, notes) || strings.Contains(body, observed) {
					t.Fatalf("%s of the %s shows the assessor's interview notes: %s", p, who.name, body)
				}
			}
		}
		if i := tm.get(t, path, tm.applicant.Token)["interview"].(map[string]any); i["recorded"] != true || i["records"] != nil {
			t.Fatalf("applicant's interview once recorded: got %v", i)
		}
		office := tm.get(t, path, tm.admin)["interview"].(map[string]any)["records"].([]any)
		if len(office) != 1 || office[0].(map[string]any)["observations"].([]any)[0].(map[string]any)["notes"] != observed {
			t.Fatalf("the office's view of the records: got %v", office)
		}
	})

	tm.post(t, path+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Senior practice."), 200)
	wantProblem(t, tm.in.Post(t, path+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Agree.")), 409, "record it first")
	tm.post(t, path+"/interview/record", tm.verifier.Token, map[string]any{"notes": "Agree with the assessor."}, 200)
	d := tm.post(t, path+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Agree."), 200)
	if d["state"] != "awaiting_decision" || len(d["interview"].(map[string]any)["records"].([]any)) != 2 {
		t.Fatalf("after both assessments: state %v, interview %v; want both records visible to the verifier", d["state"], d["interview"])
	}
	tm.post(t, path+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "senior_practitioner", "rationale": "Meets the senior level."}, 200)
	body := string(Expect(t, tm.in.Get(t, path+"/history", tm.applicant.Token), 200).Body)
	if strings.Contains(body, notes) || !strings.Contains(body, "accreditation.interview_recorded") {
		t.Fatalf("the applicant's history after the decision: the notes must stay hidden, the record's place kept: %s", body)
	}
}

// TestAnInterviewTimeNotReadIsNamed: a time that is not one (a word, a
// date without a time, none) is a 400 naming the field at, not a
// "malformed JSON" problem that names no field; nothing is scheduled.
func TestAnInterviewTimeNotReadIsNamed(t *testing.T) {
	tm := newTeam(t)
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	for _, at := range []any{"yesterday", "2026-03-04", "", 5} {
		r := tm.in.Post(t, "/api/v1/cases/"+id+"/interview", tm.admin, map[string]any{"at": at, "place": "Utrecht"})
		if p := Expect(t, r, 400).Map(t); !strings.Contains(fmt.Sprint(p["errors"]), "field:at ") {
			t.Errorf("at %#v: got %v, want a 400 naming at", at, p)
		}
	}
	if c := tm.get(t, "/api/v1/cases/"+id, tm.admin); c["interview"] != nil {
		t.Errorf("interview after the refusals: got %v, want none", c["interview"])
	}
}
