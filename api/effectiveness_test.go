package api_test

import (
	"fmt"
	"net/http"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// awardedProgramme takes an EQA case of provider (opened by them) to an
// award and returns the accreditation id.
func (tm *team) awardedProgramme(t *testing.T, provider User, name string) string {
	t.Helper()
	_, acc := tm.programmeAwardedAt(t, provider, name, "practitioner")
	return acc
}

// programmeAwardedAt takes an EQA practitioner case of provider to an
// award at level and returns the case id and the accreditation id.
func (tm *team) programmeAwardedAt(t *testing.T, provider User, name, level string) (string, string) {
	t.Helper()
	c := tm.post(t, "/api/v1/cases", provider.Token, map[string]any{"scheme": "EQA", "level": "practitioner", "language": "en",
		"programme": map[string]string{"name": name, "provider": "Provider of " + name}}, 201)
	id := c["id"].(string)
	var curriculum []map[string]any
	for cat := 1; cat <= 8; cat++ {
		curriculum = append(curriculum, map[string]any{"category": cat, "description": fmt.Sprintf("Module %d", cat)})
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", provider.Token, map[string]any{"contact_hours": 150, "completed_cycles": 2, "curriculum": curriculum}), 200)
	Expect(t, tm.in.Upload(t, id, provider.Token, map[string]string{"kind": "programme_document", "title": "Curriculum", "categories": "1,2,3,4,5,6,7,8"}, "curriculum.md", []byte("# Curriculum"), nil), 201)
	tm.post(t, "/api/v1/cases/"+id+"/submit", provider.Token, declared, 200)
	tm.toDecision(t, id)
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": level, "rationale": "Meets the level."}, 200)
	// The read side has the award before the caller reads the programmes
	// (a read with no min_seq waits for nothing).
	tm.readAt(t, "/api/v1/register", "", d["seq"].(float64))
	return id, d["accreditation"].(map[string]any)["id"].(string)
}

// graduate is a new applicant who names programme in an EIA practitioner
// case, rated rating in every category by both assessors and awarded; it
// returns the graduate and the id of their award.
func (tm *team) graduate(t *testing.T, n int, programme, rating string) (User, string) {
	t.Helper()
	u := tm.in.CreateUser(t, tm.admin, "applicant", fmt.Sprintf("graduate%d@example.org", n), fmt.Sprintf("Graduate %d", n))
	id := tm.post(t, "/api/v1/cases", u.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
	p := eiaPortfolio()
	p["eqa_programme"] = programme
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", u.Token, p), 200)
	Expect(t, tm.in.Upload(t, id, u.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections", "categories": "1,2,3,4,5,6,7,8"}, "r.pdf", pdf, nil), 201)
	tm.post(t, "/api/v1/cases/"+id+"/submit", u.Token, declared, 200)
	tm.toAssessment(t, id)
	for _, a := range []User{tm.assessor, tm.verifier} {
		tm.post(t, "/api/v1/cases/"+id+"/assessments", a.Token, map[string]any{"ratings": allRatings(rating, nil), "recommendation": "award", "rationale": "Fine."}, 200)
	}
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}, 200)
	// The read side has the graduate's award before the caller reads the
	// programme's figures (a read with no min_seq waits for nothing).
	tm.readAt(t, "/api/v1/register", "", d["seq"].(float64))
	return u, d["accreditation"].(map[string]any)["id"].(string)
}

// TestAProgrammesEffectivenessIsItsProvidersAndTheOffices (issue 16 item
// 4): the provider of a programme sees its graduates' figures once 5
// graduates have a decided case, none with 4; the provider of another
// programme, a graduate, an assessor and anyone not logged in do not; the
// office sees every programme. The list of programmes is each caller's own.
func TestAProgrammesEffectivenessIsItsProvidersAndTheOffices(t *testing.T) {
	tm := newTeam(t)
	carla := tm.applicant
	olga := tm.in.CreateUser(t, tm.admin, "applicant", "olga@example.org", "Olga Other")
	mine := tm.awardedProgramme(t, carla, "Coaching Essentials")
	theirs := tm.awardedProgramme(t, olga, "Mentoring Masterclass")
	path := func(acc string) string { return "/api/v1/programmes/" + acc + "/effectiveness" }

	var grad User
	var gradAward string
	for i := range 4 {
		grad, gradAward = tm.graduate(t, i, mine, "evidenced")
	}
	v := tm.get(t, path(mine), carla.Token)
	if v["graduates_shown"] != false || v["graduates"] != nil || v["programme"] != "Coaching Essentials" || v["min_graduates"] != 5.0 {
		t.Fatalf("4 graduates: got %v, want the count hidden", v)
	}
	for _, c := range v["categories"].([]any) {
		if c := c.(map[string]any); c["shown"] != false || c["parts"] != nil || c["count"] != nil {
			t.Fatalf("4 graduates: category %v, want hidden", c)
		}
	}
	if len(v["outcomes"].([]any)) != 0 || v["time_to_award"].(map[string]any)["shown"] != false {
		t.Fatalf("4 graduates: outcomes %v, time to award %v, want hidden", v["outcomes"], v["time_to_award"])
	}

	tm.graduate(t, 4, mine, "evidenced")
	v = tm.get(t, path(mine), carla.Token)
	if v["graduates_shown"] != true || v["graduates"] != 5.0 {
		t.Fatalf("5 graduates: got %v shown %v, want 5", v["graduates"], v["graduates_shown"])
	}
	c1 := v["categories"].([]any)[0].(map[string]any)
	if c1["shown"] != true || c1["count"] != 10.0 {
		t.Fatalf("5 graduates: category 1 %v, want 10 ratings shown", c1)
	}
	if o := v["outcomes"].([]any); len(o) != 1 || o[0].(map[string]any)["count"] != 5.0 {
		t.Fatalf("5 graduates: outcomes %v, want 5 practitioner cases", o)
	}
	if tt := v["time_to_award"].(map[string]any); tt["shown"] != true || tt["count"] != 5.0 {
		t.Fatalf("5 graduates: time to award %v", tt)
	}
	if office := tm.get(t, path(mine), tm.admin); office["graduates"] != 5.0 {
		t.Fatalf("the office: got %v, want the same figures", office["graduates"])
	}
	if other := tm.get(t, path(theirs), olga.Token); other["graduates_shown"] != false || other["programme"] != "Mentoring Masterclass" {
		t.Fatalf("Olga's own programme: got %v", other)
	}

	// Who may not.
	for _, tc := range []struct {
		who, token, acc string
		want            int
	}{
		{"the provider of another programme", olga.Token, mine, 404},
		{"a provider, of another's programme", carla.Token, theirs, 404},
		{"a graduate", grad.Token, mine, 404},
		{"a graduate, of their own EIA award", grad.Token, gradAward, 404},
		{"the office, of an EIA award", tm.admin, gradAward, 404},
		{"the office, of no accreditation", tm.admin, "01J00000000000000000000000", 404},
		{"an assessor", tm.assessor.Token, mine, 403},
		{"anyone not logged in", "", mine, 401},
	} {
		r := Expect(t, tm.in.Get(t, path(tc.acc), tc.token), tc.want)
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: content type %q, want a problem", tc.who, ct)
		}
	}

	list := func(token string) []string {
		t.Helper()
		var out []string
		for _, p := range tm.get(t, "/api/v1/programmes", token)["programmes"].([]any) {
			out = append(out, p.(map[string]any)["accreditation_id"].(string))
		}
		return out
	}
	if got := list(carla.Token); len(got) != 1 || got[0] != mine {
		t.Fatalf("Carla's programmes: got %v, want %s", got, mine)
	}
	if got := list(olga.Token); len(got) != 1 || got[0] != theirs {
		t.Fatalf("Olga's programmes: got %v, want %s", got, theirs)
	}
	if got := list(grad.Token); len(got) != 0 {
		t.Fatalf("a graduate's programmes: got %v, want none", got)
	}
	if got := list(tm.admin); len(got) != 2 {
		t.Fatalf("the office's programmes: got %v, want both", got)
	}
	Expect(t, tm.in.Get(t, "/api/v1/programmes", tm.assessor.Token), 403)
	Expect(t, tm.in.Do(t, Request{Method: http.MethodGet, Path: "/api/v1/programmes"}), 401)
}

// TestAProgrammeReplacedAfterAnAppealIsListedOnce: an EQA award at a lower
// level, appealed and upheld back to the decision, is withdrawn and a new
// accreditation awarded. The list of programmes gives the one in force,
// not the one it replaced beside it; a graduate who named the first before
// the appeal still counts in its figures, and no one names it any more.
func TestAProgrammeReplacedAfterAnAppealIsListedOnce(t *testing.T) {
	tm := newTeam(t)
	carla := tm.applicant
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	programme, first := tm.programmeAwardedAt(t, carla, "Coaching Essentials", "foundation")
	tm.graduate(t, 1, first, "evidenced")
	tm.post(t, "/api/v1/cases/"+programme+"/appeal", carla.Token, map[string]string{"grounds": "Our cohorts meet the practitioner level."}, 200)
	tm.post(t, "/api/v1/cases/"+programme+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "They do.", "return_to": "decision"}, 200)
	d := tm.post(t, "/api/v1/cases/"+programme+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the practitioner level."}, 200)
	second := d["accreditation"].(map[string]any)["id"].(string)

	for who, token := range map[string]string{"the office": tm.admin, "the provider": carla.Token} {
		list := tm.readAt(t, "/api/v1/programmes", token, d["seq"].(float64))["programmes"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["accreditation_id"] != second || list[0].(map[string]any)["status"] != "active" {
			t.Fatalf("%s's programmes: got %v, want %s alone, active", who, list, second)
		}
	}
	figures := tm.get(t, "/api/v1/programmes/"+first+"/effectiveness", tm.admin)
	if figures["status"] != "withdrawn" || figures["graduates_shown"] != false {
		t.Fatalf("the first accreditation's figures: got %v, want withdrawn, with its graduate not shown alone", figures)
	}

	gina := tm.in.CreateUser(t, tm.admin, "applicant", "gina@example.org", "Gina Graduate")
	id := tm.post(t, "/api/v1/cases", gina.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
	p := eiaPortfolio()
	p["eqa_programme"] = first
	wantField(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", gina.Token, p), "eqa_programme", "")
	p["eqa_programme"] = second
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", gina.Token, p), 200)
}

// TestTheProgrammeInForceCountsTheGraduatesOfTheOneItReplaced: three
// graduates named a programme's first accreditation, which an appeal
// upheld back to the decision replaced by a second; two name the second.
// The programme, listed once as the second, rests on all five: its
// figures are shown, not split into two halves each hidden as too small.
func TestTheProgrammeInForceCountsTheGraduatesOfTheOneItReplaced(t *testing.T) {
	tm := newTeam(t)
	carla := tm.applicant
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	programme, first := tm.programmeAwardedAt(t, carla, "Coaching Essentials", "foundation")
	for i := range 3 {
		tm.graduate(t, i, first, "evidenced")
	}
	tm.post(t, "/api/v1/cases/"+programme+"/appeal", carla.Token, map[string]string{"grounds": "Our cohorts meet the practitioner level."}, 200)
	tm.post(t, "/api/v1/cases/"+programme+"/appeal/decision", rita.Token, map[string]string{"outcome": "upheld", "rationale": "They do.", "return_to": "decision"}, 200)
	d := tm.post(t, "/api/v1/cases/"+programme+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the practitioner level."}, 200)
	second := d["accreditation"].(map[string]any)["id"].(string)
	for i := 3; i < 5; i++ {
		tm.graduate(t, i, second, "evidenced")
	}

	for who, token := range map[string]string{"the office": tm.admin, "the provider": carla.Token} {
		v := tm.get(t, "/api/v1/programmes/"+second+"/effectiveness", token)
		if v["graduates_shown"] != true || v["graduates"] != 5.0 {
			t.Fatalf("%s, the programme in force: graduates %v shown %v, want 5 shown", who, v["graduates"], v["graduates_shown"])
		}
		if c1 := v["categories"].([]any)[0].(map[string]any); c1["shown"] != true || c1["count"] != 10.0 {
			t.Fatalf("%s, category 1: got %v, want the 10 ratings of the 5 graduates", who, c1)
		}
		list := tm.get(t, "/api/v1/programmes", token)["programmes"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["graduates"] != 5.0 {
			t.Fatalf("%s's list of programmes: got %v, want the one in force with 5 graduates", who, list)
		}
	}
	// The replaced accreditation's own figures are its own graduates'.
	if v := tm.get(t, "/api/v1/programmes/"+first+"/effectiveness", tm.admin); v["graduates_shown"] != false {
		t.Fatalf("the replaced accreditation: got %v, want its 3 graduates hidden", v)
	}
}
