package api_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// assessedEntries are an export's assessed_cases as case id → its entries'
// types.
func assessedEntries(t *testing.T, doc map[string]any) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, c := range asSlice(doc["assessed_cases"]) {
		m := c.(map[string]any)
		types := []string{}
		for _, e := range asSlice(m["entries"]) {
			types = append(types, strings.TrimPrefix(e.(map[string]any)["type"].(string), "accreditation."))
		}
		out[m["case_id"].(string)] = types
	}
	return out
}

// An assessor's right of access gives what they recorded on the cases they
// took a role on, also one the office took them off since, and nothing of
// what others recorded there; why the office took them off stays the
// office's.
func TestAnAssessorsExportHoldsWhatTheyRecorded(t *testing.T) {
	tm, id, body := inAssessment(t) // anna claimed the assessor role, victor was assigned the verifier's
	tm.post(t, "/api/v1/cases/"+id+"/information-requests", tm.assessor.Token, map[string]any{"questions": "Which supervisor signed the log?"}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/information-responses", tm.applicant.Token, map[string]any{"answer": "Dr Jansen, my supervisor since 2022."}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, body, 200)
	nina := tm.newAssessor(t, "nina@example.org", "Nina New")
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/assignments/verifier", tm.admin, map[string]any{"assessor_id": nina.ID, "reason": "Victor's private reason for leaving"}), 200)

	anna := Expect(t, tm.in.Get(t, "/api/v1/me/export", tm.assessor.Token), 200)
	got := assessedEntries(t, anna.Map(t))
	if want := []string{"assessor_assigned", "information_requested", "assessment_submitted"}; strings.Join(got[id], ",") != strings.Join(want, ",") || len(got) != 1 {
		t.Fatalf("the assessor's export: %v, want %s on %s only", got, want, id)
	}
	for _, s := range []string{"Which supervisor signed the log?", "Consistent evidence."} {
		if !strings.Contains(string(anna.Body), s) {
			t.Fatalf("the assessor's export lacks %q of what they recorded: %.3000s", s, anna.Body)
		}
	}
	if strings.Contains(string(anna.Body), "Dr Jansen") {
		t.Fatalf("the assessor's export holds the applicant's answer: %.3000s", anna.Body)
	}

	victor := Expect(t, tm.in.Get(t, "/api/v1/me/export", tm.verifier.Token), 200)
	if got, want := assessedEntries(t, victor.Map(t))[id], []string{"assessor_assigned", "assessor_unassigned"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("the verifier taken off: %v, want %v", got, want)
	}
	if strings.Contains(string(victor.Body), "private reason") || strings.Contains(string(victor.Body), "Consistent evidence.") {
		t.Fatalf("the verifier's export holds the office's reason or another's assessment: %.3000s", victor.Body)
	}
	ninaToken := tm.in.Login(t, nina.Email, nina.Password)
	if got := assessedEntries(t, Expect(t, tm.in.Get(t, "/api/v1/me/export", ninaToken), 200).Map(t)); len(got[id]) != 1 {
		t.Fatalf("the new verifier's export: %v, want their assignment", got)
	}
	if doc := Expect(t, tm.in.Get(t, "/api/v1/me/export", tm.applicant.Token), 200).Map(t); doc["assessed_cases"] != nil {
		t.Fatalf("the applicant's export has assessed cases: %v", doc["assessed_cases"])
	}
}

// A renewal's assessor finds the renewal they assessed in theirs.
func TestARenewalAssessorsExportHoldsTheRenewal(t *testing.T) {
	tm, id, accID, renata := renewalWithAssessor(t)
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", renata.Token, map[string]string{"outcome": "renew", "rationale": "Five years evidenced."}, 200)

	doc := Expect(t, tm.in.Get(t, "/api/v1/me/export", renata.Token), 200)
	got := assessedEntries(t, doc.Map(t))
	if want := "renewal_assigned,renewal_assessed,accreditation_renewed"; strings.Join(got[id], ",") != want || len(got) != 1 || !strings.Contains(string(doc.Body), "Five years evidenced.") {
		t.Fatalf("the renewal assessor's export: %v, want %s on %s only, with their rationale", got, want, id)
	}
}
