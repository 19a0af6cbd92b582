package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestUserListsWalkedWhileUsersChange walks the users list and the users
// search by pages of two while, between pages, users are added, disabled
// and erased: each user there throughout (and not erased) comes exactly
// once, none twice, and the role filter holds on every page.
func TestUserListsWalkedWhileUsersChange(t *testing.T) {
	tm := newTeam(t)
	var survivors, doomed []User
	for i := range 8 {
		u := tm.in.CreateUser(t, tm.admin, "assessor", fmt.Sprintf("walker%d@example.org", i), fmt.Sprintf("Walker Number%d", i))
		if i%3 == 1 {
			doomed = append(doomed, u)
		} else {
			survivors = append(survivors, u)
		}
	}
	type page struct {
		Users []struct {
			ID   string `json:"id"`
			Role string `json:"role"`
		} `json:"users"`
		NextCursor string `json:"next_cursor"`
	}
	for _, base := range []string{"/api/v1/users?role=assessor&limit=2", "/api/v1/users?q=walker&role=assessor&limit=2"} {
		seen := map[string]int{}
		seq := 0
		cursor, step := "", 0
		for pages := 0; pages < 20; pages++ {
			path := base
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			var p page
			Expect(t, tm.in.Get(t, fmt.Sprintf("%s&min_seq=%d", path, seq), tm.admin), 200).JSON(t, &p)
			for _, u := range p.Users {
				if u.Role != "assessor" {
					t.Fatalf("%s: a %s on a page of assessors", base, u.Role)
				}
				seen[u.ID]++
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
			// Between pages: one more user, and one of the doomed erased.
			tm.in.CreateUser(t, tm.admin, "assessor", fmt.Sprintf("late%d-%d@example.org", len(base), step), "Walker Late")
			if step < len(doomed) {
				r := tm.post(t, "/api/v1/users/"+doomed[step].ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)
				seq = int(r["seq"].(float64))
			}
			step++
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("%s: user %s listed %d times", base, id, n)
			}
		}
		for _, u := range survivors {
			if seen[u.ID] != 1 {
				t.Errorf("%s: %s (there throughout) listed %d times", base, u.Name, seen[u.ID])
			}
		}
		doomed = nil // erased on the first walk
	}
}

// TestOfficeQueueWalkedWhileCasesMove: the office walks the submitted cases
// by pages of one, following next_cursor, while the case just read is
// screened between pages and so leaves the filter. By offset the case after
// it moved onto the page already read and was skipped; by cursor each comes
// once. A cursor with an offset, or one that is no queue place, is a 400.
func TestOfficeQueueWalkedWhileCasesMove(t *testing.T) {
	tm := newTeam(t)
	var ids []string
	for range 4 {
		id := tm.openEIA(t)
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		tm.setClock(t, tm.clock.Now().Add(time.Hour))
		ids = append(ids, id)
	}
	type page struct {
		Cases []struct {
			CaseID string `json:"case_id"`
			State  string `json:"state"`
		} `json:"cases"`
		HasMore    bool   `json:"has_more"`
		NextCursor string `json:"next_cursor"`
	}
	var seen []string
	path, seq := "/api/v1/queue?state=submitted&limit=1", 0
	for pages := 0; pages < 10; pages++ {
		var p page
		Expect(t, tm.in.Get(t, fmt.Sprintf("%s&min_seq=%d", path, seq), tm.admin), 200).JSON(t, &p)
		for _, c := range p.Cases {
			if c.State != "submitted" {
				t.Fatalf("a %s case on a page of submitted ones", c.State)
			}
			seen = append(seen, c.CaseID)
		}
		if p.HasMore != (p.NextCursor != "") {
			t.Fatalf("has_more %v with next_cursor %q", p.HasMore, p.NextCursor)
		}
		if p.NextCursor == "" {
			break
		}
		r := tm.post(t, "/api/v1/cases/"+seen[len(seen)-1]+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
		path, seq = "/api/v1/queue?state=submitted&limit=1&cursor="+url.QueryEscape(p.NextCursor), int(r["seq"].(float64))
	}
	if !slices.Equal(seen, ids) {
		t.Fatalf("the submitted cases by pages: %v, want each of %v once", seen, ids)
	}
	for _, q := range []string{"cursor=5.3", "cursor=1774000000000000000." + ids[0] + "&offset=2"} {
		if r := tm.in.Get(t, "/api/v1/queue?"+q, tm.admin); r.Status != 400 {
			t.Errorf("GET /api/v1/queue?%s: %d %s, want 400", q, r.Status, r.Body)
		}
	}
}

// TestAssessorQueueWalkedByCursor: an assessor walks the cases they may
// take by pages of one, claiming each as it is read, and then their own
// by pages of one: each case comes once on each list. The offset and
// cursor were ignored for an assessor, so they saw the first page again
// and never the rest. A cursor that is no queue place, or an offset, is
// a 400 naming it.
func TestAssessorQueueWalkedByCursor(t *testing.T) {
	tm := newTeam(t)
	var ids []string
	for range 4 {
		id := tm.openEIA(t)
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
		tm.setClock(t, tm.clock.Now().Add(time.Hour))
		ids = append(ids, id)
	}
	type item struct {
		CaseID string `json:"case_id"`
	}
	type page struct {
		Available      []item `json:"available"`
		HasMore        bool   `json:"has_more"`
		NextCursor     string `json:"next_cursor"`
		Mine           []item `json:"mine"`
		MineHasMore    bool   `json:"mine_has_more"`
		MineNextCursor string `json:"mine_next_cursor"`
	}
	walk := func(list string, claim bool) []string {
		var seen []string
		path, seq := "/api/v1/queue?limit=1", 0
		for pages := 0; pages < 10; pages++ {
			var p page
			Expect(t, tm.in.Get(t, fmt.Sprintf("%s&min_seq=%d", path, seq), tm.assessor.Token), 200).JSON(t, &p)
			items, more, next, param := p.Available, p.HasMore, p.NextCursor, "cursor"
			if list == "mine" {
				items, more, next, param = p.Mine, p.MineHasMore, p.MineNextCursor, "mine_cursor"
			}
			for _, c := range items {
				seen = append(seen, c.CaseID)
			}
			if more != (next != "") {
				t.Fatalf("%s: has_more %v with next cursor %q", list, more, next)
			}
			if next == "" {
				break
			}
			if claim {
				r := tm.post(t, "/api/v1/cases/"+seen[len(seen)-1]+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
				seq = int(r["seq"].(float64))
			}
			path = "/api/v1/queue?limit=1&" + param + "=" + url.QueryEscape(next)
		}
		return seen
	}
	if seen := walk("available", true); !slices.Equal(seen, ids) {
		t.Fatalf("the cases to take by pages: %v, want each of %v once", seen, ids)
	}
	tm.post(t, "/api/v1/cases/"+ids[3]+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
	if seen := walk("mine", false); !slices.Equal(seen, ids) {
		t.Fatalf("their own cases by pages: %v, want each of %v once", seen, ids)
	}
	for q, name := range map[string]string{"cursor=5.3": `"cursor"`, "mine_cursor=1774000000000000000.0." + ids[0]: `"mine_cursor"`, "offset=1": `"offset"`} {
		if r := tm.in.Get(t, "/api/v1/queue?"+q, tm.assessor.Token); r.Status != 400 || !strings.Contains(string(r.Body), name) {
			t.Errorf("GET /api/v1/queue?%s: %d %s, want a 400 naming %s", q, r.Status, r.Body, name)
		}
	}
}
