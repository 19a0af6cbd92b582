package api_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// declareConflict has the office record on assessor u's profile a conflict
// of interest with the team's applicant.
func (tm *team) declareConflict(t *testing.T, u User) {
	t.Helper()
	Expect(t, tm.in.Put(t, "/api/v1/users/"+u.ID+"/assessor-profile", tm.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{tm.applicant.ID}}), 200)
}

func conflictedRoles(v map[string]any) []string {
	var out []string
	for _, r := range asSlice(v["conflicted_roles"]) {
		out = append(out, r.(string))
	}
	return out
}

// mineBarred is whether the assessor's queue marks case id among theirs
// as barred, read once the read side has applied every commit so far (the
// claim, the assignment, a profile changed just before).
func mineBarred(t *testing.T, tm *team, id string) bool {
	t.Helper()
	for _, it := range asSlice(tm.readAt(t, "/api/v1/queue", tm.assessor.Token, float64(lastSeq(t, tm.in)))["mine"]) {
		if m := it.(map[string]any); m["case_id"] == id {
			return m["barred"] == true
		}
	}
	t.Fatalf("case %s is not among the assessor's own in their queue", id)
	return false
}

// inAssessment is an EIA case with both roles held, and the assessor's
// assessment of it, not yet sent.
func inAssessment(t *testing.T) (tm *team, id string, body map[string]any) {
	t.Helper()
	tm = newTeam(t)
	id = tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)
	return tm, id, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Consistent evidence.")
}

// renewalWithAssessor is an awarded case whose holder submitted its
// renewal in 2030, given to Renata, a new assessor.
func renewalWithAssessor(t *testing.T) (tm *team, id, accID string, renata User) {
	t.Helper()
	tm = newTeam(t)
	id, accID = tm.awardedCase(t)
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	renata = tm.newAssessor(t, "renata@example.org", "Renata Renewals")
	renata.Token = tm.in.Login(t, renata.Email, renata.Password)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, eiaRenewalBody(), 200)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": renata.ID}, 200)
	return tm, id, accID, renata
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// An assessor who declares a conflict of interest with the applicant after
// taking a role takes no further step on the case: the office sees the
// role to give to someone else, the assessor sees why they can do nothing,
// and the next holder goes on.
func TestAConflictDeclaredAfterTakingARoleStopsTheAssessor(t *testing.T) {
	tm, id, body := inAssessment(t)
	if v := tm.get(t, "/api/v1/cases/"+id, tm.assessor.Token); !slices.Contains(asSlice(v["allowed_actions"]), any("assess")) || v["conflicted_roles"] != nil {
		t.Fatalf("before the declaration the assessor may assess and holds nothing in conflict: %v, %v", v["allowed_actions"], v["conflicted_roles"])
	}
	tm.declareConflict(t, tm.assessor)

	v := tm.get(t, "/api/v1/cases/"+id, tm.assessor.Token)
	if got := conflictedRoles(v); !slices.Equal(got, []string{"assessor"}) || len(asSlice(v["allowed_actions"])) != 0 {
		t.Fatalf("the conflicted assessor's view: conflicted_roles %v, allowed_actions %v; want [assessor] and none", got, v["allowed_actions"])
	}
	wantProblem(t, tm.in.Post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, body), 409, "conflict of interest")
	wantProblem(t, tm.in.Post(t, "/api/v1/cases/"+id+"/information-requests", tm.assessor.Token, map[string]any{"questions": "Why?"}), 409, "conflict of interest")
	if got := conflictedRoles(tm.get(t, "/api/v1/cases/"+id, tm.admin)); !slices.Equal(got, []string{"assessor"}) {
		t.Fatalf("the office's view: conflicted_roles %v, want [assessor]", got)
	}
	if got := conflictedRoles(tm.get(t, "/api/v1/cases/"+id, tm.verifier.Token)); got != nil {
		t.Fatalf("the verifier's view names another's conflict: %v", got)
	}
	if got := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["conflicted_roles"]; got != nil {
		t.Fatalf("the applicant's view names the assessors' conflicts: %v", got)
	}
	// The verifier, with no conflict, goes on.
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Agree."), 200)

	nina := tm.newAssessor(t, "nina@example.org", "Nina New")
	nina.Token = tm.in.Login(t, nina.Email, nina.Password)
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/assignments/assessor", tm.admin, map[string]any{"assessor_id": nina.ID, "reason": "Anna declared a conflict of interest."}), 200)
	if got := conflictedRoles(tm.get(t, "/api/v1/cases/"+id, tm.admin)); got != nil {
		t.Fatalf("after the reassignment the office still sees %v in conflict", got)
	}
	if d := tm.post(t, "/api/v1/cases/"+id+"/assessments", nina.Token, body, 200); d["state"] != "awaiting_decision" {
		t.Fatalf("the new assessor's assessment: state %v", d["state"])
	}
}

