package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestReassignAndUnassign (issue 15 item 5): the office gives a role to
// another qualified assessor in one step, or empties it, with a reason;
// the assessor taken off loses the case (queue, case, history) and the new
// one gets it (queue, mail); the reason is for the office's eyes; bad input
// names its field; only the office may; the version and the idempotency
// key hold as for every command.
func TestReassignAndUnassign(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id) // anna claimed the assessor role, victor was assigned the verifier's
	nina := tm.newAssessor(t, "nina@example.org", "Nina New")
	path := "/api/v1/cases/" + id + "/assignments/assessor"
	body := map[string]any{"assessor_id": nina.ID, "reason": "Anna is on leave until March"}
	queueOf := func(u User, seq any) map[string]any {
		return tm.get(t, fmt.Sprintf("/api/v1/queue?min_seq=%d", int(seq.(float64))), u.Token)
	}
	mine := func(q map[string]any) []string {
		var ids []string
		for _, it := range q["mine"].([]any) {
			ids = append(ids, it.(map[string]any)["case_id"].(string))
		}
		return ids
	}

	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no reason", map[string]any{"assessor_id": nina.ID}, "reason"},
		{"a blank reason", map[string]any{"assessor_id": nina.ID, "reason": "  "}, "reason"},
		{"no one named", map[string]any{"reason": "r"}, "assessor_id"},
		{"the holder again", map[string]any{"assessor_id": tm.assessor.ID, "reason": "r"}, "assessor_id"},
	} {
		t.Run("400/"+tc.name, func(t *testing.T) {
			p := Expect(t, tm.in.Put(t, path, tm.admin, tc.body), 400).Map(t)
			if !strings.Contains(fmt.Sprint(p["errors"]), "field:"+tc.field) {
				t.Fatalf("problem: got %v, want the field %s named", p, tc.field)
			}
		})
	}
	t.Run("400/an unknown role", func(t *testing.T) {
		p := Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/assignments/observer", tm.admin, body), 400).Map(t)
		if !strings.Contains(fmt.Sprint(p["errors"]), "field:role") {
			t.Fatalf("problem: got %v, want the field role named", p)
		}
	})
	t.Run("422/the verifier cannot take the assessor's role too", func(t *testing.T) {
		wantProblem(t, tm.in.Put(t, path, tm.admin, map[string]any{"assessor_id": tm.verifier.ID, "reason": "r"}), 422, "two different people")
	})
	t.Run("401, 403: only the office", func(t *testing.T) {
		Expect(t, tm.in.Put(t, path, "", body), 401)
		Expect(t, tm.in.Put(t, path, tm.assessor.Token, body), 403)
		Expect(t, tm.in.Put(t, path, tm.applicant.Token, body), 403)
		Expect(t, tm.in.Post(t, path+"/unassignment", tm.verifier.Token, map[string]any{"reason": "r"}), 403)
	})
	t.Run("412: a stale If-Match", func(t *testing.T) {
		Expect(t, tm.in.Do(t, Request{Method: "PUT", Path: path, Token: tm.admin, Body: body, Header: map[string]string{"If-Match": `"1"`}}), 412)
	})

	var seq any
	t.Run("reassigned in one step: the new assessor has the case, the old one lost it", func(t *testing.T) {
		key := map[string]string{"Idempotency-Key": "reassign-" + id}
		r := Expect(t, tm.in.Do(t, Request{Method: "PUT", Path: path, Token: tm.admin, Body: body, Header: key}), 200)
		c := r.Map(t)
		again := Expect(t, tm.in.Do(t, Request{Method: "PUT", Path: path, Token: tm.admin, Body: body, Header: key}), 200).Map(t)
		if c["state"] != "in_assessment" || again["version"] != c["version"] {
			t.Fatalf("after reassigning: state %v version %v, the retry's version %v; want in_assessment and one write", c["state"], c["version"], again["version"])
		}
		as := c["assignments"].(map[string]any)
		if as["assessor"].(map[string]any)["user_id"] != nina.ID || as["verifier"].(map[string]any)["user_id"] != tm.verifier.ID {
			t.Fatalf("assignments: got %v, want nina as assessor and victor as verifier", as)
		}
		seq = c["seq"]
		if got := mine(queueOf(nina, seq)); len(got) != 1 || got[0] != id {
			t.Fatalf("nina's own cases: got %v, want [%s]", got, id)
		}
		if got := mine(queueOf(tm.assessor, seq)); len(got) != 0 {
			t.Fatalf("anna's own cases: got %v, want none", got)
		}
		Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, tm.assessor.Token), 404)
		Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tm.assessor.Token), 404)
		late := tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Too late.")
		Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, late), 404)
		if tm.get(t, "/api/v1/cases/"+id, nina.Token)["state"] != "in_assessment" {
			t.Fatalf("nina cannot see the case in assessment")
		}
	})
	t.Run("the history: one unassignment and one assignment, the reason for the office only", func(t *testing.T) {
		officeView := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tm.admin), 200).Body)
		if strings.Count(officeView, "accreditation.assessor_unassigned") != 1 || !strings.Contains(officeView, "Anna is on leave until March") {
			t.Fatalf("office's history: want one assessor_unassigned with the reason in clear, got %s", officeView)
		}
		for _, u := range []User{tm.applicant, nina} {
			h := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", u.Token), 200).Body)
			if !strings.Contains(h, "accreditation.assessor_unassigned") || strings.Contains(h, "on leave") {
				t.Fatalf("%s's history: want the unassignment without its reason, got %s", u.Name, h)
			}
		}
	})
	t.Run("the new assessor is mailed as for an assignment", func(t *testing.T) {
		waitNotified(t, tm.in, lastSeq(t, tm.in))
		found := false
		for _, m := range tm.ofKind(t, "assigned") {
			if m["to"] == nina.Email && strings.Contains(fmt.Sprint(m["body"]), "/assess/"+id) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no assignment mail to %s linking to /assess/%s", nina.Email, id)
		}
	})
	t.Run("unassigned: back to awaiting assessment, off the verifier's list, not claimable by them", func(t *testing.T) {
		u := "/api/v1/cases/" + id + "/assignments/verifier/unassignment"
		p := Expect(t, tm.in.Post(t, u, tm.admin, map[string]any{}), 400).Map(t)
		if !strings.Contains(fmt.Sprint(p["errors"]), "field:reason") {
			t.Fatalf("problem: got %v, want the field reason named", p)
		}
		c := tm.post(t, u, tm.admin, map[string]any{"reason": "Conflict of interest found"}, 200)
		if c["state"] != "awaiting_assessment" {
			t.Fatalf("state: got %v, want awaiting_assessment", c["state"])
		}
		q := queueOf(tm.verifier, c["seq"])
		if len(q["mine"].([]any)) != 0 || len(q["available"].([]any)) != 0 {
			t.Fatalf("victor's queue: got %v, want neither his own nor offered", q)
		}
		wantProblem(t, tm.in.Post(t, "/api/v1/cases/"+id+"/claim", tm.verifier.Token, map[string]string{"role": "verifier"}), 404, "")
		wantProblem(t, tm.in.Post(t, u, tm.admin, map[string]any{"reason": "again"}), 409, "no one holds the verifier role")
		tm.post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}, 200)
	})
	t.Run("409 once the holder has assessed", func(t *testing.T) {
		tm.post(t, "/api/v1/cases/"+id+"/assessments", nina.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Fine."), 200)
		wantProblem(t, tm.in.Put(t, path, tm.admin, map[string]any{"assessor_id": tm.assessor.ID, "reason": "r"}), 409, "already submitted an assessment")
		r := tm.in.Post(t, path+"/unassignment", tm.admin, map[string]any{"reason": "r"})
		wantProblem(t, r, 409, "already submitted an assessment")
		// What stands in the way, for a client to say in its own words.
		if p := r.Map(t); p["blocked_by"] != "holder_assessed" || p["role"] != "assessor" {
			t.Fatalf("problem: blocked_by %v, role %v, want holder_assessed and assessor", p["blocked_by"], p["role"])
		}
	})
}

