package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// team is the three roles of a journey, logged in as real users.
type team struct {
	in                 *Instance
	clock              *Clock
	admin              string
	applicant          User
	assessor, verifier User
}

func newTeam(t *testing.T, mutate ...func(*app.Config)) *team {
	t.Helper()
	return newTeamWith(t, app.Options{}, mutate...)
}

// newTeamWith is newTeam on an accreditd started with opt (its clock is
// the team's).
func newTeamWith(t *testing.T, opt app.Options, mutate ...func(*app.Config)) *team {
	t.Helper()
	clock := NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cfg := Config(t.TempDir())
	for _, m := range mutate {
		m(&cfg)
	}
	opt.Now = clock.Now
	in := StartWith(t, cfg, opt)
	tm := &team{in: in, clock: clock, admin: in.AdminToken(t)}
	r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "carla@example.org", "password": "carla's long password", "name": "Carla Coach"}), 201)
	tm.applicant = User{ID: r.Map(t)["id"].(string), Email: "carla@example.org", Password: "carla's long password", Name: "Carla Coach"}
	tm.applicant.Token = in.Login(t, tm.applicant.Email, tm.applicant.Password)
	tm.assessor = tm.newAssessor(t, "anna@example.org", "Anna Assessor")
	tm.verifier = tm.newAssessor(t, "victor@example.org", "Victor Verifier")
	return tm
}

func (tm *team) newAssessor(t *testing.T, email, name string, conflicts ...string) User {
	t.Helper()
	u := tm.in.CreateUser(t, tm.admin, "assessor", email, name)
	if conflicts == nil {
		conflicts = []string{}
	}
	Expect(t, tm.in.Put(t, "/api/v1/users/"+u.ID+"/assessor-profile", tm.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": conflicts}), 200)
	return u
}

// setClock moves time on; logins last 12 hours, so everyone logs in again.
func (tm *team) setClock(t *testing.T, at time.Time) {
	t.Helper()
	tm.clock.Set(at)
	tm.admin = tm.in.AdminToken(t)
	for _, u := range []*User{&tm.applicant, &tm.assessor, &tm.verifier} {
		u.Token = tm.in.Login(t, u.Email, u.Password)
	}
}

func (tm *team) post(t *testing.T, path, token string, body any, want int) map[string]any {
	t.Helper()
	return Expect(t, tm.in.Post(t, path, token, body), want).Map(t)
}

func (tm *team) get(t *testing.T, path, token string) map[string]any {
	t.Helper()
	return Expect(t, tm.in.Get(t, path, token), 200).Map(t)
}

// declared is the body of a submission that confirms every declaration.
var declared = map[string]any{"declarations": []string{"code_of_ethics", "diversity"}}

var pdf = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func eiaPortfolio() map[string]any {
	return map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6,
		"reflection_items_last_12m": 5, "professional_body_member": true}
}

func allRatings(rating string, indicators map[int][]int) []map[string]any {
	var out []map[string]any
	for cat := 1; cat <= 8; cat++ {
		out = append(out, map[string]any{"category": cat, "rating": rating, "indicators": indicators[cat], "notes": fmt.Sprintf("notes on category %d", cat)})
	}
	return out
}

// allAreas rates every EQA review area, in the review's order.
func allAreas(rating string) []map[string]any {
	var out []map[string]any
	for _, a := range []string{"course_content", "learner_experience", "tutor_effectiveness", "student_assessment", "quality_systems"} {
		out = append(out, map[string]any{"area": a, "rating": rating, "notes": "notes on " + a})
	}
	return out
}

// openEIA opens an EIA practitioner case and fills it so it can be submitted.
func (tm *team) openEIA(t *testing.T) string {
	t.Helper()
	c := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)
	id := c["id"].(string)
	if c["state"] != "draft" || c["version"].(float64) != 1 || c["seq"].(float64) < 1 {
		t.Fatalf("opened case: got %v", c)
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, eiaPortfolio()), 200)
	up := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1,2", "indicators": "31,34"}, "reflections.pdf", pdf, nil), 201).Map(t)
	if len(up["evidence"].([]any)) != 1 {
		t.Fatalf("evidence after upload: got %v", up["evidence"])
	}
	var cats []map[string]any
	for cat := 3; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("How I work on category %d", cat)})
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 200)
	return id
}