// barredRoles are the view's barred_roles as role → its reasons' codes.
func barredRoles(t *testing.T, v map[string]any) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, b := range asSlice(v["barred_roles"]) {
		m := b.(map[string]any)
		var codes []string
		for _, r := range asSlice(m["reasons"]) {
			codes = append(codes, r.(map[string]any)["code"].(string))
		}
		out[m["role"].(string)] = codes
	}
	return out
}

// An assessor whose profile the office lowers after they took a role (a
// level, a language taken off) no longer meets the role's conditions: like
// a conflict, they take no further step, and the office sees the role to
// give to someone else and why.
func TestAProfileLoweredAfterTakingARoleStopsTheAssessor(t *testing.T) {
	tm, id, body := inAssessment(t)
	if v := tm.get(t, "/api/v1/cases/"+id, tm.admin); v["barred_roles"] != nil {
		t.Fatalf("before the change no role is barred: %v", v["barred_roles"])
	}
	if got := mineBarred(t, tm, id); got != false {
		t.Fatalf("before the change the assessor's queue marks their case barred")
	}
	Expect(t, tm.in.Put(t, "/api/v1/users/"+tm.assessor.ID+"/assessor-profile", tm.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "foundation", "languages": []string{"nl"}, "conflicts": []string{}}), 200)

	want := map[string][]string{"assessor": {"level", "language"}}
	if got := mineBarred(t, tm, id); got != true {
		t.Fatalf("the assessor's queue does not mark their case barred")
	}
	v := tm.get(t, "/api/v1/cases/"+id, tm.assessor.Token)
	if got := barredRoles(t, v); !reflect.DeepEqual(got, want) || len(asSlice(v["allowed_actions"])) != 0 || v["conflicted_roles"] != nil {
		t.Fatalf("the assessor's view: barred_roles %v, allowed_actions %v, conflicted_roles %v; want %v, none, none", got, v["allowed_actions"], v["conflicted_roles"], want)
	}
	r := tm.in.Post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, body)
	wantProblem(t, r, 409, "no longer meet the conditions of your role")
	if p := r.Map(t); len(asSlice(p["reasons"])) != 2 {
		t.Fatalf("the refusal's reasons: %v, want the level's and the language's", p["reasons"])
	}
	wantProblem(t, tm.in.Post(t, "/api/v1/cases/"+id+"/information-requests", tm.assessor.Token, map[string]any{"questions": "Why?"}), 409, "no longer meet")
	if got := barredRoles(t, tm.get(t, "/api/v1/cases/"+id, tm.admin)); !reflect.DeepEqual(got, want) {
		t.Fatalf("the office's view: barred_roles %v, want %v", got, want)
	}
	for who, token := range map[string]string{"verifier": tm.verifier.Token, "applicant": tm.applicant.Token} {
		if got := tm.get(t, "/api/v1/cases/"+id, token)["barred_roles"]; got != nil {
			t.Fatalf("the %s's view names the assessor's standing: %v", who, got)
		}
	}
	if v := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"?as_of="+time.Now().UTC().Format(time.RFC3339Nano), tm.admin), 200).Map(t); v["barred_roles"] != nil {
		t.Fatalf("a past view shows today's bars: %v", v["barred_roles"])
	}
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Agree."), 200)

	// The profile put back, the assessor goes on.
	Expect(t, tm.in.Put(t, "/api/v1/users/"+tm.assessor.ID+"/assessor-profile", tm.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{}}), 200)
	if d := tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, body, 200); d["state"] != "awaiting_decision" || d["barred_roles"] != nil {
		t.Fatalf("the assessment once qualified again: state %v, barred_roles %v", d["state"], d["barred_roles"])
	}
}

