package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// eiaRenewalBody is an EIA renewal that meets the shipped rules at every
// level: five years of 30 practice hours, 6 of supervision, 20 of CPD.
func eiaRenewalBody() map[string]any {
	var years []map[string]any
	for range 5 {
		years = append(years, map[string]any{"practice_hours": 30, "supervision_hours": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "cpd_hours": 20})
	}
	return map[string]any{"years": years, "reflection": "Five years in which my contracting changed.",
		"declarations": []string{"code_of_ethics", "diversity"}}
}

// eqaRenewalBody states each of the five EQA renewal aims.
func eqaRenewalBody() map[string]any {
	return map[string]any{"aims": map[string]string{"still_run": "Yearly cohorts.", "student_feedback": "Module evaluations.",
		"quality_assurance": "External moderator.", "emcc_criteria": "Assessed on the indicators.", "ethics_code": "Module one."},
		"declarations": []string{"code_of_ethics"}}
}

// TestRenewalAsAShortCase (issue 13 item 8): the holder submits the
// renewal, the office assigns one assessor, who renews it; the register
// shows the new end.
func TestRenewalAsAShortCase(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}, 200)
	accID := d["accreditation"].(map[string]any)["id"].(string)
	renew := "/api/v1/accreditations/" + accID + "/renewal"
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	renata := tm.newAssessor(t, "renata@example.org", "Renata Renewals")
	renata.Token = tm.in.Login(t, renata.Email, renata.Password)

	// The instant renewal's body is refused, naming what is asked now.
	old := Expect(t, tm.in.Post(t, renew, tm.applicant.Token, map[string]any{"continued_practice": true, "supervision_hours_last_year": 6,
		"cpd_hours_last_year": 20, "ethics_code_adherence": true}), 400).Map(t)
	if got := fmt.Sprint(old["errors"]); !strings.Contains(got, "continued_practice") || !strings.Contains(got, "years") || !strings.Contains(got, "reflection") {
		t.Fatalf("old body: got %v", old)
	}
	wantField(t, tm.in.Post(t, renew, tm.applicant.Token, map[string]any{"years": []map[string]any{{"practice_hours": 1}}}), "years", "5 years")
	// Renewed in 2030, under eia-2027-1: supervision in every quarter of
	// the period, four numbers a year.
	short := eiaRenewalBody()
	short["years"].([]map[string]any)[2]["supervision_hours_by_quarter"] = []float64{4, 0, 0, 0}
	p := Expect(t, tm.in.Post(t, renew, tm.applicant.Token, short), 422).Map(t)
	if got := fmt.Sprint(p["unmet"]); !strings.Contains(got, "renewal_supervision_hours_each_quarter") || strings.Contains(got, "renewal_supervision_hours_last_year") {
		t.Fatalf("4 h in one quarter of a year: unmet %v, want renewal_supervision_hours_each_quarter alone", got)
	}
	short["years"].([]map[string]any)[2]["supervision_hours_by_quarter"] = []float64{1, 1}
	wantField(t, tm.in.Post(t, renew, tm.applicant.Token, short), "years[2].supervision_hours_by_quarter", "4 numbers, not 2")

	c := tm.post(t, renew, tm.applicant.Token, eiaRenewalBody(), 200)
	cur := c["accreditation"].(map[string]any)["current_renewal"].(map[string]any)
	if cur["state"] != "submitted" || c["next"].(map[string]any)["key"] != "renewal_submitted" {
		t.Fatalf("submitted: renewal %v, next %v", cur, c["next"])
	}
	// Before it is assigned the assessor neither sees nor assesses it.
	Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, renata.Token), 404)
	Expect(t, tm.in.Post(t, renew+"/assessment", renata.Token, map[string]string{"outcome": "renew", "rationale": "x"}), 404)
	Expect(t, tm.in.Post(t, renew+"/assignment", tm.applicant.Token, map[string]string{"assessor_id": renata.ID}), 403)
	Expect(t, tm.in.Post(t, renew+"/assignment", tm.admin, map[string]string{"assessor_id": tm.applicant.ID}), 422)

	tm.post(t, renew+"/assignment", tm.admin, map[string]string{"assessor_id": renata.ID}, 200)
	seen := tm.get(t, "/api/v1/cases/"+id, renata.Token)
	if r := seen["accreditation"].(map[string]any)["current_renewal"].(map[string]any); r["reflection"] != "Five years in which my contracting changed." || r["reflection_words"] != float64(7) {
		t.Fatalf("the assessor's view of the renewal: %v", r)
	}
	// The application's verifier sees the case, but the renewal is not theirs:
	// not to assess, nor to read what the holder wrote or its assessor decided.
	Expect(t, tm.in.Post(t, renew+"/assessment", tm.verifier.Token, map[string]string{"outcome": "renew", "rationale": "x"}), 403)
	notTheirs := func(when string) {
		t.Helper()
		for who, token := range map[string]string{"the verifier": tm.verifier.Token, "the assessor": tm.assessor.Token} {
			v := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, token), 200).Body)
			h := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", token), 200).Body)
			for _, text := range []string{"Five years in which my contracting changed.", "Five years evidenced."} {
				if strings.Contains(v, text) || strings.Contains(h, text) {
					t.Fatalf("%s: %s is shown the renewal's %q", when, who, text)
				}
			}
			if !strings.Contains(v, `"renewals"`) && !strings.Contains(v, `"current_renewal":{"state":`) {
				t.Fatalf("%s: %s is not shown that the accreditation is being renewed: %s", when, who, v)
			}
		}
	}
	notTheirs("assigned")
	wantField(t, tm.in.Post(t, renew+"/assessment", renata.Token, map[string]string{"outcome": "approve", "rationale": "x"}), "outcome", "renew, refuse or return")

	r := tm.post(t, renew+"/assessment", renata.Token, map[string]string{"outcome": "renew", "rationale": "Five years evidenced."}, 200)
	notTheirs("renewed")
	if h := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tm.applicant.Token), 200).Body); !strings.Contains(h, "Five years in which my contracting changed.") || !strings.Contains(h, "Five years evidenced.") {
		t.Fatal("the holder's history does not show their renewal and its assessment")
	}
	if got := r["accreditation"].(map[string]any)["valid_until"].(string); !strings.HasPrefix(got, "2036-03-02") {
		t.Fatalf("renewed until: got %s, want 2036-03-02", got)
	}
	reg := Expect(t, tm.in.Get(t, fmt.Sprintf("/api/v1/register/%s?min_seq=%d", accID, int(r["seq"].(float64))), ""), 200).Map(t)
	if got, _ := reg["accreditation"].(map[string]any)["valid_until"].(string); !strings.HasPrefix(got, "2036-03-02") || reg["valid"] != true {
		t.Fatalf("register after renewal: %v", reg)
	}
	// Like an application's assessors, the renewal's keeps sight of the case.
	Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, renata.Token), 200)
}

