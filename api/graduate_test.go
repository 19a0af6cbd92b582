package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheEQAGraduateRoute (issue 13 item 9): an EIA applicant names the
// EQA-accredited programme they graduated from, chosen from the register;
// the rule set's figures for graduates then apply to their case (here the
// office lowers two of them), the case records the programme and shows it
// by name. Only a programme in force on the register can be named.
func TestTheEQAGraduateRoute(t *testing.T) {
	tm := newTeam(t)
	programme := tm.awardedEQA(t)
	_, eiaAward := tm.awardedCase(t)

	route := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "years_practising", "values": map[string]any{"foundation": 1, "practitioner": 3, "senior_practitioner": 5, "master_practitioner": 7},
			"graduates": map[string]any{"practitioner": 2}, "source": "set by the office for graduates of EQA programmes"},
		{"name": "client_hours", "values": map[string]any{"foundation": 50, "practitioner": 100, "senior_practitioner": 250, "master_practitioner": 500},
			"graduates": map[string]any{"practitioner": 60}},
	}}
	set := Expect(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: tm.admin, Body: route}), 201).Map(t)
	for _, r := range set["rules"].([]any) {
		if r := r.(map[string]any); r["name"] == "client_hours" && r["graduates"].(map[string]any)["practitioner"] != 60.0 {
			t.Fatalf("the published rule shows graduates %v, want 60 at practitioner", r["graduates"])
		}
	}

	gina, id := tm.graduateCase(t)
	portfolio := eiaPortfolio()
	portfolio["first_practice_date"], portfolio["client_hours"] = "2024-01-15", 70
	unmet := func() map[string]any {
		t.Helper()
		out := map[string]any{}
		for _, u := range tm.get(t, "/api/v1/cases/"+id, gina.Token)["checklist"].([]any) {
			out[u.(map[string]any)["rule"].(string)] = u.(map[string]any)["required"]
		}
		return out
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", gina.Token, portfolio), 200)
	if u := unmet(); u["years_practising"] != 3.0 || u["client_hours"] != 100.0 {
		t.Fatalf("not a graduate: unmet %v, want 3 years and 100 hours", u)
	}

	for acc, why := range map[string]string{eiaAward: "not an EQA-accredited programme", "01J00000000000000000000000": "not an EQA-accredited programme",
		"the one in Utrecht": "an accreditation id"} {
		portfolio["eqa_programme"] = acc
		wantField(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", gina.Token, portfolio), "eqa_programme", why)
	}
	portfolio["eqa_programme"] = programme
	v := Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", gina.Token, portfolio), 200).Map(t)
	g, _ := v["graduate_programme"].(map[string]any)
	if v["portfolio"].(map[string]any)["eqa_programme"] != programme || g["accreditation_id"] != programme || g["name"] != "Coachopleiding Plus" || g["provider"] != "Academie Noord" || g["in_force"] != true {
		t.Fatalf("graduate_programme: got %v", v["graduate_programme"])
	}
	if u := unmet(); u["years_practising"] != nil || u["client_hours"] != nil {
		t.Fatalf("a graduate with 2 years and 70 hours: unmet %v, want neither rule", u)
	}
	// The rest of the application is as for anyone.
	Expect(t, tm.in.Upload(t, id, gina.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections", "categories": "1,2,3,4,5,6,7,8"}, "r.pdf", pdf, nil), 201)
	s := tm.post(t, "/api/v1/cases/"+id+"/submit", gina.Token, declared, 200)
	for _, r := range s["eligibility"].([]any) {
		if r := r.(map[string]any); r["rule"] == "client_hours" && (r["required"] != 60.0 || r["met"] != true) {
			t.Fatalf("eligibility recorded at submission: %v, want 60 hours required and met", r)
		}
	}

	// A programme's own portfolio names no programme.
	other := tm.openEQA(t)
	wantField(t, tm.in.Put(t, "/api/v1/cases/"+other+"/portfolio", tm.applicant.Token, map[string]any{"eqa_programme": programme}), "eqa_programme", "not part of an EQA portfolio")
	// Only EIA rules have graduates' figures.
	wantField(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: tm.admin, Body: map[string]any{
		"scheme": "EQA", "based_on": "eqa-2024-1", "effective_from": "2026-03-02",
		"rules": []map[string]any{{"name": "completed_cycles", "values": map[string]any{"foundation": 1}, "graduates": map[string]any{"foundation": 0}}},
	}}), "rules[0].graduates", "only EIA")
}

// TestAPastViewShowsTheProgrammeInForceThen: the office's view of a
// graduate's case as it stood on a date says whether the programme named
// was in force on that date, not today.
func TestAPastViewShowsTheProgrammeInForceThen(t *testing.T) {
	tm := newTeam(t)
	programme := tm.awardedEQA(t)

	gina, id := tm.graduateCase(t)
	portfolio := eiaPortfolio()
	portfolio["eqa_programme"] = programme
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", gina.Token, portfolio), 200)
	named := tm.clock.Now()

	tm.setClock(t, named.AddDate(5, 0, 2)) // the programme's accreditation has run out
	inForce := func(v map[string]any) any { return v["graduate_programme"].(map[string]any)["in_force"] }
	if got := inForce(tm.get(t, "/api/v1/cases/"+id, tm.admin)); got != false {
		t.Fatalf("today: in_force %v, want false", got)
	}
	then := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"?as_of="+url.QueryEscape(named.Format(time.RFC3339)), tm.admin), 200).Map(t)
	if got := inForce(then); got != true {
		t.Fatalf("as of the day it was named: in_force %v, want true", got)
	}
}

