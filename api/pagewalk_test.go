package api_test

import (
	"fmt"
	"net/url"
	"slices"
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