// toAssessment takes a submitted case through screening to both roles
// assigned: it is in assessment.
func (tm *team) toAssessment(t *testing.T, id string) {
	t.Helper()
	tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}, 200)
}

// assessmentBody is an assessment recommending rec; on an EQA case it rates
// the review areas too.
func (tm *team) assessmentBody(t *testing.T, id string, ratings []map[string]any, rec, rationale string) map[string]any {
	t.Helper()
	body := map[string]any{"ratings": ratings, "recommendation": rec, "rationale": rationale}
	if tm.get(t, "/api/v1/cases/"+id, tm.admin)["scheme"] == "EQA" {
		body["review_areas"] = allAreas("evidenced")
	}
	return body
}

// toDecision takes a submitted case through screening and both assessments.
func (tm *team) toDecision(t *testing.T, id string) {
	t.Helper()
	tm.toAssessment(t, id)
	a := tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", map[int][]int{1: {31}}),
		"award", "Consistent practitioner-level evidence."), 200)
	if len(a["assessments"].([]any)) != 1 {
		t.Fatalf("assessor sees %d assessments, want their own", len(a["assessments"].([]any)))
	}
	// Independence: the verifier does not see the assessor's assessment yet.
	v := tm.get(t, "/api/v1/cases/"+id, tm.verifier.Token)
	if len(v["assessments"].([]any)) != 0 {
		t.Fatalf("verifier sees the assessor's assessment before submitting: %v", v["assessments"])
	}
	h := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tm.verifier.Token), 200).Body)
	if strings.Contains(h, "Consistent practitioner-level evidence") {
		t.Fatal("the history shows the verifier the assessor's rationale before both are in")
	}
	d := tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Agree."), 200)
	if d["state"] != "awaiting_decision" || len(d["assessments"].([]any)) != 2 {
		t.Fatalf("after both assessments: state %v, %d assessments", d["state"], len(d["assessments"].([]any)))
	}
}

