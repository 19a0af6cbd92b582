package api_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/pii"
)

// TestTheCaseAsItStoodOnADate (issue 17 item 1): GET /cases/{id}?as_of=
// and its history fold the case's own events up to that moment. The state,
// the evidence and the assessments are those of the moment; what a caller
// sees follows that moment's rules (the verifier did not yet see the
// assessor's assessment); nothing can be done on a past view; a moment
// before the case was opened is a 404; erased personal data stays erased in
// the past.
func TestTheCaseAsItStoodOnADate(t *testing.T) {
	tm := newTeam(t) // the clock stands at 2026-03-02 09:00 UTC
	id := tm.openEIA(t)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	tm.setClock(t, day(3))
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.setClock(t, day(4))
	tm.toAssessment(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Sound practice."), 200)
	tm.setClock(t, day(5))
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, tm.assessmentBody(t, id, allRatings("evidenced", nil), "award", "Agreed."), 200)

	asOf := func(path, token string, at time.Time) Response {
		t.Helper()
		return tm.in.Get(t, path+"?as_of="+url.QueryEscape(at.Format(time.RFC3339)), token)
	}
	now := tm.get(t, "/api/v1/cases/"+id, tm.admin)
	draft := Expect(t, asOf("/api/v1/cases/"+id, tm.admin, day(2).Add(3*time.Hour)), 200)
	if draft.Header.Get("ETag") != "" {
		t.Fatalf("a past view has an ETag %q: it is not a version to write against", draft.Header.Get("ETag"))
	}
	d := draft.Map(t)
	if d["state"] != "draft" || len(d["evidence"].([]any)) != 1 || d["as_of"] != "2026-03-02T12:00:00Z" {
		t.Fatalf("as of the first day: state %v, evidence %v, as_of %v", d["state"], d["evidence"], d["as_of"])
	}
	if acts := d["allowed_actions"].([]any); len(acts) != 0 {
		t.Fatalf("a past view allows %v", acts)
	}
	if d["version"].(float64) >= now["version"].(float64) || d["submitted_at"] != nil {
		t.Fatalf("as of the first day: version %v (now %v), submitted_at %v", d["version"], now["version"], d["submitted_at"])
	}
	if s := Expect(t, asOf("/api/v1/cases/"+id, tm.applicant.Token, day(3).Add(time.Hour)), 200).Map(t); s["state"] != "submitted" {
		t.Fatalf("as of the submission day, the applicant reads state %v", s["state"])
	}

	// The verifier sees both assessments now; on the 4th only the assessor
	// had assessed, which the verifier could not see then.
	if got := len(tm.get(t, "/api/v1/cases/"+id, tm.verifier.Token)["assessments"].([]any)); got != 2 {
		t.Fatalf("the verifier now sees %d assessments, want 2", got)
	}
	then := Expect(t, asOf("/api/v1/cases/"+id, tm.verifier.Token, day(4).Add(time.Hour)), 200).Map(t)
	if then["state"] != "in_assessment" || len(then["assessments"].([]any)) != 0 {
		t.Fatalf("the verifier as of the 4th: state %v, assessments %v; want in assessment, none visible", then["state"], then["assessments"])
	}
	if got := len(Expect(t, asOf("/api/v1/cases/"+id, tm.admin, day(4).Add(time.Hour)), 200).Map(t)["assessments"].([]any)); got != 1 {
		t.Fatalf("the office as of the 4th sees %d assessments, want the assessor's", got)
	}
	history := func(token string, at *time.Time) []any {
		t.Helper()
		path := "/api/v1/cases/" + id + "/history"
		if at != nil {
			return Expect(t, asOf(path, token, *at), 200).Map(t)["events"].([]any)
		}
		return tm.get(t, path, token)["events"].([]any)
	}
	fourth := day(4).Add(time.Hour)
	past, all := history(tm.verifier.Token, &fourth), history(tm.verifier.Token, nil)
	if len(past) >= len(all) {
		t.Fatalf("history as of the 4th: %d events, now %d", len(past), len(all))
	}
	assessments := 0
	for _, e := range past {
		e := e.(map[string]any)
		if at, _ := time.Parse(time.RFC3339Nano, e["occurred_at"].(string)); at.After(fourth) {
			t.Fatalf("history as of the 4th holds an event of %v", at)
		}
		if e["type"] == "accreditation.assessment_submitted" {
			assessments++
			if e["data"].(map[string]any)["hidden"] == nil {
				t.Fatalf("the verifier's history as of the 4th shows the assessor's assessment: %v", e["data"])
			}
		}
	}
	if assessments != 1 {
		t.Fatalf("the verifier's history as of the 4th holds %d assessments, want the assessor's (hidden)", assessments)
	}

	// Before the case was opened, a bad time, someone else, nobody.
	Expect(t, asOf("/api/v1/cases/"+id, tm.admin, day(1)), 404)
	bad := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"?as_of=last+tuesday", tm.admin), 400)
	if !strings.Contains(string(bad.Body), "as_of") {
		t.Fatalf("a bad as_of: %s, want the parameter named", bad.Body)
	}
	stranger := tm.in.CreateUser(t, tm.admin, "applicant", "sam@example.org", "Sam Stranger")
	Expect(t, asOf("/api/v1/cases/"+id, stranger.Token, day(4)), 404)
	Expect(t, asOf("/api/v1/cases/"+id+"/history", stranger.Token, day(4)), 404)
	Expect(t, asOf("/api/v1/cases/"+id, "", day(4)), 401)

	// Erased now is erased in the past too.
	before := string(Expect(t, asOf("/api/v1/cases/"+id, tm.admin, day(2).Add(3*time.Hour)), 200).Body)
	if !strings.Contains(before, "Reflections 2025") {
		t.Fatalf("before the erasure the past view lacks the evidence title: %s", before)
	}
	Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}), 200)
	after := string(Expect(t, asOf("/api/v1/cases/"+id, tm.admin, day(2).Add(3*time.Hour)), 200).Body)
	if strings.Contains(after, "Reflections 2025") || strings.Contains(after, "category 3") || !strings.Contains(after, pii.Erased) {
		t.Fatalf("after the erasure the past view still opens the applicant's texts: %s", after)
	}
	hist := string(Expect(t, asOf("/api/v1/cases/"+id+"/history", tm.admin, day(2).Add(3*time.Hour)), 200).Body)
	if strings.Contains(hist, "Reflections 2025") {
		t.Fatalf("after the erasure the past history still opens the applicant's texts")
	}
}
