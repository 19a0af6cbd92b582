package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAssessorQueueListedByPages: an assessor's "cases list" by pages of
// one names each list's next page, and following it shows the next case:
// the hint was the office's only, and the server gave an assessor the
// first page whatever was asked.
func TestAssessorQueueListedByPages(t *testing.T) {
	h := newHarness(t)
	h.loginAdmin()
	tm := newTeam(t, h.in)
	var ids []string
	for range 2 {
		id := tm.submitted(t)
		apptest.Expect(t, h.in.Post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}), 200)
		ids = append(ids, id)
	}
	caughtUp(t, h.in, "")
	next := regexp.MustCompile(`the next page is --cursor (\S+)\)`)
	r := h.must(0, "", "cases", "list", "--token", tm.assessor.Token, "--limit", "1")
	m := next.FindStringSubmatch(r.stdout)
	if m == nil || !strings.Contains(r.stdout, ids[0]) || strings.Contains(r.stdout, ids[1]) {
		t.Fatalf("the first page of one names no next page, or not the first case: %s", r)
	}
	r = h.must(0, "", "cases", "list", "--token", tm.assessor.Token, "--limit", "1", "--cursor", m[1])
	if !strings.Contains(r.stdout, ids[1]) || strings.Contains(r.stdout, ids[0]) || next.MatchString(r.stdout) {
		t.Fatalf("the next page: %s, want %s alone and no page after", r, ids[1])
	}
	for _, id := range ids {
		apptest.Expect(t, h.in.Post(t, "/api/v1/cases/"+id+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}), 200)
	}
	caughtUp(t, h.in, "")
	mine := regexp.MustCompile(`the next page is --mine-cursor (\S+)\)`)
	r = h.must(0, "", "cases", "list", "--token", tm.assessor.Token, "--limit", "1")
	if m = mine.FindStringSubmatch(r.stdout); m == nil {
		t.Fatalf("their own cases by pages of one name no next page: %s", r)
	}
	r = h.must(0, "", "cases", "list", "--token", tm.assessor.Token, "--limit", "1", "--mine-cursor", m[1])
	if !strings.Contains(r.stdout, ids[1]) || strings.Contains(r.stdout, ids[0]) {
		t.Fatalf("their own cases' next page: %s, want %s alone", r, ids[1])
	}
}