func TestEIAJourneyFromOpenToAwardRenewalAndExpiry(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	c := tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	if c["state"] != "submitted" || c["rule_set"] == "" {
		t.Fatalf("submitted: got state %v rule set %v", c["state"], c["rule_set"])
	}
	tm.toDecision(t, id)
	// The decision is the office's: an assessor cannot take it.
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/decision", tm.assessor.Token, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "x"}), 403)
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the practitioner level."}, 200)
	acc := d["accreditation"].(map[string]any)
	if d["state"] != "awarded" || acc["status"] != "active" || acc["level"] != "practitioner" {
		t.Fatalf("decision: got state %v accreditation %v", d["state"], acc)
	}
	if !strings.HasPrefix(acc["valid_until"].(string), "2031-03-02") {
		t.Fatalf("valid until: got %v, want five years on", acc["valid_until"])
	}
	accID := acc["id"].(string)
	// The applicant now sees both assessments and the rationale in clear.
	mine := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)
	if len(mine["assessments"].([]any)) != 2 || mine["decision"].(map[string]any)["rationale"] != "Meets the practitioner level." {
		t.Fatalf("applicant after decision: %v %v", mine["assessments"], mine["decision"])
	}
	got := tm.get(t, "/api/v1/accreditations/"+accID, tm.applicant.Token)
	if got["case_id"] != id {
		t.Fatalf("accreditation: got %v", got)
	}
	// Renewal: short of the supervision the rules ask in a year, then met
	// in the months before the end (no renewal window is set: any time
	// before), assessed by one assessor.
	short := eiaRenewalBody()
	short["years"].([]map[string]any)[2]["supervision_hours"] = 2
	delete(short, "declarations")
	p := Expect(t, tm.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, short), 422).Map(t)
	if got := fmt.Sprint(p["unmet"]); !strings.Contains(got, "renewal_supervision_hours_last_year") || !strings.Contains(got, "declaration_code_of_ethics") || !strings.Contains(got, "declaration_diversity") {
		t.Fatalf("renewal short of the rules and unconfirmed: unmet %s", got)
	}
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, eiaRenewalBody(), 200)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": tm.verifier.ID}, 200)
	r := tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", tm.verifier.Token, map[string]string{"outcome": "renew", "rationale": "Five years evidenced."}, 200)
	if !strings.HasPrefix(r["accreditation"].(map[string]any)["valid_until"].(string), "2036-03-02") {
		t.Fatalf("renewed until: got %v, want 2036-03-02", r["accreditation"].(map[string]any)["valid_until"])
	}
	// Expiry is time-driven: nothing before the date, expired after it.
	if n, err := tm.in.App.RunExpiry(context.Background()); err != nil || n != 0 {
		t.Fatalf("expiry before the date: %d, %v", n, err)
	}
	tm.setClock(t, time.Date(2036, 3, 3, 0, 0, 0, 0, time.UTC))
	if n, err := tm.in.App.RunExpiry(context.Background()); err != nil || n != 1 {
		t.Fatalf("expiry after the date: got %d, %v, want 1", n, err)
	}
	final := tm.get(t, "/api/v1/cases/"+id, tm.admin)
	if final["accreditation"].(map[string]any)["status"] != "expired" {
		t.Fatalf("after expiry: %v", final["accreditation"])
	}
	hist := tm.get(t, "/api/v1/cases/"+id+"/history", tm.admin)["events"].([]any)
	types := []string{}
	for _, e := range hist {
		types = append(types, e.(map[string]any)["type"].(string))
	}
	for _, want := range []string{"accreditation.case_opened", "accreditation.case_submitted", "accreditation.decision_made", "accreditation.accreditation_renewed", "accreditation.accreditation_expired"} {
		if !strings.Contains(strings.Join(types, " "), want) {
			t.Fatalf("history lacks %s: %v", want, types)
		}
	}
	first := hist[0].(map[string]any)
	if first["actor"].(map[string]any)["id"] != tm.applicant.ID || first["seq"].(float64) < 1 {
		t.Fatalf("history entry: %v", first)
	}
	if rep := tm.get(t, "/api/v1/audit/verify", tm.admin); rep["intact"] != true {
		t.Fatalf("audit after the journey: %v", rep)
	}
}

// openEQA opens an EQA senior practitioner case and fills it so it can be
// submitted.
func (tm *team) openEQA(t *testing.T) string {
	t.Helper()
	c := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EQA", "level": "senior_practitioner", "language": "nl",
		"programme": map[string]string{"name": "Coachopleiding Plus", "provider": "Academie Noord"}}, 201)
	id := c["id"].(string)
	if c["programme"].(map[string]any)["name"] != "Coachopleiding Plus" {
		t.Fatalf("programme: got %v", c["programme"])
	}
	var curriculum []map[string]any
	for cat := 1; cat <= 8; cat++ {
		curriculum = append(curriculum, map[string]any{"category": cat, "description": fmt.Sprintf("Module %d", cat)})
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, map[string]any{"contact_hours": 150, "completed_cycles": 2, "curriculum": curriculum}), 200)
	Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "programme_document", "title": "Curriculum", "categories": "1,2,3,4,5,6,7,8"}, "curriculum.md", []byte("# Curriculum\n\nEight modules."), nil), 201)
	return id
}

func TestEQAJourneyFromOpenToAwardAndRenewal(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEQA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	for _, a := range tm.get(t, "/api/v1/cases/"+id, tm.admin)["assessments"].([]any) {
		if areas, _ := a.(map[string]any)["review_areas"].([]any); len(areas) != 5 {
			t.Fatalf("%v's review areas: got %v, want all five", a.(map[string]any)["role"], areas)
		}
	}
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "senior_practitioner", "rationale": "Programme meets the level."}, 200)
	accID := d["accreditation"].(map[string]any)["id"].(string)
	tm.setClock(t, time.Date(2030, 12, 1, 0, 0, 0, 0, time.UTC))
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, eqaRenewalBody(), 200)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": tm.verifier.ID}, 200)
	r := tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", tm.verifier.Token, map[string]string{"outcome": "renew", "rationale": "The five aims are met."}, 200)
	if r["accreditation"].(map[string]any)["status"] != "active" || len(r["accreditation"].(map[string]any)["renewals"].([]any)) != 1 {
		t.Fatalf("EQA renewal: %v", r["accreditation"])
	}
}

