package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAppealTermsComeFromTheCaseRuleSet: nobody publishes an appeal window
// or a number of appeals, so under the shipped rules a refusal has no
// appeal deadline and can be appealed again after a dismissal; once the
// office sets them in a version, a case pinned to it is held to them.
func TestAppealTermsComeFromTheCaseRuleSet(t *testing.T) {
	tm := newTeam(t)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	refuseAndAppeal := func(id string) map[string]any {
		t.Helper()
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		tm.toDecision(t, id)
		tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not yet at the level."}, 200)
		v := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)
		tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "My supervision log was overlooked."}, 200)
		tm.post(t, "/api/v1/cases/"+id+"/appeal/decision", rita.Token, map[string]string{"outcome": "dismissed", "rationale": "The log was read."}, 200)
		return v
	}

	shipped := tm.openEIA(t)
	v := refuseAndAppeal(shipped)
	next := v["next"].(map[string]any)
	if _, ok := v["appeal_deadline"]; ok || next["appeal"] != true || next["appeal_by"] != nil {
		t.Fatalf("under the shipped rules: appeal_deadline %v, next %v; want no deadline and the appeal open", v["appeal_deadline"], next)
	}
	if !strings.HasSuffix(v["next_step"].(string), "unless the applicant appeals") {
		t.Fatalf("next_step: %q", v["next_step"])
	}
	tm.post(t, "/api/v1/cases/"+shipped+"/appeal", tm.applicant.Token, map[string]string{"grounds": "And my CPD record."}, 200)

	terms := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "appeal_window_days", "values": map[string]any{"foundation": 30, "practitioner": 30, "senior_practitioner": 30, "master_practitioner": 30}},
		{"name": "appeals_per_decision", "values": map[string]any{"foundation": 1, "practitioner": 1, "senior_practitioner": 1, "master_practitioner": 1}},
	}}
	Expect(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: tm.admin, Body: terms}), 201)
	set := tm.openEIA(t)
	v = refuseAndAppeal(set)
	decided, err := time.Parse(time.RFC3339, v["decision"].(map[string]any)["at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if want := decided.AddDate(0, 0, 30).UTC().Format(time.RFC3339); v["appeal_deadline"] != want || v["next"].(map[string]any)["appeal_by"] != want {
		t.Fatalf("under the office's version: appeal_deadline %v, next %v; want %s", v["appeal_deadline"], v["next"], want)
	}
	p := Expect(t, tm.in.Post(t, "/api/v1/cases/"+set+"/appeal", tm.applicant.Token, map[string]string{"grounds": "Again."}), 409).Map(t)
	if !strings.Contains(p["detail"].(string), "already been appealed") {
		t.Fatalf("a second appeal under 'once': %v", p)
	}
}

// TestAnAppealLimitOf0IsRefused: a decision records its appeal terms with 0
// as unset (no limit, no deadline), so the office publishing 0 is refused,
// naming the figure: left empty, there is no limit.
func TestAnAppealLimitOf0IsRefused(t *testing.T) {
	tm := newTeam(t)
	for _, rule := range []string{"appeals_per_decision", "appeal_window_days"} {
		body := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
			{"name": rule, "values": map[string]any{"foundation": 1, "practitioner": 0}},
		}}
		wantField(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: tm.admin, Body: body}),
			"rules[0].values.practitioner", "leave it empty for no limit")
	}
}

