package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// race sends every request at once, each to its instance, and returns the
// answers in order.
func race(t *testing.T, ins []*Instance, reqs []Request) []Response {
	t.Helper()
	out := make([]Response, len(reqs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = ins[i%len(ins)].Do(t, reqs[i])
		}()
	}
	close(start)
	wg.Wait()
	for i, r := range out {
		if r.Status >= 500 {
			t.Errorf("%s %s: got %d %s", reqs[i].Method, reqs[i].Path, r.Status, r.Body)
		}
	}
	return out
}

func statuses(rs []Response) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

// oneWins checks that exactly one answer is 2xx and the others say it
// lost: 409, 412, or 403 where it took the loser's role away.
func oneWins(t *testing.T, what string, rs []Response) int {
	t.Helper()
	won := -1
	for i, r := range rs {
		switch {
		case r.Status/100 == 2 && won < 0:
			won = i
		case r.Status/100 == 2:
			t.Errorf("%s: two won: %v", what, statuses(rs))
		case r.Status != 403 && r.Status != 409 && r.Status != 412:
			t.Errorf("%s: answer %d: %d %s", what, i, r.Status, r.Body)
		}
	}
	if won < 0 {
		t.Errorf("%s: none won: %v", what, statuses(rs))
	}
	return won
}

func countEvents(t *testing.T, tm *team, id, typ string) int {
	t.Helper()
	n := 0
	for _, e := range tm.get(t, "/api/v1/cases/"+id+"/history", tm.admin)["events"].([]any) {
		if e.(map[string]any)["type"] == typ {
			n++
		}
	}
	return n
}