// TestEQAAssessmentRatesTheFiveReviewAreas (issue 13 item 7): an EQA
// assessment rates course content, learner experience, tutor effectiveness,
// the methods of assessing students and quality systems beside the eight
// categories; each once, all of them; an EIA assessment rates none.
func TestEQAAssessmentRatesTheFiveReviewAreas(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEQA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	assess := func(areas []map[string]any) Response {
		t.Helper()
		return tm.in.Post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, map[string]any{"ratings": allRatings("evidenced", nil),
			"review_areas": areas, "recommendation": "award", "rationale": "Programme at the level."})
	}
	wantField(t, assess(nil), "review_areas", "not rated")
	wantField(t, assess(allAreas("evidenced")[:4]), "review_areas", "quality_systems not rated")
	twice := allAreas("evidenced")
	twice[4]["area"] = "course_content"
	wantField(t, assess(twice), "review_areas[4].area", "rated twice")
	unknown := allAreas("evidenced")
	unknown[1]["rating"] = "fine"
	wantField(t, assess(unknown), "review_areas[1].rating", "must be")
	wantField(t, assess(append(allAreas("evidenced"), allAreas("evidenced")[0])), "review_areas", "at most 5 items")

	areas := allAreas("evidenced")
	slices.Reverse(areas)
	areas[0]["rating"] = "partially_evidenced" // quality systems
	c := Expect(t, assess(areas), 200).Map(t)
	got := c["assessments"].([]any)[0].(map[string]any)["review_areas"].([]any)
	var order []string
	for _, a := range got {
		order = append(order, a.(map[string]any)["area"].(string))
	}
	if want := []string{"course_content", "learner_experience", "tutor_effectiveness", "student_assessment", "quality_systems"}; !slices.Equal(order, want) {
		t.Fatalf("review areas: got %v, want %v", order, want)
	}
	if q := got[4].(map[string]any); q["rating"] != "partially_evidenced" || q["notes"] != "notes on quality_systems" {
		t.Fatalf("quality systems: got %v, want partially_evidenced with its notes", q)
	}

	eia := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+eia+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, eia)
	wantField(t, tm.in.Post(t, "/api/v1/cases/"+eia+"/assessments", tm.assessor.Token, map[string]any{"ratings": allRatings("evidenced", nil),
		"review_areas": allAreas("evidenced"), "recommendation": "award", "rationale": "Good."}), "review_areas", "only an EQA case")
}

// TestDecisionByTheAwardingPanel (issue 13 item 5): the decision records
// the panel that took it, office users each with their vote, never the
// case's assessors; the votes must carry the outcome; a panel member does
// not review the appeal; the history keeps the votes.
func TestDecisionByTheAwardingPanel(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Panel")
	otto := tm.in.CreateUser(t, tm.admin, "office", "otto@example.org", "Otto Panel")
	decide := func(panel ...map[string]string) Response {
		t.Helper()
		return tm.in.Post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]any{"outcome": "not_awarded", "rationale": "Not yet at the level.", "panel": panel})
	}
	vote := func(u User, v string) map[string]string { return map[string]string{"user_id": u.ID, "vote": v} }
	wantField(t, decide(vote(rita, "for"), vote(tm.assessor, "for")), "panel[1].user_id", "not an active EMCC office user")
	wantField(t, decide(vote(rita, "for"), vote(rita, "for")), "panel[1].user_id", "twice")
	wantField(t, decide(vote(rita, "perhaps")), "panel[0].vote", "for, against or abstain")
	tie := Expect(t, decide(vote(rita, "for"), vote(otto, "against")), 422).Map(t)
	if !strings.Contains(tie["detail"].(string), "1 for, 1 against") {
		t.Fatalf("a tie: got %v, want the votes named", tie)
	}

	d := Expect(t, decide(vote(rita, "for"), vote(otto, "abstain")), 200).Map(t)["decision"].(map[string]any)
	if p := d["panel"].([]any); len(p) != 2 || p[0].(map[string]any)["user_id"] != rita.ID || p[1].(map[string]any)["vote"] != "abstain" {
		t.Fatalf("panel: got %v, want Rita for and Otto abstaining", d["panel"])
	}
	h := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tm.admin), 200).Body)
	if !strings.Contains(h, `"panel":[{"user_id":"`+rita.ID+`","vote":"for"}`) {
		t.Fatalf("the history does not keep the panel's votes: %s", h)
	}

	tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "My supervision log was overlooked."}, 200)
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/appeal/decision", rita.Token, map[string]string{"outcome": "dismissed", "rationale": "Stands."}), 403)
	sam := tm.in.CreateUser(t, tm.admin, "office", "sam@example.org", "Sam Reviewer")
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/appeal/decision", sam.Token, map[string]string{"outcome": "dismissed", "rationale": "Stands."}), 200)
}