// TestANextRenewalsAssessorReadsNothingOfTheRenewalBefore: what the holder
// wrote for a renewal and what its assessor decided are the holder's, the
// office's and that renewal's assessor's. The assessor of the next
// renewal, five years on, reads the renewal they assess, in the case and
// in its history, and not the one before, which someone else assessed;
// that one's assessor reads theirs in the history, and not the next.
func TestANextRenewalsAssessorReadsNothingOfTheRenewalBefore(t *testing.T) {
	tm, id, accID, renata := renewalWithAssessor(t)
	renew := "/api/v1/accreditations/" + accID + "/renewal"
	tm.post(t, renew+"/assessment", renata.Token, map[string]string{"outcome": "renew", "rationale": "Renata's reasons for the first renewal."}, 200)

	tm.setClock(t, time.Date(2035, 12, 1, 9, 0, 0, 0, time.UTC))
	second := eiaRenewalBody()
	second["reflection"] = "The second five years, with a new supervisor."
	tm.post(t, renew, tm.applicant.Token, second, 200)
	rene := tm.newAssessor(t, "rene@example.org", "Rene Second")
	rene.Token = tm.in.Login(t, rene.Email, rene.Password)
	tm.post(t, renew+"/assignment", tm.admin, map[string]string{"assessor_id": rene.ID}, 200)

	first := []string{"Five years in which my contracting changed.", "Renata's reasons for the first renewal."}
	reads := func(token string) (view, history string) {
		t.Helper()
		return string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, token), 200).Body),
			string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", token), 200).Body)
	}
	v, h := reads(rene.Token)
	if !strings.Contains(v, second["reflection"].(string)) || !strings.Contains(h, second["reflection"].(string)) {
		t.Fatalf("the second renewal's assessor does not read the renewal they assess: in the case %v, in the history %v",
			strings.Contains(v, second["reflection"].(string)), strings.Contains(h, second["reflection"].(string)))
	}
	for _, text := range first {
		if strings.Contains(v, text) || strings.Contains(h, text) {
			t.Errorf("the second renewal's assessor reads the first renewal's %q (in the case: %v, in the history: %v)", text, strings.Contains(v, text), strings.Contains(h, text))
		}
	}
	// The first renewal's assessor keeps reading, in the history, the
	// renewal they assessed (as they keep the assessments they made), and
	// not the one given to someone else.
	renata.Token = tm.in.Login(t, renata.Email, renata.Password) // five years on: a session of the day
	if _, h := reads(renata.Token); !strings.Contains(h, first[0]) || !strings.Contains(h, first[1]) {
		t.Errorf("the first renewal's assessor no longer reads, in the history, the renewal they assessed: the reflection %v, their rationale %v",
			strings.Contains(h, first[0]), strings.Contains(h, first[1]))
	} else if strings.Contains(h, second["reflection"].(string)) {
		t.Error("the first renewal's assessor reads the second renewal, given to someone else")
	}
	// The holder and the office read both.
	for who, token := range map[string]string{"the holder": tm.applicant.Token, "the office": tm.admin} {
		if _, h := reads(token); !strings.Contains(h, first[0]) || !strings.Contains(h, first[1]) || !strings.Contains(h, second["reflection"].(string)) {
			t.Errorf("%s's history does not hold both renewals", who)
		}
	}
}