// TestRacingCommandsOneWins sends conflicting commands on one case at
// once, to two processes: exactly one wins and the others are told so
// (409, 412, or 403 where the winner took the loser's role), never a 5xx;
// one command keyed and sent at once is recorded once and answered alike;
// a key reused on another case is another command; If-Match refuses a
// stale, malformed or weak tag of another version, 412 or 400.
func TestRacingCommandsOneWins(t *testing.T) {
	tm, second := twoProcesses(t)
	ins := []*Instance{tm.in, second}
	third := tm.newAssessor(t, "tom@example.org", "Tom Third")
	submitted := func() string {
		id := tm.openEIA(t)
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		return id
	}
	t.Run("two assessors claim one role", func(t *testing.T) {
		for range 3 {
			id := submitted()
			tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
			body := map[string]string{"role": "assessor"}
			rs := race(t, ins, []Request{
				{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/claim", Token: tm.assessor.Token, Body: body},
				{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/claim", Token: third.Token, Body: body},
			})
			oneWins(t, "claim", rs)
		}
	})
	t.Run("claim while the office assigns", func(t *testing.T) {
		for range 3 {
			id := submitted()
			tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
			rs := race(t, ins, []Request{
				{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/claim", Token: tm.assessor.Token, Body: map[string]string{"role": "assessor"}},
				{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/assignments", Token: tm.admin, Body: map[string]string{"assessor_id": third.ID, "role": "assessor"}},
			})
			oneWins(t, "claim/assign", rs)
		}
	})
	t.Run("two decisions", func(t *testing.T) {
		id := submitted()
		tm.toDecision(t, id)
		rs := race(t, ins, []Request{
			{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/decision", Token: tm.admin, Body: map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Yes."}},
			{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/decision", Token: tm.admin, Body: map[string]string{"outcome": "not_awarded", "rationale": "No."}},
		})
		oneWins(t, "decisions", rs)
		if n := countEvents(t, tm, id, "accreditation.decision_made"); n != 1 {
			t.Errorf("decisions recorded: %d", n)
		}
	})
	t.Run("decision against withdrawal", func(t *testing.T) {
		id := submitted()
		tm.toDecision(t, id)
		rs := race(t, ins, []Request{
			{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/decision", Token: tm.admin, Body: map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Yes."}},
			{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/withdraw", Token: tm.applicant.Token, Body: map[string]string{"reason": "changed my mind"}},
		})
		oneWins(t, "decide/withdraw", rs)
	})
	t.Run("one decision keyed, sent at once", func(t *testing.T) {
		id := submitted()
		tm.toDecision(t, id)
		req := Request{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/decision", Token: tm.admin, Body: map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Yes."}, Header: keyed("decide-" + id)}
		rs := race(t, ins, []Request{req, req, req, req})
		for i, r := range rs {
			if r.Status != 200 {
				t.Errorf("keyed decision %d: %d %s", i, r.Status, r.Body)
			}
		}
		if n := countEvents(t, tm, id, "accreditation.decision_made"); n != 1 {
			t.Errorf("decisions recorded: %d", n)
		}
	})
	t.Run("upload and removal against submission", func(t *testing.T) {
		for i := range 3 {
			id := tm.openEIA(t)
			ev := Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Extra", "categories": "1", "indicators": "31"}, "x.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")
			var wg sync.WaitGroup
			var up, del Response
			wg.Add(2)
			go func() {
				defer wg.Done()
				up = ins[i%2].Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Late", "categories": "1", "indicators": "31"}, "late.pdf", pdf, nil)
			}()
			go func() {
				defer wg.Done()
				del = ins[(i+1)%2].Do(t, Request{Method: http.MethodDelete, Path: "/api/v1/cases/" + id + "/evidence/" + ev, Token: tm.applicant.Token})
			}()
			sub := ins[i%2].Do(t, Request{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/submit", Token: tm.applicant.Token, Body: declared})
			wg.Wait()
			for _, r := range []Response{up, del, sub} {
				if r.Status >= 500 {
					t.Errorf("%d %s", r.Status, r.Body)
				}
			}
			// What the case holds is what the answers said.
			late, kept := false, false
			for _, e := range tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any) {
				late = late || e.(map[string]any)["title"] == "Late"
				kept = kept || e.(map[string]any)["id"] == ev
			}
			if late != (up.Status == 201) || kept != (del.Status != 200) {
				t.Errorf("upload %d, removal %d, submission %d: the case holds the late file %v, the removed one %v", up.Status, del.Status, sub.Status, late, kept)
			}
		}
	})
	t.Run("one upload keyed, sent at once", func(t *testing.T) {
		id := tm.openEIA(t)
		var wg sync.WaitGroup
		got := make([]Response, 4)
		for j := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[j] = ins[j%2].Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Once", "categories": "1", "indicators": "31"}, "once.pdf", pdf, keyed("up-once"))
			}()
		}
		wg.Wait()
		evs := map[string]bool{}
		for j, r := range got {
			if r.Status != 201 {
				t.Errorf("upload %d: %d %s", j, r.Status, r.Body)
			}
			evs[r.Header.Get("X-Evidence-Id")] = true
		}
		if n := len(tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)); len(evs) != 1 || n != 2 {
			t.Errorf("evidence ids answered %v; items on the case %d, want 2", evs, n)
		}
	})
	t.Run("a key reused on another case is another command", func(t *testing.T) {
		a, b := tm.openEIA(t), tm.openEIA(t)
		pf := eiaPortfolio()
		ra := Expect(t, tm.in.Do(t, Request{Method: http.MethodPut, Path: "/api/v1/cases/" + a + "/portfolio", Token: tm.applicant.Token, Body: pf, Header: keyed("same")}), 200)
		rb := Expect(t, tm.in.Do(t, Request{Method: http.MethodPut, Path: "/api/v1/cases/" + b + "/portfolio", Token: tm.applicant.Token, Body: pf, Header: keyed("same")}), 200)
		if ra.Map(t)["id"] == rb.Map(t)["id"] {
			t.Fatal("answered with the other case")
		}
	})
	t.Run("If-Match", func(t *testing.T) {
		id := tm.openEIA(t)
		c := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)
		v := int(c["version"].(float64))
		for _, im := range []struct {
			tag  string
			want int
		}{{fmt.Sprintf(`"%d"`, v-1), 412}, {`"abc"`, 400}, {`W/"1"`, 412}, {`"1", "abc"`, 400}, {fmt.Sprintf(`"%d"`, v+5), 412}, {`""`, 400}, {`"-1"`, 400}, {`"99999999999999999999999"`, 400}} {
			for _, r := range []Request{
				{Method: http.MethodPut, Path: "/api/v1/cases/" + id + "/portfolio", Token: tm.applicant.Token, Body: eiaPortfolio()},
				{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/submit", Token: tm.applicant.Token, Body: declared},
				{Method: http.MethodDelete, Path: "/api/v1/cases/" + id + "/evidence/nope", Token: tm.applicant.Token},
				{Method: http.MethodPut, Path: "/api/v1/users/" + third.ID + "/assessor-profile", Token: tm.admin, Body: map[string]any{"schemes": []string{"EIA"}, "max_level": "master_practitioner", "languages": []string{"en"}, "conflicts": []string{}}},
			} {
				r.Header = map[string]string{"If-Match": im.tag}
				got := tm.in.Do(t, r)
				if got.Status != im.want {
					t.Errorf("If-Match %s on %s %s: %d %s", im.tag, r.Method, r.Path, got.Status, got.Body)
				}
			}
		}
	})
}

// TestRacingOnAnAward: a revocation and the holder's withdrawal sent at
// once end the award once; a stale If-Match is 412 on the award's, the
// users' and the creating commands.
func TestRacingOnAnAward(t *testing.T) {
	tm, second := twoProcesses(t)
	ins := []*Instance{tm.in, second}
	t.Run("revocation against withdrawal", func(t *testing.T) {
		for range 2 {
			_, acc := tm.awardedCase(t)
			oneWins(t, "revoke/withdraw", race(t, ins, []Request{
				{Method: http.MethodPost, Path: "/api/v1/accreditations/" + acc + "/revocation", Token: tm.admin, Body: map[string]string{"reason": "Ethics."}},
				{Method: http.MethodPost, Path: "/api/v1/accreditations/" + acc + "/withdrawal", Token: tm.applicant.Token, Body: map[string]string{"reason": "Retiring."}},
			}))
		}
	})
	t.Run("stale If-Match", func(t *testing.T) {
		id, acc := tm.awardedCase(t)
		stale := map[string]string{"If-Match": `"1"`}
		other := tm.newAssessor(t, "zed@example.org", "Zed")
		for _, r := range []Request{
			{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/appeal", Token: tm.applicant.Token, Body: map[string]string{"grounds": "Overlooked."}},
			{Method: http.MethodPost, Path: "/api/v1/accreditations/" + acc + "/revocation", Token: tm.admin, Body: map[string]string{"reason": "Ethics."}},
			{Method: http.MethodPost, Path: "/api/v1/accreditations/" + acc + "/withdrawal", Token: tm.applicant.Token, Body: map[string]string{"reason": "Retiring."}},
			{Method: http.MethodPost, Path: "/api/v1/accreditations/" + acc + "/renewal", Token: tm.applicant.Token, Body: eiaRenewalBody()},
			{Method: http.MethodPost, Path: "/api/v1/users/" + other.ID + "/disable", Token: tm.admin, Body: map[string]string{"reason": "left"}},
			{Method: http.MethodPost, Path: "/api/v1/users/" + other.ID + "/sessions/revocation", Token: tm.admin},
			{Method: http.MethodPost, Path: "/api/v1/users/" + other.ID + "/password-reset-links", Token: tm.admin},
			{Method: http.MethodPost, Path: "/api/v1/users/" + other.ID + "/erasure", Token: tm.admin, Body: map[string]string{"reason": "asked"}},
			{Method: http.MethodPost, Path: "/api/v1/users", Token: tm.admin, Body: map[string]string{"email": "new@example.org", "password": "a long enough password", "name": "New", "role": "assessor"}},
			{Method: http.MethodPost, Path: "/api/v1/cases", Token: tm.applicant.Token, Body: eiaCase},
		} {
			r.Header = stale
			got := tm.in.Do(t, r)
			if got.Status != http.StatusPreconditionFailed {
				t.Errorf("stale If-Match on %s %s: %d %s", r.Method, r.Path, got.Status, got.Body)
			}
		}
	})
}

// TestManyWritersOnOneCaseLoseNothing: uploads and edits of one case sent
// at once from two processes are all kept, and a case's file limit holds.
func TestManyWritersOnOneCaseLoseNothing(t *testing.T) {
	tm, second := twoProcesses(t, func(c *app.Config) { c.MaxCaseFiles = 6; c.UploadsPerUser = 20 })
	ins := []*Instance{tm.in, second}
	id := tm.openEIA(t) // one file already
	const n = 8
	got := make([]Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = ins[i%2].Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": fmt.Sprintf("File %d", i), "categories": "1", "indicators": "31"},
				fmt.Sprintf("f%d.pdf", i), append(append([]byte(nil), pdf...), fmt.Sprintf("%% %d\n", i)...), nil)
		}()
	}
	wg.Wait()
	ok := 0
	for i, r := range got {
		switch {
		case r.Status == 201:
			ok++
		case r.Status != 422:
			t.Errorf("upload %d: %d %s, want 201 or 422 past the limit", i, r.Status, r.Body)
		}
	}
	evs := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any)
	if ok != 5 || len(evs) != 6 {
		t.Fatalf("uploads taken %d (want 5), items %d (want 6)", ok, len(evs))
	}
	reqs := []Request{}
	for i, e := range evs {
		reqs = append(reqs, Request{Method: http.MethodPut, Path: "/api/v1/cases/" + id + "/evidence/" + e.(map[string]any)["id"].(string), Token: tm.applicant.Token,
			Body: map[string]any{"kind": "learning_journal", "title": fmt.Sprintf("Edited %d", i), "categories": []int{3}, "indicators": []int{15}}})
	}
	for i, r := range race(t, ins, reqs) {
		if r.Status != 200 {
			t.Errorf("edit %d: %d %s", i, r.Status, r.Body)
		}
	}
	for i, e := range tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["evidence"].([]any) {
		if e.(map[string]any)["title"] != fmt.Sprintf("Edited %d", i) {
			t.Errorf("item %d: %v", i, e.(map[string]any)["title"])
		}
	}
}

