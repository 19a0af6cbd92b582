package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// fieldsOf are the fields a problem document names as wrong.
func fieldsOf(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		f, _ := e.(map[string]any)["field"].(string)
		out = append(out, f)
	}
	return out
}

// TestAFeeSetInANewVersionIsPaidBeforeScreening (issue 13 item 4): the
// office sets a fee in a new EIA version; a case submitted under it waits
// for payment and cannot be screened until the office records the fee as
// paid (with a reference) or waived (with a reason); a case pinned to the
// version before owes nothing.
func TestAFeeSetInANewVersionIsPaidBeforeScreening(t *testing.T) {
	tm := newTeam(t)
	pinned := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+pinned+"/submit", tm.applicant.Token, declared, 200)

	rs := publishFee(t, tm)
	var feeRule map[string]any
	for _, r := range rs["rules"].([]any) {
		if r.(map[string]any)["name"] == "fee" {
			feeRule = r.(map[string]any)
		}
	}
	if feeRule["unit"] != "eur" || feeRule["source"] != "set by the office on 2026-03-02" || feeRule["values"].(map[string]any)["practitioner"] != 450.0 {
		t.Fatalf("the published fee: got %v, want EUR 450 at practitioner, set by the office", feeRule)
	}

	id := tm.openEIA(t)
	c := tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	next, _ := c["next"].(map[string]any)
	if c["state"] != "awaiting_payment" || fmt.Sprint(c["fee"]) != "map[amount_eur:450 status:due]" || next["key"] != "awaiting_payment" || next["fee_eur"] != 450.0 {
		t.Fatalf("submitted under the fee: state %v, fee %v, next %v; want awaiting_payment, EUR 450 due", c["state"], c["fee"], c["next"])
	}
	if got := fmt.Sprint(c["allowed_actions"]); got != "[withdraw]" {
		t.Fatalf("the applicant may: got %s, want [withdraw]", got)
	}
	if got := fmt.Sprint(tm.get(t, "/api/v1/cases/"+id, tm.admin)["allowed_actions"]); got != "[record_payment]" {
		t.Fatalf("the office may: got %s, want [record_payment]", got)
	}

	p := Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}), 409).Map(t)
	if d, _ := p["detail"].(string); !strings.Contains(d, "fee of EUR 450") {
		t.Fatalf("screening before payment: got %v, want a conflict naming the fee", p)
	}
	paid := map[string]string{"status": "paid", "reference": "NL91 transfer 2026-0117"}
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/payment", tm.applicant.Token, paid), 403)
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/payment", tm.assessor.Token, paid), 403)
	for field, body := range map[string]map[string]string{"reference": {"status": "paid"}, "reason": {"status": "waived"}, "status": {"status": "pending"}} {
		p := Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/payment", tm.admin, body), 400).Map(t)
		if got := fieldsOf(p); len(got) == 0 || got[0] != field {
			t.Fatalf("%v: fields %v, want %s", body, got, field)
		}
	}
	wantField(t, tm.in.Post(t, "/api/v1/cases/"+id+"/payment", tm.admin, map[string]string{"status": "paid", "reference": big(301)}), "reference", "at most 300")
	wantField(t, tm.in.Post(t, "/api/v1/cases/"+id+"/payment", tm.admin, map[string]string{"status": "waived", "reason": big(2001)}), "reason", "at most 2000")

	c = tm.post(t, "/api/v1/cases/"+id+"/payment", tm.admin, paid, 200)
	f := c["fee"].(map[string]any)
	if c["state"] != "submitted" || f["status"] != "paid" || f["reference"] != paid["reference"] || f["at"] != "2026-03-02T09:00:00Z" || f["by"] == "" {
		t.Fatalf("after payment: state %v, fee %v; want submitted, paid with its reference, by the office, now", c["state"], f)
	}
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/payment", tm.admin, paid), 409)
	tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
	var types []string
	for _, e := range tm.get(t, "/api/v1/cases/"+id+"/history", tm.admin)["events"].([]any) {
		e := e.(map[string]any)
		if e["type"] == "accreditation.payment_recorded" && e["actor"].(map[string]any)["role"] == "office" {
			types = append(types, "payment by the office")
		}
	}
	if len(types) != 1 {
		t.Fatalf("history: got %v, want one payment recorded by the office", types)
	}

	waived := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+waived+"/submit", tm.applicant.Token, declared, 200)
	c = tm.post(t, "/api/v1/cases/"+waived+"/payment", tm.admin, map[string]string{"status": "waived", "reason": "Member of the EMCC's bursary scheme."}, 200)
	if f := c["fee"].(map[string]any); c["state"] != "submitted" || f["status"] != "waived" || f["reason"] != "Member of the EMCC's bursary scheme." {
		t.Fatalf("after the waiver: state %v, fee %v", c["state"], f)
	}

	old := tm.get(t, "/api/v1/cases/"+pinned, tm.admin)
	if old["state"] != "submitted" || old["fee"] != nil || old["rule_set"] != "eia-2024-1" {
		t.Fatalf("the case pinned before the fee: state %v, fee %v, rules %v; want submitted, none, eia-2024-1", old["state"], old["fee"], old["rule_set"])
	}
	tm.post(t, "/api/v1/cases/"+pinned+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
}

