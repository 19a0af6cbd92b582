package api_test

import (
	"slices"
	"testing"
)

// An evidence file opens to those who take part in the case: an assessor
// who may only claim it from the queue sees what the evidence is, not the
// files, until they claim a role; one who then declares a conflict of
// interest with the applicant has them closed again, until the office
// gives the role to someone else. The applicant and the office open them
// throughout.
func TestEvidenceFilesOpenOnlyToThoseWhoTakePart(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
	ev := asSlice(tm.get(t, "/api/v1/cases/"+id, tm.admin)["evidence"])[0].(map[string]any)["id"].(string)
	file := "/api/v1/cases/" + id + "/evidence/" + ev + "/file"

	// opens says whether who gets the file, and checks that their case
	// view says so in withheld.
	opens := func(when, who, token string, want bool) {
		t.Helper()
		r := tm.in.Get(t, file, token)
		if want && (r.Status != 200 || string(r.Body) != string(pdf)) {
			t.Errorf("%s: the %s gets %d for the file, want 200 and the file", when, who, r.Status)
		}
		if !want {
			if r.Status != 403 {
				t.Errorf("%s: the %s gets %d for the file, want 403", when, who, r.Status)
			} else if p := r.Map(t); p["detail"] == "" || string(r.Body) == string(pdf) {
				t.Errorf("%s: the %s's refusal says nothing: %v", when, who, p)
			}
		}
		v := tm.get(t, "/api/v1/cases/"+id, token)
		if withheld := slices.Contains(asSlice(v["withheld"]), any("evidence.files")); withheld == want {
			t.Errorf("%s: the %s's case view withholds the files: %v, want %v", when, who, withheld, !want)
		}
		if len(asSlice(v["evidence"])) != 1 {
			t.Errorf("%s: the %s does not see the evidence listed: %v", when, who, v["evidence"])
		}
	}
	opens("in the queue", "applicant", tm.applicant.Token, true)
	opens("in the queue", "office", tm.admin, true)
	opens("in the queue", "assessor who may claim", tm.assessor.Token, false)

	tm.post(t, "/api/v1/cases/"+id+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
	opens("once claimed", "assessor", tm.assessor.Token, true)

	tm.declareConflict(t, tm.assessor)
	opens("after a conflict declared", "assessor", tm.assessor.Token, false)
	opens("after a conflict declared", "office", tm.admin, true)

	tm.post(t, "/api/v1/cases/"+id+"/assignments/assessor/unassignment", tm.admin, map[string]any{"reason": "Conflict of interest declared"}, 200)
	if r := tm.in.Get(t, file, tm.assessor.Token); r.Status != 404 {
		t.Errorf("the assessor taken off: GET the file = %d, want 404", r.Status)
	}
	tm.post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "assessor"}, 200)
	opens("given to another", "new assessor", tm.verifier.Token, true)
}