// TestARetryAfterARestartIsTheFirst: a key retried after a restart, within
// the duplicate window, is answered with the first case, not a new one.
func TestARetryAfterARestartIsTheFirst(t *testing.T) {
	tm := newTeam(t)
	first := Expect(t, openWithKey(t, tm.in, tm.applicant.Token, "k-restart", eiaCase), 201).Map(t)["id"]
	for range 30 { // past a read snapshot
		Expect(t, tm.in.Post(t, "/api/v1/cases", tm.applicant.Token, eiaCase), 201)
	}
	tm.in.Restart(t)
	tm.clock.Advance(23 * time.Hour)
	tm.applicant.Token = tm.in.Login(t, tm.applicant.Email, tm.applicant.Password)
	if again := Expect(t, openWithKey(t, tm.in, tm.applicant.Token, "k-restart", eiaCase), 201).Map(t)["id"]; again != first {
		t.Fatalf("after a restart: %v, first %v", again, first)
	}
}

// TestRacingOnARenewal: the renewal's assessment and its reassignment to
// another assessor sent at once: one wins.
func TestRacingOnARenewal(t *testing.T) {
	tm, second := twoProcesses(t)
	ins := []*Instance{tm.in, second}
	third := tm.newAssessor(t, "tom@example.org", "Tom Third")
	for range 2 {
		_, acc := tm.awardedCase(t)
		tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
		third.Token = tm.in.Login(t, third.Email, third.Password)
		tm.post(t, "/api/v1/accreditations/"+acc+"/renewal", tm.applicant.Token, eiaRenewalBody(), 200)
		tm.post(t, "/api/v1/accreditations/"+acc+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": tm.verifier.ID}, 200)
		reqs := []Request{
			{Method: http.MethodPost, Path: "/api/v1/accreditations/" + acc + "/renewal/assessment", Token: tm.verifier.Token, Body: map[string]string{"outcome": "renew", "rationale": "Fine."}},
			{Method: http.MethodPost, Path: "/api/v1/accreditations/" + acc + "/renewal/assignment", Token: tm.admin, Body: map[string]string{"assessor_id": third.ID}},
		}
		rs := race(t, ins, reqs)
		oneWins(t, "renewal assessment against its reassignment", rs)
		tm.setClock(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		third.Token = tm.in.Login(t, third.Email, third.Password)
	}
}
