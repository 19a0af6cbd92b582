package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestOutboxWalkedWhileMailIsWritten: the office walks the outbox, newest
// first, by pages of one following next_cursor while, between pages, a
// new message is written. By offset the new one pushed the message just
// read onto the next page, shown twice; by cursor each comes once. A
// cursor that is no outbox place, or one with an offset, is a 400.
func TestOutboxWalkedWhileMailIsWritten(t *testing.T) {
	tm := newTeam(t)
	n := 0
	issue := func() {
		n++
		tm.setClock(t, tm.clock.Now().Add(time.Minute))
		Expect(t, tm.in.Do(t, Request{Method: "POST", Path: "/api/v1/users/" + tm.applicant.ID + "/password-reset-links", Token: tm.admin,
			Header: map[string]string{"Idempotency-Key": fmt.Sprintf("reset-carla-%d", n)}}), 201)
		tm.waitKind(t, "reset_link_issued", n)
	}
	for range 3 {
		issue()
	}
	before := map[string]bool{}
	for _, m := range tm.outbox(t) {
		before[m["id"].(string)] = true
	}
	seen := map[string]int{}
	path := "/api/v1/outbox?limit=1"
	for pages := 0; pages < 50; pages++ {
		var p struct {
			Messages []struct {
				ID string `json:"id"`
			} `json:"messages"`
			NextCursor string `json:"next_cursor"`
		}
		Expect(t, tm.in.Get(t, path, tm.admin), 200).JSON(t, &p)
		for _, m := range p.Messages {
			seen[m.ID]++
		}
		if p.NextCursor == "" {
			break
		}
		if pages < 3 {
			issue() // newer than every page: a cursor does not see it
		}
		path = "/api/v1/outbox?limit=1&cursor=" + url.QueryEscape(p.NextCursor)
	}
	for id, k := range seen {
		if k > 1 {
			t.Errorf("message %s listed %d times", id, k)
		}
	}
	for id := range before {
		if seen[id] != 1 {
			t.Errorf("message %s (there throughout) listed %d times", id, seen[id])
		}
	}
	for _, q := range []string{"cursor=5", "cursor=1774000000000000000.a%20b", "cursor=1774000000000000000.x&offset=1"} {
		if r := tm.in.Get(t, "/api/v1/outbox?"+q, tm.admin); r.Status != 400 || !strings.Contains(string(r.Body), `"cursor"`) && !strings.Contains(string(r.Body), `"offset"`) {
			t.Errorf("GET /api/v1/outbox?%s: %d %s, want a 400", q, r.Status, r.Body)
		}
	}
}