// The same holds for the assessor of a renewal, on the conditions of the
// role they would take on the case: a conflict declared, or a scheme taken
// off.
func TestAProfileChangeStopsTheRenewalsAssessor(t *testing.T) {
	for name, tc := range map[string]struct {
		profile map[string]any
		refusal string
		codes   []string
	}{
		"conflict": {map[string]any{"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}},
			"conflict of interest", []string{"conflict"}},
		"scheme": {map[string]any{"schemes": []string{"EQA"}, "max_level": "master_practitioner", "languages": []string{"en"}, "conflicts": []string{}},
			"no longer meet", []string{"scheme"}},
	} {
		t.Run(name, func(t *testing.T) {
			tm, id, accID, renata := renewalWithAssessor(t)
			if tc.profile["conflicts"] == nil {
				tc.profile["conflicts"] = []string{tm.applicant.ID}
			}
			Expect(t, tm.in.Put(t, "/api/v1/users/"+renata.ID+"/assessor-profile", tm.admin, tc.profile), 200)

			assess := map[string]string{"outcome": "renew", "rationale": "Five years evidenced."}
			wantProblem(t, tm.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", renata.Token, assess), 409, tc.refusal)
			v := tm.get(t, "/api/v1/cases/"+id, tm.admin)
			if got := barredRoles(t, v); !reflect.DeepEqual(got["renewal_assessor"], tc.codes) {
				t.Fatalf("the office's view: barred_roles %v, want renewal_assessor for %v", got, tc.codes)
			}
			if got := conflictedRoles(v); slices.Contains(got, "renewal_assessor") != (name == "conflict") {
				t.Fatalf("the office's view: conflicted_roles %v", got)
			}
			nina := tm.newAssessor(t, "nina@example.org", "Nina New")
			nina.Token = tm.in.Login(t, nina.Email, nina.Password)
			tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": nina.ID}, 200)
			tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", nina.Token, assess, 200)
		})
	}
}

// A renewal's assessor whom the office replaces (here after they declared
// a conflict of interest with the holder) loses sight of the case, its
// history and the holder's evidence files, as an application's assessor
// taken off does; the one who renews it keeps sight, as an assessor keeps
// the cases they assessed.
func TestARenewalsAssessorReplacedLosesSightOfTheCase(t *testing.T) {
	tm, id, accID, renata := renewalWithAssessor(t)
	ev := asSlice(tm.get(t, "/api/v1/cases/"+id, tm.admin)["evidence"])[0].(map[string]any)["id"].(string)
	paths := []string{"/api/v1/cases/" + id, "/api/v1/cases/" + id + "/history",
		"/api/v1/cases/" + id + "/evidence/" + ev + "/file", "/api/v1/accreditations/" + accID}
	for _, p := range paths {
		Expect(t, tm.in.Get(t, p, renata.Token), 200)
	}
	tm.declareConflict(t, renata)
	nina := tm.newAssessor(t, "nina@example.org", "Nina New")
	nina.Token = tm.in.Login(t, nina.Email, nina.Password)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": nina.ID}, 200)
	for _, p := range paths {
		if r := tm.in.Get(t, p, renata.Token); r.Status != 404 {
			t.Errorf("the replaced renewal assessor: GET %s = %d, want 404", p, r.Status)
		}
	}
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", nina.Token, map[string]string{"outcome": "renew", "rationale": "Five years evidenced."}, 200)
	for _, p := range paths {
		Expect(t, tm.in.Get(t, p, nina.Token), 200)
	}
}

// A profile set without its conflicts keeps those recorded (the document
// has the field optional): a client that sets the schemes again must not
// wipe the conflicts of interest unseen. An empty list clears them.
func TestAProfileWithoutItsConflictsKeepsThem(t *testing.T) {
	tm := newTeam(t)
	set := func(body map[string]any) []any {
		t.Helper()
		u := Expect(t, tm.in.Put(t, "/api/v1/users/"+tm.assessor.ID+"/assessor-profile", tm.admin, body), 200).Map(t)
		return asSlice(u["assessor_profile"].(map[string]any)["conflicts"])
	}
	profile := func(conflicts ...string) map[string]any {
		b := map[string]any{"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en"}}
		if conflicts != nil {
			b["conflicts"] = conflicts
		}
		return b
	}
	if got := set(profile(tm.applicant.ID)); len(got) != 1 || got[0] != tm.applicant.ID {
		t.Fatalf("the conflict declared: %v", got)
	}
	if got := set(profile()); len(got) != 1 || got[0] != tm.applicant.ID {
		t.Fatalf("a profile without conflicts wiped them: %v", got)
	}
	if got := set(profile([]string{}...)); len(got) != 0 {
		t.Fatalf("an empty list of conflicts kept %v", got)
	}
}