// publishFee has the office publish an EIA version, in force from the
// team's first day, with a fee at every level (EUR 450 at practitioner).
func publishFee(t *testing.T, tm *team) map[string]any {
	t.Helper()
	fee := map[string]any{"foundation": 300, "practitioner": 450, "senior_practitioner": 600, "master_practitioner": 750}
	return tm.post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"rules": []map[string]any{{"name": "fee", "values": fee}}}, 201)
}

// TestTheServiceLevelRunsFromThePayment: the EMCC's processing starts once
// the fee is paid, so a case awaiting its fee has no due date and is never
// overdue, and once paid it is due the service level (91 days) after the
// payment, not after the submission: in the office's queue, its figures and
// the case view.
func TestTheServiceLevelRunsFromThePayment(t *testing.T) {
	tm := newTeam(t)
	publishFee(t, tm)
	id := tm.openEIA(t)
	submitted := tm.clock.Now()
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	queued := func() map[string]any { return tm.queued(t, id) }
	overdue := func() any { return tm.overdueCount(t) }

	tm.setClock(t, submitted.Add(100*24*time.Hour)) // past the service level from the submission
	if it := queued(); it["due_at"] != nil || it["overdue"] != false || overdue() != 0.0 {
		t.Fatalf("awaiting its fee for 100 days: due_at %v, overdue %v (stats %v); want none, false, 0", it["due_at"], it["overdue"], overdue())
	}
	if c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token); c["expected_decision_by"] != nil {
		t.Fatalf("awaiting its fee: expected_decision_by %v, want none", c["expected_decision_by"])
	}
	tm.post(t, "/api/v1/cases/"+id+"/payment", tm.admin, map[string]string{"status": "paid", "reference": "INV-2026-0042"}, 200)
	due := tm.clock.Now().Add(91 * 24 * time.Hour).Format(time.RFC3339)
	tm.in.Restart(t) // the read models from their snapshot: the clock's start is in it
	tm.setClock(t, tm.clock.Now())
	if it := queued(); it["due_at"] != due || it["overdue"] != false || overdue() != 0.0 {
		t.Fatalf("paid: due_at %v, overdue %v (stats %v); want %s, false, 0", it["due_at"], it["overdue"], overdue(), due)
	}
	if c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token); c["expected_decision_by"] != due {
		t.Fatalf("paid: expected_decision_by %v, want %s", c["expected_decision_by"], due)
	}
	tm.setClock(t, tm.clock.Now().Add(92*24*time.Hour))
	if it := queued(); it["overdue"] != true || overdue() != 1.0 {
		t.Fatalf("92 days after the payment: overdue %v (stats %v), want true, 1", it["overdue"], overdue())
	}
}

// queued is case id's row in the office's queue, read once the read side
// has applied every commit so far (a read with no min_seq waits for
// nothing, and on a busy machine could miss the last command).
func (tm *team) queued(t *testing.T, id string) map[string]any {
	t.Helper()
	for _, it := range asSlice(tm.readAt(t, "/api/v1/queue", tm.admin, float64(lastSeq(t, tm.in)))["cases"]) {
		if it := it.(map[string]any); it["case_id"] == id {
			return it
		}
	}
	t.Fatalf("case %s not in the office's queue", id)
	return nil
}

// overdueCount is the office's figure of cases overdue, read once the read
// side has applied every commit so far.
func (tm *team) overdueCount(t *testing.T) any {
	t.Helper()
	return tm.readAt(t, "/api/v1/stats", tm.admin, float64(lastSeq(t, tm.in)))["stats"].(map[string]any)["overdue"]
}

// Why the office waived a fee is about the applicant's circumstances (their
// means, an illness): the applicant and the office read it, in the case and
// its history; an assessor, on the case or one who may claim it from the
// queue, sees that the fee was waived and not why.
func TestTheFeeWaiverReasonIsForTheApplicantAndTheOffice(t *testing.T) {
	tm := newTeam(t)
	publishFee(t, tm)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	const reason = "Out of work since her illness in 2025"
	tm.post(t, "/api/v1/cases/"+id+"/payment", tm.admin, map[string]string{"status": "waived", "reason": reason}, 200)
	tm.toAssessment(t, id)
	// The verifier taken off: the case is back in the queue, which Nina,
	// qualified and on no role of it, may open to claim.
	tm.post(t, "/api/v1/cases/"+id+"/assignments/verifier/unassignment", tm.admin, map[string]any{"reason": "Conflict of interest found"}, 200)
	nina := tm.newAssessor(t, "nina@example.org", "Nina New")

	for _, who := range []struct {
		name, token string
		sees        bool
	}{{"applicant", tm.applicant.Token, true}, {"office", tm.admin, true}, {"assessor", tm.assessor.Token, false}, {"assessor who may claim", nina.Token, false}} {
		c := tm.get(t, "/api/v1/cases/"+id, who.token)
		fee, _ := c["fee"].(map[string]any)
		if fee["status"] != "waived" {
			t.Fatalf("the %s's case view: fee %v, want it waived", who.name, c["fee"])
		}
		hist := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", who.token), 200).Body)
		if got := fee["reason"] == reason && strings.Contains(hist, reason); got != who.sees {
			t.Fatalf("the %s reads the waiver's reason in the case view (%v) and its history: %v, want %v", who.name, fee, got, who.sees)
		}
		if !who.sees && (strings.Contains(fmt.Sprint(c), reason) || strings.Contains(hist, reason)) {
			t.Fatalf("the %s reads the waiver's reason somewhere", who.name)
		}
	}
}
