package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestEIASeniorPractitionerJourney is the whole EIA journey at Senior
// Practitioner as the EMCC runs it (issue 13, "Done means"): the office
// publishes its figures (NOBCO's written portfolio, a fee, a panel of two);
// the applicant writes the portfolio and is refused until it holds the
// case study and the five learning journals and until both declarations
// are confirmed; the case waits for the fee; the assessors interview the
// applicant before assessing; the panel of two awards; the register lists
// the award.
func TestEIASeniorPractitionerJourney(t *testing.T) {
	tm := newTeam(t)
	all := func(v float64) map[string]any {
		return map[string]any{"foundation": v, "practitioner": v, "senior_practitioner": v, "master_practitioner": v}
	}
	const nobco = "nobco.nl/wat-moet-je-aantonen-voor-eia-certificering: 5 learning journals and a case study"
	tm.post(t, "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "evidence_case_study", "values": all(1), "source": nobco},
		{"name": "evidence_learning_journal", "values": all(5), "source": nobco},
		{"name": "fee", "values": map[string]any{"senior_practitioner": 600}},
		{"name": "panel_quorum", "values": all(2)},
	}}, 201)

	// The application.
	id := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "senior_practitioner", "language": "en"}, 201)["id"].(string)
	path := "/api/v1/cases/" + id
	p := eiaPortfolio()
	p["first_practice_date"], p["client_hours"], p["client_count"] = "2019-01-15", 300, 25
	Expect(t, tm.in.Put(t, path+"/portfolio", tm.applicant.Token, p), 200)
	var cats []map[string]any
	for cat := 1; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("My senior practice in category %d", cat)})
	}
	Expect(t, tm.in.Put(t, path+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 200)
	upload := func(kind, title string) {
		t.Helper()
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": kind, "title": title, "categories": "1,4"}, kind+".pdf", pdf, nil), 201)
	}
	upload("case_study", "A year with a leadership team")
	for i := 1; i <= 4; i++ {
		upload("learning_journal", fmt.Sprintf("Learning journal %d", i))
	}
	checklist := fmt.Sprint(tm.get(t, path, tm.applicant.Token)["checklist"])
	if !strings.Contains(checklist, "evidence_learning_journal") || strings.Contains(checklist, "evidence_case_study") {
		t.Fatalf("checklist with a case study and 4 journals: %s; want the fifth journal asked for, the case study not", checklist)
	}
	p422 := Expect(t, tm.in.Post(t, path+"/submit", tm.applicant.Token, declared), 422).Map(t)
	if !strings.Contains(fmt.Sprint(p422["unmet"]), "evidence_learning_journal") {
		t.Fatalf("submitted with 4 journals: %v", p422)
	}
	upload("learning_journal", "Learning journal 5")
	p422 = Expect(t, tm.in.Post(t, path+"/submit", tm.applicant.Token, map[string]any{"declarations": []string{"code_of_ethics"}}), 422).Map(t)
	if got := fmt.Sprint(p422["unmet"]); !strings.Contains(got, "declaration_diversity") || strings.Contains(got, "evidence_") {
		t.Fatalf("submitted without the diversity declaration: unmet %s, want only it", got)
	}

	// Submitted: it waits for the fee, then the office screens it.
	c := tm.post(t, path+"/submit", tm.applicant.Token, declared, 200)
	if c["state"] != "awaiting_payment" || c["next"].(map[string]any)["fee_eur"] != 600.0 {
		t.Fatalf("submitted: state %v, next %v; want the fee of EUR 600 due", c["state"], c["next"])
	}
	if d := c["declarations"].([]any); len(d) != 2 {
		t.Fatalf("declarations recorded: %v, want both with their versions", d)
	}
	wantProblem(t, tm.in.Post(t, path+"/screening", tm.admin, map[string]string{"outcome": "accepted"}), 409, "fee of EUR 600")
	tm.post(t, path+"/payment", tm.admin, map[string]string{"status": "paid", "reference": "INV-2026-0042"}, 200)
	tm.toAssessment(t, id)

	// The interview comes before each assessment.
	ratings := allRatings("evidenced", map[int][]int{8: {71}})
	wantProblem(t, tm.in.Post(t, path+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, ratings, "award", "x")), 409, "record it first")
	at := tm.clock.Now().Add(72 * time.Hour).Truncate(time.Minute)
	tm.post(t, path+"/interview", tm.admin, map[string]any{"at": at, "place": "EMCC office, Utrecht"}, 200)
	if next := tm.get(t, path, tm.applicant.Token)["next"].(map[string]any); next["key"] != "interview" || next["interview_at"] != at.UTC().Format(time.RFC3339) {
		t.Fatalf("the applicant's next step: %v, want the interview at %s", next, at)
	}
	tm.setClock(t, at.Add(2*time.Hour))
	for _, u := range []User{tm.assessor, tm.verifier} {
		tm.post(t, path+"/interview/record", u.Token, map[string]any{"notes": "Reflective and precise.", "observations": []map[string]any{{"category": 4, "notes": "Contracts clearly."}}}, 200)
	}
	tm.post(t, path+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, ratings, "award", "Senior-level practice throughout."), 200)
	tm.post(t, path+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, ratings, "award", "Agree."), 200)

	// The panel of two decides.
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Panel")
	otto := tm.in.CreateUser(t, tm.admin, "office", "otto@example.org", "Otto Panel")
	award := func(panel ...map[string]string) Response {
		return tm.in.Post(t, path+"/decision", tm.admin, map[string]any{"outcome": "awarded", "level": "senior_practitioner", "rationale": "The panel follows the assessors.", "panel": panel})
	}
	wantField(t, award(map[string]string{"user_id": rita.ID, "vote": "for"}), "panel", "the quorum is 2")
	d := Expect(t, award(map[string]string{"user_id": rita.ID, "vote": "for"}, map[string]string{"user_id": otto.ID, "vote": "for"}), 200).Map(t)
	acc := d["accreditation"].(map[string]any)
	if d["state"] != "awarded" || acc["level"] != "senior_practitioner" || len(d["decision"].(map[string]any)["panel"].([]any)) != 2 {
		t.Fatalf("decided: state %v, accreditation %v, decision %v", d["state"], acc, d["decision"])
	}
	reg := Expect(t, Retry(t, func(map[string]string) Response {
		return tm.in.Get(t, fmt.Sprintf("/api/v1/register/%s?min_seq=%d", acc["id"], int64(d["seq"].(float64))), "")
	}), 200).Map(t)
	if reg["valid"] != true || reg["accreditation"].(map[string]any)["level"] != "senior_practitioner" {
		t.Fatalf("the register: %v", reg)
	}
}