// TestThePanelQuorumComesFromTheCaseRuleSet: nobody publishes a quorum, so
// it ships unset (a panel of one); once the office sets 2 in a version, a
// case pinned to it is decided by two or more, and a smaller panel is
// refused naming the quorum.
func TestThePanelQuorumComesFromTheCaseRuleSet(t *testing.T) {
	tm := newTeam(t)
	quorum := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "panel_quorum", "values": map[string]any{"foundation": 2, "practitioner": 2, "senior_practitioner": 2, "master_practitioner": 2}},
	}}
	Expect(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: tm.admin, Body: quorum}), 201)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Panel")
	otto := tm.in.CreateUser(t, tm.admin, "office", "otto@example.org", "Otto Panel")
	decide := func(panel ...map[string]string) Response {
		t.Helper()
		return tm.in.Post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]any{"outcome": "not_awarded", "rationale": "Not yet at the level.", "panel": panel})
	}
	wantField(t, decide(), "panel", "the quorum is 2")
	wantField(t, decide(map[string]string{"user_id": rita.ID, "vote": "for"}), "panel", "the quorum is 2")
	d := Expect(t, decide(map[string]string{"user_id": rita.ID, "vote": "for"}, map[string]string{"user_id": otto.ID, "vote": "for"}), 200).Map(t)
	if p := d["decision"].(map[string]any)["panel"].([]any); len(p) != 2 {
		t.Fatalf("panel: got %v, want Rita and Otto", p)
	}
}

// TestAnAccreditationReplacedAfterAnAppealIsNotTheNewOne: an award at a
// lower level, appealed and upheld back to the decision, is withdrawn and a
// new accreditation awarded; the first one's id no longer leads to the case's
// accreditation: reading it, revoking it, renewing it or withdrawing it is
// refused as not found, naming the accreditation in force, and the new one
// is untouched. Revoking the first id once revoked the second.
func TestAnAccreditationReplacedAfterAnAppealIsNotTheNewOne(t *testing.T) {
	tm := newTeam(t)
	_, first, second := tm.replacedAfterAppeal(t)
	if second == first {
		t.Fatalf("the new award kept the first id %s", first)
	}

	refused := func(r Response) {
		t.Helper()
		if p := Expect(t, r, http.StatusNotFound).Map(t); !strings.Contains(p["detail"].(string), second) {
			t.Fatalf("refusal names no accreditation in force: %v", p)
		}
	}
	refused(tm.in.Get(t, "/api/v1/accreditations/"+first, tm.admin))
	refused(tm.in.Post(t, "/api/v1/accreditations/"+first+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint about the first award."}))
	refused(tm.in.Post(t, "/api/v1/accreditations/"+first+"/withdrawal", tm.applicant.Token, map[string]string{"reason": "I give up the first award."}))
	refused(tm.in.Post(t, "/api/v1/accreditations/"+first+"/renewal", tm.applicant.Token, eiaRenewalBody()))
	a := tm.get(t, "/api/v1/accreditations/"+second, tm.admin)["accreditation"].(map[string]any)
	if a["id"] != second || a["status"] != "active" {
		t.Fatalf("the accreditation in force: %v", a)
	}
}

// TestANewAssessorAfterAnAppealSeesNoEarlierRecommendation: an appeal
// upheld back to assessment starts a new round; the verifier who takes the
// role then must assess without knowing what the first round recommended,
// in the case's history as in its view, before and after their own
// assessment. The assessor who assessed in both rounds still reads the
// first round's record, and the office all of it.
func TestANewAssessorAfterAnAppealSeesNoEarlierRecommendation(t *testing.T) {
	tm := newTeam(t)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", map[int][]int{1: {31}}), "award", "Consistent evidence."), 200)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("partially_evidenced", nil), "not_award", "Too thin."), 200)
	tm.post(t, "/api/v1/cases/"+id+"/moderation", tm.admin, map[string]string{"recommendation": "not_award", "rationale": "The moderator sides with the verifier."}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not enough depth."}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "The assessors missed category 2."}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "Reassess.", "return_to": "assessment"}, 200)
	vera := tm.newAssessor(t, "vera@example.org", "Vera Verifier")
	vera.Token = tm.in.Login(t, vera.Email, vera.Password)
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/assignments/verifier", tm.admin, map[string]string{"assessor_id": vera.ID, "reason": "Fresh eyes for the appeal."}), 200)

	firstRound := []string{"Consistent evidence.", "Too thin.", `"assessor_recommendation":"award"`, "The moderator sides with the verifier."}
	history := func(tok string) string {
		return string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tok), 200).Body)
	}
	unseen := func(when string) {
		t.Helper()
		h := history(vera.Token)
		for _, s := range firstRound {
			if strings.Contains(h, s) {
				t.Errorf("%s: the new verifier's history shows the first round's %s", when, s)
			}
		}
	}
	unseen("before assessing")
	if v := tm.get(t, "/api/v1/cases/"+id, vera.Token); len(asSlice(v["assessments"])) != 0 {
		t.Fatalf("the new verifier's view: %v", v["assessments"])
	}
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Still consistent."), 200)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", vera.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Agreed on a fresh read."), 200)
	unseen("after both assessments of the second round")
	if h := history(vera.Token); !strings.Contains(h, "Still consistent.") || !strings.Contains(h, "Agreed on a fresh read.") {
		t.Fatalf("the new verifier does not see the second round's assessments: %s", h)
	}
	for who, tok := range map[string]string{"the assessor of both rounds": tm.assessor.Token, "the office": tm.admin} {
		h := history(tok)
		for _, s := range firstRound {
			if !strings.Contains(h, s) {
				t.Errorf("%s does not read the first round's %s", who, s)
			}
		}
	}
}