func TestRestartInTheMiddleOfAJourneyLosesNothing(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.in.Restart(t)
	// Sessions live in JetStream: the logins survive the restart too.
	tm.toDecision(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not enough depth."}, 200)
	c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)
	if c["state"] != "not_awarded" || len(c["evidence"].([]any)) != 1 {
		t.Fatalf("after restart: state %v, evidence %v", c["state"], c["evidence"])
	}
	f := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/evidence/"+c["evidence"].([]any)[0].(map[string]any)["id"].(string)+"/file", tm.applicant.Token), 200)
	if string(f.Body) != string(pdf) {
		t.Fatal("evidence file changed over the restart")
	}
}

func TestUnhappyPaths(t *testing.T) {
	tm := newTeam(t, func(c *app.Config) { c.MaxUpload = 4096 })
	id := tm.openEIA(t)

	t.Run("not eligible: 422 naming each unmet rule", func(t *testing.T) {
		other := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "master_practitioner", "language": "en"}, 201)["id"].(string)
		Expect(t, tm.in.Put(t, "/api/v1/cases/"+other+"/portfolio", tm.applicant.Token, eiaPortfolio()), 200)
		r := Expect(t, tm.in.Post(t, "/api/v1/cases/"+other+"/submit", tm.applicant.Token, declared), 422).Map(t)
		unmet := fmt.Sprint(r["unmet"])
		for _, rule := range []string{"years_practising", "client_hours", "client_count", "category_3_addressed"} {
			if !strings.Contains(unmet, rule) {
				t.Fatalf("unmet lacks %s: %v", rule, unmet)
			}
		}
		if !strings.Contains(unmet, "required:500") || !strings.Contains(unmet, "given:140") {
			t.Fatalf("unmet does not give required and given hours: %v", unmet)
		}
	})
	t.Run("another applicant's case is a 404", func(t *testing.T) {
		r := Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "eve@example.org", "password": "eve's long password", "name": "Eve"}), 201)
		_ = r
		eve := tm.in.Login(t, "eve@example.org", "eve's long password")
		Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, eve), 404)
		Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", eve, eiaPortfolio()), 404)
		Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", eve), 404)
	})
	t.Run("upload too large: 413, nothing stored", func(t *testing.T) {
		big := append([]byte("%PDF-1.7\n"), make([]byte, 5000)...)
		r := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "other", "title": "Big"}, "big.pdf", big, nil), 413).Map(t)
		if r["max_bytes"].(float64) != 4096 {
			t.Fatalf("413 does not announce the limit: %v", r)
		}
		if n := len(tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)); n != 1 {
			t.Fatalf("evidence after refused upload: got %d, want 1", n)
		}
	})
	t.Run("forbidden type by content: 422", func(t *testing.T) {
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "other", "title": "Exe"}, "cv.pdf", []byte("MZ\x90\x00binary"), nil), 422)
	})
	t.Run("unknown indicator cited: 400", func(t *testing.T) {
		Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "other", "title": "X", "indicators": "999"}, "x.txt", []byte("text"), nil), 400)
	})
	t.Run("limits announced up front", func(t *testing.T) {
		l := tm.get(t, "/api/v1/evidence/limits", "")
		if l["max_bytes"].(float64) != 4096 || len(l["types"].([]any)) != 7 {
			t.Fatalf("limits: %v", l)
		}
	})
	t.Run("stale If-Match: 412; current one accepted", func(t *testing.T) {
		c := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, tm.applicant.Token), 200)
		etag := c.Header.Get("ETag")
		Expect(t, tm.in.Do(t, Request{Method: "PUT", Path: "/api/v1/cases/" + id + "/portfolio", Token: tm.applicant.Token, Body: eiaPortfolio(), Header: map[string]string{"If-Match": `"1"`}}), 412)
		Expect(t, tm.in.Do(t, Request{Method: "PUT", Path: "/api/v1/cases/" + id + "/portfolio", Token: tm.applicant.Token, Body: eiaPortfolio(), Header: map[string]string{"If-Match": etag}}), 200)
	})
	t.Run("idempotent retry writes once", func(t *testing.T) {
		before := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["version"].(float64)
		h := map[string]string{"Idempotency-Key": "retry-1"}
		body := map[string]any{"categories": []map[string]any{{"category": 8, "statement": "Evaluation, once"}}}
		a := Expect(t, tm.in.Do(t, Request{Method: "PUT", Path: "/api/v1/cases/" + id + "/self-assessment", Token: tm.applicant.Token, Body: body, Header: h}), 200)
		b := Expect(t, tm.in.Do(t, Request{Method: "PUT", Path: "/api/v1/cases/" + id + "/self-assessment", Token: tm.applicant.Token, Body: body, Header: h}), 200)
		if a.Map(t)["version"] != before+1 || b.Map(t)["version"] != before+1 || a.Header.Get("X-Accredit-Seq") != b.Header.Get("X-Accredit-Seq") {
			t.Fatalf("retry: first %v, second %v, want both at version %v", a.Map(t)["version"], b.Map(t)["version"], before+1)
		}
	})

	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)

	t.Run("conflict of interest: the assessor cannot take the case", func(t *testing.T) {
		conflicted := tm.newAssessor(t, "connie@example.org", "Connie Conflicted", tm.applicant.ID)
		// They may not see the case either, so the claim answers as for no case.
		Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/claim", conflicted.Token, map[string]string{"role": "assessor"}), 404)
		Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": conflicted.ID, "role": "assessor"}), 422)
	})
	t.Run("the same person cannot be assessor and verifier", func(t *testing.T) {
		tm.post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.assessor.ID, "role": "assessor"}, 200)
		r := tm.in.Post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.assessor.ID, "role": "verifier"})
		if r.Status != 409 && r.Status != 422 {
			t.Fatalf("same person twice: got %d, want 409 or 422; %s", r.Status, r.Body)
		}
	})
	t.Run("the applicant cannot be assigned", func(t *testing.T) {
		Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.applicant.ID, "role": "verifier"}), 422)
	})
	t.Run("an unassigned assessor cannot assess", func(t *testing.T) {
		other := tm.newAssessor(t, "otto@example.org", "Otto Other")
		r := tm.in.Post(t, "/api/v1/cases/"+id+"/assessments", other.Token, map[string]any{"ratings": allRatings("evidenced", nil), "recommendation": "award", "rationale": "x"})
		if r.Status != 403 && r.Status != 404 {
			t.Fatalf("unassigned assessor: got %d, want 403 or 404; %s", r.Status, r.Body)
		}
	})
	t.Run("invalid transition names the state", func(t *testing.T) {
		r := Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared), 409).Map(t)
		if !strings.Contains(r["detail"].(string), "awaiting_assessment") {
			t.Fatalf("detail does not name the state: %v", r["detail"])
		}
	})
}

