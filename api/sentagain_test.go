package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestEveryCommandSentAgainIsTheFirst walks cases through their lives with
// every command sent twice with one Idempotency-Key, the second once the
// first is answered (its answer lost): the second is answered as the first
// (status, ETag, X-Accredit-Seq), whatever the first changed since.
func TestEveryCommandSentAgainIsTheFirst(t *testing.T) {
	tm := newTeam(t)
	n := 0
	twice := func(method, path, token string, body any, want int) Response {
		t.Helper()
		n++
		r := Request{Method: method, Path: path, Token: token, Body: body, Header: keyed(fmt.Sprint("again-", n))}
		first := Expect(t, tm.in.Do(t, r), want)
		again := tm.in.Do(t, r)
		if again.Status != first.Status || again.Header.Get("ETag") != first.Header.Get("ETag") || again.Header.Get("X-Accredit-Seq") != first.Header.Get("X-Accredit-Seq") {
			t.Errorf("%s %s sent again: %d %s seq %s, first %d %s seq %s: %.300s", method, path, again.Status, again.Header.Get("ETag"), again.Header.Get("X-Accredit-Seq"),
				first.Status, first.Header.Get("ETag"), first.Header.Get("X-Accredit-Seq"), again.Body)
		}
		return first
	}
	app := tm.applicant.Token
	c := twice("POST", "/api/v1/cases", app, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201).Map(t)
	id := c["id"].(string)
	p := "/api/v1/cases/" + id
	twice("PUT", p+"/portfolio", app, eiaPortfolio(), 200)
	ev := Expect(t, tm.in.Upload(t, id, app, map[string]string{"kind": "reflective_statement", "title": "R", "categories": "1,2", "indicators": "31"}, "r.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")
	ev2 := Expect(t, tm.in.Upload(t, id, app, map[string]string{"kind": "reflective_statement", "title": "S", "categories": "1", "indicators": "31"}, "s.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")
	twice("PUT", p+"/evidence/"+ev, app, map[string]any{"kind": "learning_journal", "title": "J", "categories": []int{1, 2}, "indicators": []int{31}}, 200)
	twice("DELETE", p+"/evidence/"+ev2, app, nil, 200)
	var cats []map[string]any
	for cat := 3; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": "S"})
	}
	twice("PUT", p+"/self-assessment", app, map[string]any{"categories": cats}, 200)
	twice("POST", p+"/submit", app, declared, 200)
	twice("POST", p+"/screening", tm.admin, map[string]string{"outcome": "returned", "reason": "More."}, 200)
	twice("POST", p+"/submit", app, declared, 200)
	twice("POST", p+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
	twice("POST", p+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
	twice("POST", p+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}, 200)
	nina := tm.newAssessor(t, "nina@example.org", "Nina New")
	twice("PUT", p+"/assignments/verifier", tm.admin, map[string]any{"assessor_id": nina.ID, "reason": "Fresh eyes."}, 200)
	twice("POST", p+"/assignments/verifier/unassignment", tm.admin, map[string]any{"reason": "Away."}, 200)
	twice("POST", p+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}, 200)
	twice("POST", p+"/information-requests", tm.assessor.Token, map[string]string{"questions": "Which?"}, 200)
	twice("POST", p+"/information-responses", app, map[string]string{"answer": "That."}, 200)
	twice("POST", p+"/assessments", tm.assessor.Token, map[string]any{"ratings": allRatings("evidenced", nil), "recommendation": "award", "rationale": "Yes."}, 200)
	twice("POST", p+"/assessments", tm.verifier.Token, map[string]any{"ratings": allRatings("partially_evidenced", nil), "recommendation": "not_award", "rationale": "No."}, 200)
	twice("POST", p+"/moderation", tm.admin, map[string]string{"recommendation": "not_award", "rationale": "No."}, 200)
	twice("POST", p+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "No."}, 200)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	twice("POST", p+"/appeal", app, map[string]string{"grounds": "Overlooked."}, 200)
	twice("POST", p+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "It was.", "return_to": "decision"}, 200)
	d := twice("POST", p+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Yes."}, 200).Map(t)
	acc := "/api/v1/accreditations/" + d["accreditation"].(map[string]any)["id"].(string)
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	app = tm.applicant.Token
	twice("POST", acc+"/renewal", app, eiaRenewalBody(), 200)
	twice("POST", acc+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": nina.ID}, 200)
	nina.Token = tm.in.Login(t, nina.Email, nina.Password)
	twice("POST", acc+"/renewal/assessment", nina.Token, map[string]string{"outcome": "renew", "rationale": "Fine."}, 200)
	twice("POST", acc+"/withdrawal", app, map[string]string{"reason": "Retiring."}, 200)

	senior := tm.openSenior(t)
	tm.toAssessment(t, senior)
	at := tm.clock.Now().Add(48 * time.Hour).Truncate(time.Minute)
	twice("POST", "/api/v1/cases/"+senior+"/interview", tm.assessor.Token, map[string]any{"at": at, "place": "https://meet.example.org/x"}, 200)
	tm.setClock(t, at.Add(2*time.Hour))
	twice("POST", "/api/v1/cases/"+senior+"/interview/record", tm.assessor.Token, map[string]any{"notes": "Reflective.", "observations": []map[string]any{{"category": 4, "notes": "Trust."}}}, 200)
	twice("POST", "/api/v1/cases/"+senior+"/withdraw", tm.applicant.Token, map[string]string{"reason": "Later."}, 200)

	u := twice("POST", "/api/v1/users", tm.admin, map[string]string{"email": "made@example.org", "name": "Made", "role": "assessor", "password": "password-of-made"}, 201).Map(t)
	up := "/api/v1/users/" + u["id"].(string)
	twice("PUT", up+"/assessor-profile", tm.admin, map[string]any{"schemes": []string{"EIA"}, "max_level": "practitioner", "languages": []string{"en"}, "conflicts": []string{}}, 200)
	twice("POST", up+"/disable", tm.admin, map[string]string{"reason": "left"}, 200)
	twice("POST", up+"/enable", tm.admin, map[string]string{"reason": "back"}, 200)
	twice("POST", up+"/sessions/revocation", tm.admin, nil, 200)
	twice("POST", up+"/erasure", tm.admin, map[string]string{"reason": "asked"}, 200)
	twice("POST", "/api/v1/me/self-checks", tm.applicant.Token, map[string]any{"ratings": foundationRatings()}, 201)
	twice("POST", "/api/v1/auth/register", "", map[string]string{"email": "reg@example.org", "password": "a long enough password", "name": "Reg"}, 201)
	twice("POST", "/api/v1/me/password", tm.applicant.Token, map[string]string{"current_password": tm.applicant.Password, "new_password": "a fresh long passphrase"}, 204)
	_ = http.MethodGet
}
