package api_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestFinishedQueueListsAnAssessorsDoneCases (issue 15 item 5): an assessor
// lists the cases they are done with, not only the open queue: assessed,
// decided (with the outcome and level) or withdrawn, newest submission
// first, paged by cursor; a case they still have to assess is not there.
// An assessor sees only their own, the office anyone's with assessor_id,
// an applicant nothing; each refusal is a problem naming what was wrong.
func TestFinishedQueueListsAnAssessorsDoneCases(t *testing.T) {
	tm := newTeam(t)
	// Three cases, submitted a day apart: decided, awaiting the decision,
	// and one still in assessment that Anna has not assessed.
	var ids []string
	for range 3 {
		id := tm.openEIA(t)
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		tm.setClock(t, tm.clock.Now().Add(24*time.Hour)) // logins last 12 hours: all log in again
		ids = append(ids, id)
	}
	tm.toDecision(t, ids[0])
	tm.post(t, "/api/v1/cases/"+ids[0]+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}, 200)
	tm.toDecision(t, ids[1])
	tm.toAssessment(t, ids[2])
	last := tm.post(t, "/api/v1/cases/"+ids[2]+"/assessments", tm.verifier.Token, tm.assessmentBody(t, ids[2], allRatings("evidenced", nil), "award", "Agree."), 200)
	seq := int(last["seq"].(float64))

	type item struct {
		CaseID       string `json:"case_id"`
		State        string `json:"state"`
		MyRole       string `json:"my_role"`
		Assessed     bool   `json:"assessed"`
		Outcome      string `json:"outcome"`
		DecidedLevel string `json:"decided_level"`
		DecidedAt    string `json:"decided_at"`
	}
	type page struct {
		Cases      []item `json:"cases"`
		NextCursor string `json:"next_cursor"`
	}
	list := func(path, token string) page {
		t.Helper()
		var p page
		Expect(t, tm.in.Get(t, fmt.Sprintf("%s&min_seq=%d", path, seq), token), 200).JSON(t, &p)
		return p
	}
	idsOf := func(items []item) (out []string) {
		for _, it := range items {
			out = append(out, it.CaseID)
		}
		return out
	}

	// Anna, the assessor: the two she assessed, newest first; the third,
	// which she has not assessed, is still in her open queue, not here.
	anna := list("/api/v1/queue/finished?limit=50", tm.assessor.Token)
	if got, want := idsOf(anna.Cases), []string{ids[1], ids[0]}; !slices.Equal(got, want) || anna.NextCursor != "" {
		t.Fatalf("Anna's finished cases: got %v (next %q), want %v and no next page", got, anna.NextCursor, want)
	}
	if d := anna.Cases[1]; d.State != "awarded" || d.Outcome != "awarded" || d.DecidedLevel != "practitioner" || d.DecidedAt == "" || d.MyRole != "assessor" || !d.Assessed {
		t.Fatalf("the decided case: %+v", d)
	}
	if w := anna.Cases[0]; w.State != "awaiting_decision" || w.Outcome != "" || w.DecidedAt != "" || !w.Assessed {
		t.Fatalf("the case awaiting the decision: %+v", w)
	}
	// Victor, the verifier, assessed all three; by pages of one.
	var victor []string
	path := "/api/v1/queue/finished?limit=1"
	for range 5 {
		p := list(path, tm.verifier.Token)
		if len(p.Cases) > 1 {
			t.Fatalf("a page of %d cases, limit 1", len(p.Cases))
		}
		victor = append(victor, idsOf(p.Cases)...)
		if p.NextCursor == "" {
			break
		}
		path = "/api/v1/queue/finished?limit=1&cursor=" + p.NextCursor
	}
	if want := []string{ids[2], ids[1], ids[0]}; !slices.Equal(victor, want) {
		t.Fatalf("Victor's finished cases by pages of one: got %v, want %v", victor, want)
	}
	// The office asks for anyone's.
	if got := idsOf(list("/api/v1/queue/finished?assessor_id="+tm.verifier.ID, tm.admin).Cases); len(got) != 3 {
		t.Fatalf("the office's view of Victor's finished cases: %v", got)
	}
	// A withdrawn case is finished too, assessed or not.
	seq = int(tm.post(t, "/api/v1/cases/"+ids[2]+"/withdraw", tm.applicant.Token, map[string]string{"reason": "Not now."}, 200)["seq"].(float64))
	p := list("/api/v1/queue/finished?limit=50", tm.assessor.Token)
	if len(p.Cases) != 3 {
		t.Fatalf("Anna's finished cases after the withdrawal: %v, want 3", idsOf(p.Cases))
	}
	if w := p.Cases[0]; w.CaseID != ids[2] || w.State != "withdrawn" || w.Assessed {
		t.Fatalf("the withdrawn case in Anna's list: %+v", w)
	}

	for _, tc := range []struct {
		name, path, token string
		status            int
		field             string
	}{
		{"an applicant", "/api/v1/queue/finished", tm.applicant.Token, 403, ""},
		{"an assessor asking for another's", "/api/v1/queue/finished?assessor_id=" + tm.verifier.ID, tm.assessor.Token, 403, ""},
		{"the office naming no one", "/api/v1/queue/finished", tm.admin, 400, "assessor_id"},
		{"the office naming an applicant", "/api/v1/queue/finished?assessor_id=" + tm.applicant.ID, tm.admin, 400, "assessor_id"},
		{"the office naming no user", "/api/v1/queue/finished?assessor_id=01NOSUCHUSER", tm.admin, 404, ""},
		{"a cursor it did not write", "/api/v1/queue/finished?cursor=yesterday", tm.assessor.Token, 400, "cursor"},
		{"a limit out of range", "/api/v1/queue/finished?limit=0", tm.assessor.Token, 400, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Expect(t, tm.in.Get(t, tc.path, tc.token), tc.status)
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q, want a problem document", ct)
			}
			if tc.field == "" {
				return
			}
			var prob struct {
				Errors []struct{ Field string } `json:"errors"`
			}
			r.JSON(t, &prob)
			if len(prob.Errors) != 1 || prob.Errors[0].Field != tc.field {
				t.Fatalf("the problem names %+v, want %s", prob.Errors, tc.field)
			}
		})
	}
}