// TestTheApplicantSeesNoRecommendationBeforeTheDecision: when the two
// assessments differ, the moderation's record (the two recommendations and
// the office's) is hidden from the applicant, in the case and in its
// history, as the assessments are, until the decision; the office and the
// assessors see it, and the applicant does once decided.
func TestTheApplicantSeesNoRecommendationBeforeTheDecision(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", map[int][]int{1: {31}}), "award", "Consistent evidence."), 200)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("partially_evidenced", nil), "not_award", "Too thin."), 200)
	tm.post(t, "/api/v1/cases/"+id+"/moderation", tm.admin, map[string]string{"recommendation": "award", "rationale": "The evidence holds at the practitioner level."}, 200)

	secrets := []string{"not_award", "The evidence holds at the practitioner level", "Too thin"}
	shows := func(token string) []string {
		t.Helper()
		var found []string
		body := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, token), 200).Body) +
			string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", token), 200).Body)
		for _, s := range secrets {
			if strings.Contains(body, s) {
				found = append(found, s)
			}
		}
		return found
	}
	if got := shows(tm.applicant.Token); len(got) > 0 {
		t.Fatalf("before the decision the applicant is shown %q", got)
	}
	if m := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["moderation"].(map[string]any); m["required_at"] == nil {
		t.Fatalf("the applicant is not told the case is moderated: %v", m)
	}
	for who, token := range map[string]string{"the office": tm.admin, "the assessor": tm.assessor.Token, "the verifier": tm.verifier.Token} {
		if got := shows(token); len(got) != len(secrets) {
			t.Fatalf("%s is shown only %q of %q", who, got, secrets)
		}
	}
	tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "As moderated."}, 200)
	if got := shows(tm.applicant.Token); len(got) != len(secrets) {
		t.Fatalf("once decided the applicant is shown only %q of %q", got, secrets)
	}
}

