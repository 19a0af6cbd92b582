package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// applicantQuotaRefused checks p is the applicant quota's problem: the
// limit and what the applicant's cases held.
func applicantQuotaRefused(t *testing.T, p map[string]any, limit, held float64) {
	t.Helper()
	if p["quota"] != "applicant_bytes" || p["max_applicant_bytes"] != limit || p["applicant_bytes"] != held ||
		!strings.Contains(p["detail"].(string), "per applicant") {
		t.Fatalf("problem: got %v, want the applicant quota of %v named, %v held", p, limit, held)
	}
	if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "file" {
		t.Fatalf("problem errors: got %v, want the file named", p["errors"])
	}
}

// TestEvidenceQuotaPerApplicant: the evidence of all of one applicant's
// cases is bounded together, ended cases counted (their files stay
// stored); a refused upload stores nothing, and removing a file makes room.
func TestEvidenceQuotaPerApplicant(t *testing.T) {
	tm := newTeam(t, func(c *app.Config) { c.MaxApplicantBytes = 1500 })
	if l := tm.get(t, "/api/v1/evidence/limits", ""); l["max_applicant_bytes"] != 1500.0 {
		t.Fatalf("limits do not announce the applicant's quota: %v", l)
	}
	first, second := draftCase(t, tm), draftCase(t, tm)
	Expect(t, tm.in.Upload(t, first, tm.applicant.Token, note, "a.txt", bytes.Repeat([]byte("a"), 1000), nil), 201)

	before := storedObjects(t, tm.in)
	p := Expect(t, tm.in.Upload(t, second, tm.applicant.Token, note, "b.txt", bytes.Repeat([]byte("b"), 501), nil), 422).Map(t)
	applicantQuotaRefused(t, p, 1500, 1000)
	if after := storedObjects(t, tm.in); len(after) != len(before) {
		t.Fatalf("objects stored: got %d, want %d", len(after), len(before))
	}
	if n := evidenceCount(t, tm, second); n != 0 {
		t.Fatalf("evidence on the second case: got %d, want 0", n)
	}
	Expect(t, tm.in.Upload(t, second, tm.applicant.Token, note, "b.txt", bytes.Repeat([]byte("b"), 500), nil), 201) // exactly at the quota

	// Full: refused before the file is read, on a third case too.
	third := draftCase(t, tm)
	applicantQuotaRefused(t, Expect(t, tm.in.Upload(t, third, tm.applicant.Token, note, "c.txt", []byte("c"), nil), 422).Map(t), 1500, 1500)

	// A withdrawn case keeps its files stored: it still counts.
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+first+"/withdraw", tm.applicant.Token, map[string]string{"reason": "Not now."}), 200)
	applicantQuotaRefused(t, Expect(t, tm.in.Upload(t, third, tm.applicant.Token, note, "c.txt", []byte("c"), nil), 422).Map(t), 1500, 1500)

	// A file removed from a case in progress is deleted: room again.
	ev := tm.get(t, "/api/v1/cases/"+second, tm.applicant.Token)["evidence"].([]any)[0].(map[string]any)["id"].(string)
	Expect(t, tm.in.Do(t, Request{Method: "DELETE", Path: "/api/v1/cases/" + second + "/evidence/" + ev, Token: tm.applicant.Token}), 200)
	Expect(t, tm.in.Upload(t, third, tm.applicant.Token, note, "c.txt", bytes.Repeat([]byte("c"), 500), nil), 201)

	// Another applicant's room is their own.
	Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "olga@example.org", "password": "olga's long password", "name": "Olga Other"}), 201)
	olga := tm.in.Login(t, "olga@example.org", "olga's long password")
	oc := tm.post(t, "/api/v1/cases", olga, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
	Expect(t, tm.in.Upload(t, oc, olga, note, "d.txt", bytes.Repeat([]byte("d"), 1500), nil), 201)
}

// TestEvidenceQuotaPerApplicantAtOnce: uploads of one applicant to
// several cases at once on one process go past the quota by nothing:
// each is checked after those before it are recorded.
func TestEvidenceQuotaPerApplicantAtOnce(t *testing.T) {
	tm := newTeam(t, func(c *app.Config) { c.MaxApplicantBytes = 1500; c.UploadsPerUser = 6 })
	var ids []string
	for range 6 {
		ids = append(ids, draftCase(t, tm))
	}
	statuses := make([]int, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			statuses[i] = tm.in.Upload(t, id, tm.applicant.Token, note, "e.txt", bytes.Repeat([]byte("e"), 600), nil).Status
		})
	}
	wg.Wait()
	stored := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			stored++
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("statuses: got %v, want 201 or 422 each", statuses)
		}
	}
	if stored != 2 {
		t.Fatalf("uploads stored: got %d (%v), want 2: 1500 bytes hold two of 600", stored, statuses)
	}
	if n := len(storedObjects(t, tm.in)); n != 2 {
		t.Fatalf("objects stored: got %d, want 2", n)
	}
}

// TestEvidenceQuotaPerApplicantOnTwoProcesses: an upload on one process
// counts at once on the other, to another case of the same applicant.
func TestEvidenceQuotaPerApplicantOnTwoProcesses(t *testing.T) {
	tm, second := twoProcesses(t, func(c *app.Config) { c.MaxApplicantBytes = 1500 })
	a, b := draftCase(t, tm), draftCase(t, tm)
	for i := range 5 {
		Expect(t, tm.in.Upload(t, a, tm.applicant.Token, note, "a.txt", bytes.Repeat([]byte("a"), 200), nil), 201)
		// 200×(i+1) on the first process's case; the second refuses what would pass 1500.
		held := 200 * (i + 1)
		p := Expect(t, second.Upload(t, b, tm.applicant.Token, note, "b.txt", bytes.Repeat([]byte("b"), 1501-held), nil), 422).Map(t)
		applicantQuotaRefused(t, p, 1500, float64(held))
	}
	Expect(t, second.Upload(t, b, tm.applicant.Token, note, "b.txt", bytes.Repeat([]byte("b"), 500), nil), 201)
	applicantQuotaRefused(t, Expect(t, tm.in.Upload(t, a, tm.applicant.Token, note, "a.txt", []byte("a"), nil), 422).Map(t), 1500, 1500)
}