// TestAnUpheldAppealGivesTheNewDecisionTheServiceLevel: a case decided,
// appealed and upheld back to assessment months after its submission is
// due the service level (91 days) after the appeal's decision, not overdue
// at once: in the office's queue, its figures and the case view, and so
// after a restart from the read models' snapshot.
func TestAnUpheldAppealGivesTheNewDecisionTheServiceLevel(t *testing.T) {
	tm := newTeam(t)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not enough depth."}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "The assessors missed category 2."}, 200)
	tm.setClock(t, tm.clock.Now().Add(120*24*time.Hour)) // past the service level from the submission
	rita.Token = tm.in.Login(t, rita.Email, rita.Password)
	tm.post(t, "/api/v1/cases/"+id+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "Reassess.", "return_to": "assessment"}, 200)
	due := tm.clock.Now().Add(91 * 24 * time.Hour).Format(time.RFC3339)
	tm.in.Restart(t) // the read models from their snapshot
	tm.setClock(t, tm.clock.Now())

	queued := func() map[string]any { return tm.queued(t, id) }
	overdue := func() any { return tm.overdueCount(t) }
	if it := queued(); it["due_at"] != due || it["overdue"] != false || overdue() != 0.0 {
		t.Fatalf("upheld back to assessment: due_at %v, overdue %v (stats %v); want %s, false, 0", it["due_at"], it["overdue"], overdue(), due)
	}
	if c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token); c["expected_decision_by"] != due {
		t.Fatalf("upheld: expected_decision_by %v, want %s", c["expected_decision_by"], due)
	}
	tm.setClock(t, tm.clock.Now().Add(92*24*time.Hour))
	if it := queued(); it["overdue"] != true || overdue() != 1.0 {
		t.Fatalf("92 days after the appeal's decision: overdue %v (stats %v), want true, 1", it["overdue"], overdue())
	}
}

// replacedAfterAppeal is a case awarded at foundation, appealed, upheld back
// to the decision by Rita Reviewer, and awarded at practitioner: the first
// accreditation and the one that replaced it.
func (tm *team) replacedAfterAppeal(t *testing.T) (caseID, first, second string) {
	t.Helper()
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "foundation", "rationale": "One level lower."}, 200)
	first = d["accreditation"].(map[string]any)["id"].(string)
	tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "My supervision log shows the practitioner level."}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "It does.", "return_to": "decision"}, 200)
	d = tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the practitioner level."}, 200)
	second = d["accreditation"].(map[string]any)["id"].(string)
	return id, first, second
}
