package api_test

import (
	"slices"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestEditEvidence (issue 15 item 5): an applicant changes what describes
// an uploaded file (kind, title, categories, indicators) while the case is
// with them, under the same optimistic concurrency as every command, and
// the file stays; nobody else can, and not after submission.
func TestEditEvidence(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t) // reflections.pdf: reflective_statement, categories 1 and 2, indicators 31 and 34
	ev := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)[0].(map[string]any)
	path := "/api/v1/cases/" + id + "/evidence/" + ev["id"].(string)
	edit := map[string]any{"kind": "learning_journal", "title": "Learning journal 2025", "categories": []int{3}, "indicators": []int{15}}

	t.Run("stale If-Match: 412", func(t *testing.T) {
		Expect(t, tm.in.Do(t, Request{Method: "PUT", Path: path, Token: tm.applicant.Token, Body: edit, Header: map[string]string{"If-Match": `"1"`}}), 412)
	})
	t.Run("the description is replaced, the file kept", func(t *testing.T) {
		c := Expect(t, tm.in.Put(t, path, tm.applicant.Token, edit), 200).Map(t)
		got := c["evidence"].([]any)[0].(map[string]any)
		cats := []int{}
		for _, n := range got["categories"].([]any) {
			cats = append(cats, int(n.(float64)))
		}
		if got["kind"] != "learning_journal" || got["title"] != "Learning journal 2025" || !slices.Equal(cats, []int{3, 5}) {
			t.Fatalf("edited evidence: got %v, want learning_journal, the new title, categories [3 5] (15 is in 5)", got)
		}
		if got["sha256"] != ev["sha256"] || got["file_name"] != ev["file_name"] || got["added_at"] != ev["added_at"] {
			t.Fatalf("the file changed: got %v, was %v", got, ev)
		}
		if f := Expect(t, tm.in.Get(t, path+"/file", tm.applicant.Token), 200); string(f.Body) != string(pdf) {
			t.Fatalf("the file's content changed")
		}
	})
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no title", map[string]any{"kind": "other", "title": " "}, "title"},
		{"an unknown kind", map[string]any{"kind": "selfie", "title": "T"}, "kind"},
		{"a kind of EQA evidence", map[string]any{"kind": "curriculum", "title": "T"}, "kind"},
		{"category 9", map[string]any{"kind": "other", "title": "T", "categories": []int{9}}, "categories[0]"},
		{"an unknown indicator", map[string]any{"kind": "other", "title": "T", "indicators": []int{999}}, "indicators[0]"},
	} {
		t.Run("400/"+tc.name, func(t *testing.T) {
			p := Expect(t, tm.in.Put(t, path, tm.applicant.Token, tc.body), 400).Map(t)
			fields, _ := p["errors"].([]any)
			if len(fields) == 0 || fields[0].(map[string]any)["field"] != tc.field {
				t.Fatalf("problem: got %v, want the field %s", p, tc.field)
			}
		})
	}
	t.Run("404: evidence the case does not hold, someone else's case", func(t *testing.T) {
		Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/evidence/nope", tm.applicant.Token, edit), 404)
		other := tm.in.CreateUser(t, tm.admin, "applicant", "sam@example.org", "Sam Stranger")
		Expect(t, tm.in.Put(t, path, other.Token, edit), 404)
	})
	t.Run("409 once submitted", func(t *testing.T) {
		back := map[string]any{"kind": "reflective_statement", "title": "Reflections 2025", "categories": []int{1, 2}, "indicators": []int{31, 34}}
		Expect(t, tm.in.Put(t, path, tm.applicant.Token, back), 200) // categories 1 and 2 evidenced again: ready
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		Expect(t, tm.in.Put(t, path, tm.applicant.Token, edit), 409)
	})
}