// TestARetriedAssignmentIsAnsweredAsTheFirstAfterTheAssessorLeft: the
// office's assignment, reassignment and renewal assignment, each sent again
// with its Idempotency-Key (its answer lost) after the assessor it named
// was disabled, are answered as the first (200, its seq), not refused as a
// new one naming that assessor is ("unknown assessor"); the same key with
// another body is refused.
func TestARetriedAssignmentIsAnsweredAsTheFirstAfterTheAssessorLeft(t *testing.T) {
	sentAgain := func(t *testing.T, tm *team, what string, r Request, assessorID string) {
		t.Helper()
		first := Expect(t, tm.in.Do(t, r), 200)
		tm.post(t, "/api/v1/users/"+assessorID+"/disable", tm.admin, map[string]string{"reason": "left the pool"}, 200)
		got := tm.in.Do(t, r)
		if got.Status != 200 || got.Header.Get("X-Accredit-Seq") != first.Header.Get("X-Accredit-Seq") {
			t.Fatalf("retried %s after the assessor was disabled: got %d %s (seq %s), want 200 as the first (seq %s)",
				what, got.Status, got.Body, got.Header.Get("X-Accredit-Seq"), first.Header.Get("X-Accredit-Seq"))
		}
		other, body := r, map[string]string{}
		for k, v := range r.Body.(map[string]string) {
			body[k] = v
		}
		body["assessor_id"] = tm.assessor.ID
		other.Body = body
		Expect(t, tm.in.Do(t, other), 422) // the key with another body
	}
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
	sentAgain(t, tm, "assignment", Request{Method: "POST", Path: "/api/v1/cases/" + id + "/assignments", Token: tm.admin, Header: keyed("assign-1"),
		Body: map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}}, tm.verifier.ID)
	tm.post(t, "/api/v1/cases/"+id+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
	bea := tm.newAssessor(t, "bea@example.org", "Bea Assessor")
	sentAgain(t, tm, "reassignment", Request{Method: "PUT", Path: "/api/v1/cases/" + id + "/assignments/assessor", Token: tm.admin, Header: keyed("reassign-1"),
		Body: map[string]string{"assessor_id": bea.ID, "reason": "Anna is away"}}, bea.ID)

	tm = newTeam(t)
	id = tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}, 200)
	accID := d["accreditation"].(map[string]any)["id"].(string)
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, eiaRenewalBody(), 200)
	renata := tm.newAssessor(t, "renata@example.org", "Renata Renewals")
	sentAgain(t, tm, "renewal assignment", Request{Method: "POST", Path: "/api/v1/accreditations/" + accID + "/renewal/assignment", Token: tm.admin, Header: keyed("renewal-1"),
		Body: map[string]string{"assessor_id": renata.ID}}, renata.ID)
}