// TestARetriedDecisionIsAnsweredAsTheFirstAfterAPanelMemberLeft: a
// decision sent again with its Idempotency-Key (its answer lost) after a
// member of its panel was disabled is answered as the first (200, its
// seq), not refused as a new decision with that panel is ("not an active
// EMCC office user"); the same key with another body is refused.
func TestARetriedDecisionIsAnsweredAsTheFirstAfterAPanelMemberLeft(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Panel")
	otto := tm.in.CreateUser(t, tm.admin, "office", "otto@example.org", "Otto Panel")
	body := func(rationale string) map[string]any {
		return map[string]any{"outcome": "awarded", "level": "practitioner", "rationale": rationale,
			"panel": []map[string]string{{"user_id": rita.ID, "vote": "for"}, {"user_id": otto.ID, "vote": "for"}}}
	}
	decide := Request{Method: "POST", Path: "/api/v1/cases/" + id + "/decision", Token: tm.admin, Header: keyed("decide-1"), Body: body("Meets the level.")}
	first := Expect(t, tm.in.Do(t, decide), 200)
	tm.post(t, "/api/v1/users/"+otto.ID+"/disable", tm.admin, map[string]string{"reason": "left the office"}, 200)
	r := tm.in.Do(t, decide)
	if r.Status != 200 || r.Header.Get("X-Accredit-Seq") != first.Header.Get("X-Accredit-Seq") {
		t.Fatalf("retried decision after a panel member was disabled: got %d %s (seq %s), want 200 as the first (seq %s)",
			r.Status, r.Body, r.Header.Get("X-Accredit-Seq"), first.Header.Get("X-Accredit-Seq"))
	}
	other := decide
	other.Body = body("Meets the level well.")
	Expect(t, tm.in.Do(t, other), 422) // the key with another body
}

// TestAProgrammeRefusedIsNamedAsSent: an EQA case's programme is sent as
// programme.name and programme.provider, and a refusal names those, not
// fields the API does not have.
func TestAProgrammeRefusedIsNamedAsSent(t *testing.T) {
	tm := newTeam(t)
	for _, tc := range []struct {
		scheme    string
		programme map[string]string
	}{
		{"EQA", map[string]string{"name": " ", "provider": ""}},
		{"EIA", map[string]string{"name": "Coachopleiding Plus", "provider": "Academie Noord"}},
	} {
		body := map[string]any{"scheme": tc.scheme, "level": "practitioner", "language": "en", "programme": tc.programme}
		p := Expect(t, tm.in.Post(t, "/api/v1/cases", tm.applicant.Token, body), 400).Map(t)
		var fields []string
		for _, e := range p["errors"].([]any) {
			fields = append(fields, e.(map[string]any)["field"].(string))
		}
		if !slices.Equal(fields, []string{"programme.name", "programme.provider"}) {
			t.Errorf("%s with programme %v: fields %v, want programme.name and programme.provider", tc.scheme, tc.programme, fields)
		}
	}
}