// TestARetriedPortfolioIsAnsweredAsTheFirstAfterItsProgrammeEnded: a
// portfolio naming an EQA programme, sent again with its Idempotency-Key
// (its answer lost) after the programme's accreditation was revoked, is
// answered as the first (200, its seq), not refused as a new portfolio
// naming it is ("not an EQA-accredited programme in force"); the same key
// with another body is refused.
func TestARetriedPortfolioIsAnsweredAsTheFirstAfterItsProgrammeEnded(t *testing.T) {
	tm := newTeam(t)
	programme := tm.awardedEQA(t)
	gina, id := tm.graduateCase(t)
	portfolio := eiaPortfolio()
	portfolio["eqa_programme"] = programme
	put := Request{Method: http.MethodPut, Path: "/api/v1/cases/" + id + "/portfolio", Token: gina.Token, Header: keyed("portfolio-1"), Body: portfolio}
	first := Expect(t, tm.in.Do(t, put), 200)
	tm.post(t, "/api/v1/accreditations/"+programme+"/revocation", tm.admin, map[string]string{"reason": "The programme no longer runs."}, 200)
	r := tm.in.Do(t, put)
	if r.Status != 200 || r.Header.Get("X-Accredit-Seq") != first.Header.Get("X-Accredit-Seq") {
		t.Fatalf("retried portfolio after its programme was revoked: got %d %s (seq %s), want 200 as the first (seq %s)",
			r.Status, r.Body, r.Header.Get("X-Accredit-Seq"), first.Header.Get("X-Accredit-Seq"))
	}
	other, changed := put, eiaPortfolio()
	changed["eqa_programme"], changed["client_hours"] = programme, 150
	other.Body = changed
	Expect(t, tm.in.Do(t, other), 422) // the key with another body
}

// awardedEQA takes the team's EQA case to an award at senior practitioner
// and returns its accreditation's id.
func (tm *team) awardedEQA(t *testing.T) string {
	t.Helper()
	eqa := tm.openEQA(t)
	tm.post(t, "/api/v1/cases/"+eqa+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, eqa)
	d := tm.post(t, "/api/v1/cases/"+eqa+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "senior_practitioner", "rationale": "Programme meets the level."}, 200)
	return d["accreditation"].(map[string]any)["id"].(string)
}

// graduateCase makes Gina, a new applicant, and opens her EIA
// practitioner case.
func (tm *team) graduateCase(t *testing.T) (User, string) {
	t.Helper()
	gina := tm.in.CreateUser(t, tm.admin, "applicant", "gina@example.org", "Gina Graduate")
	return gina, tm.post(t, "/api/v1/cases", gina.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
}
