package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// wantField expects a 400 problem naming field, with a reason that says the
// limit (when limit is not empty).
func wantField(t *testing.T, r Response, field, limit string) {
	t.Helper()
	p := Expect(t, r, 400).Map(t)
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		e := e.(map[string]any)
		if e["field"] == field && strings.Contains(e["reason"].(string), limit) {
			return
		}
	}
	t.Fatalf("400 does not name %s with %q: %v", field, limit, p)
}

// big is n characters of four bytes each, the most a character takes.
func big(n int) string { return strings.Repeat("𝄞", n) }

// TestEveryRecordedFieldIsBounded sends each probe of issue 11 item 4 and
// the fields at and just over their limits: over is a 400 naming the field
// and the limit, at is accepted; none is a 503.
func TestEveryRecordedFieldIsBounded(t *testing.T) {
	tm := newTeam(t)
	id := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
	cases := "/api/v1/cases/" + id
	stmt := func(cat int, text string) map[string]any { return map[string]any{"category": cat, "statement": text} }
	// Writes this test expects accepted are sent as a client does on a busy
	// server: again, with the same Idempotency-Key, after a 503.
	put := func(path, token string, body any) Response {
		return tm.in.Retrying(t, Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
	}
	post := func(path, token string, body any) Response {
		return tm.in.Retrying(t, Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
	}

	t.Run("self-assessment: 40 statements of 20,000 characters is a 400, not a 503", func(t *testing.T) {
		var cats []map[string]any
		for i := range 40 {
			cats = append(cats, stmt(1+i%8, strings.Repeat("x", 20000)))
		}
		wantField(t, tm.in.Put(t, cases+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), "categories", "at most 8 items")
	})
	t.Run("self-assessment: a repeated category is refused", func(t *testing.T) {
		wantField(t, tm.in.Put(t, cases+"/self-assessment", tm.applicant.Token, map[string]any{"categories": []any{stmt(3, "a"), stmt(3, "b")}}),
			"categories[1].category", "category 3 is given twice")
	})
	t.Run("statement: 20,000 characters taken, 20,001 refused", func(t *testing.T) {
		Expect(t, put(cases+"/self-assessment", tm.applicant.Token, map[string]any{"categories": []any{stmt(2, big(20000))}}), 200)
		wantField(t, tm.in.Put(t, cases+"/self-assessment", tm.applicant.Token, map[string]any{"categories": []any{stmt(2, big(20001))}}),
			"categories[0].statement", "at most 20000 characters")
	})
	t.Run("portfolio numbers and dates in range", func(t *testing.T) {
		for _, tc := range []struct {
			field string
			value any
			limit string
		}{
			{"client_hours", 1e308, "from 0 to 100000"},
			{"client_hours", -1, "from 0 to 100000"},
			{"client_count", 100001, "from 0 to 100000"},
			{"cpd_hours_last_year", 8785, "from 0 to 8784"},
			{"supervision_hours_last_year", 9999, "from 0 to 8784"},
			{"feedback_items_last_12m", 1 << 40, "from 0 to 100000"},
			{"first_practice_date", "1000-01-01", "before 1900-01-01"},
			{"first_practice_date", "2999-01-01", "future"},
		} {
			t.Run(fmt.Sprintf("%s=%v", tc.field, tc.value), func(t *testing.T) {
				p := eiaPortfolio()
				p[tc.field] = tc.value
				wantField(t, tm.in.Put(t, cases+"/portfolio", tm.applicant.Token, p), tc.field, tc.limit)
			})
		}
		p := eiaPortfolio()
		p["client_hours"], p["cpd_hours_last_year"], p["first_practice_date"] = 100000, 8784, "1900-01-01"
		Expect(t, put(cases+"/portfolio", tm.applicant.Token, p), 200)
	})
	t.Run("supervision by quarter: four numbers, each within a quarter's hours", func(t *testing.T) {
		for _, tc := range []struct {
			quarters []float64
			field    string
			limit    string
		}{
			{[]float64{1, 1, 1}, "supervision_hours_by_quarter", "4 numbers, not 3"},
			{[]float64{1, 1, 1, 1, 1}, "supervision_hours_by_quarter", "4 numbers, not 5"},
			{[]float64{1, 2209, 1, 1}, "supervision_hours_by_quarter[1]", "from 0 to 2208"},
			{[]float64{1, 1, -1, 1}, "supervision_hours_by_quarter[2]", "from 0 to 2208"},
		} {
			p := eiaPortfolio()
			p["supervision_hours_by_quarter"] = tc.quarters
			wantField(t, tm.in.Put(t, cases+"/portfolio", tm.applicant.Token, p), tc.field, tc.limit)
		}
		p := eiaPortfolio()
		p["supervision_hours_by_quarter"] = []float64{2208, 0, 1.5, 1}
		Expect(t, put(cases+"/portfolio", tm.applicant.Token, p), 200)
		got := Expect(t, tm.in.Get(t, cases, tm.applicant.Token), 200).Map(t)["portfolio"].(map[string]any)["supervision_hours_by_quarter"]
		if fmt.Sprint(got) != "[2208 0 1.5 1]" {
			t.Fatalf("supervision_hours_by_quarter read back: got %v, want [2208 0 1.5 1], oldest first", got)
		}
	})
	t.Run("evidence: file name 255 bytes taken, 256 and 1 MB refused; title; repeated categories", func(t *testing.T) {
		up := func(name, title, cats string) Response {
			return Retry(t, func(h map[string]string) Response {
				return tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "other", "title": title, "categories": cats}, name, pdf, h)
			})
		}
		Expect(t, up(strings.Repeat("a", 251)+".pdf", "T", "1"), 201)
		wantField(t, up(strings.Repeat("a", 252)+".pdf", "T", "1"), "file", "at most 255 bytes")
		wantField(t, up(strings.Repeat("a", 1<<20)+".pdf", "T", "1"), "file", "at most 255 bytes")
		Expect(t, up("t.pdf", big(300), "1"), 201)
		wantField(t, up("t.pdf", big(301), "1"), "title", "at most 300 characters")
		wantField(t, up("t.pdf", "T", "1,2,1"), "categories[2]", "category 1 is given twice")
		wantField(t, up("t.pdf", "T", "1,2,3,4,5,6,7,8,8"), "categories", "at most 8 items")
	})
	t.Run("assessor profile: 30,000 copies of an id refused, a few repeats dropped", func(t *testing.T) {
		u := tm.in.CreateUser(t, tm.admin, "assessor", "rita@example.org", "Rita Repeat")
		profile := func(conflicts []string) map[string]any {
			return map[string]any{"schemes": []string{"EIA", "EIA"}, "max_level": "master_practitioner", "languages": []string{"en", "en"}, "conflicts": conflicts}
		}
		many := make([]string, 30000)
		for i := range many {
			many[i] = tm.applicant.ID
		}
		wantField(t, tm.in.Put(t, "/api/v1/users/"+u.ID+"/assessor-profile", tm.admin, profile(many)), "conflicts", "at most 500 items")
		got := Expect(t, put("/api/v1/users/"+u.ID+"/assessor-profile", tm.admin, profile(many[:3])), 200).Map(t)["assessor_profile"].(map[string]any)
		if fmt.Sprint(got["conflicts"], got["schemes"], got["languages"]) != fmt.Sprintf("[%s] [EIA] [en]", tm.applicant.ID) {
			t.Fatalf("stored profile: %v, want each item once", got)
		}
	})
	t.Run("disable and erasure reasons: 2,000 characters", func(t *testing.T) {
		u := tm.in.CreateUser(t, tm.admin, "applicant", "dora@example.org", "Dora Disabled")
		wantField(t, tm.in.Post(t, "/api/v1/users/"+u.ID+"/disable", tm.admin, map[string]string{"reason": big(2001)}), "reason", "at most 2000 characters")
		wantField(t, tm.in.Post(t, "/api/v1/users/"+u.ID+"/erasure", tm.admin, map[string]string{"reason": strings.Repeat("x", 700<<10)}), "reason", "at most 2000 characters")
		Expect(t, post("/api/v1/users/"+u.ID+"/disable", tm.admin, map[string]string{"reason": big(2000)}), 200)
	})
}

// TestAChangeOverTheStoreLimitIs413: each field within its limit, a change
// can still be more than one commit of the event store takes (1 MiB by
// default, the embedded server's max_payload). Just under, it is stored;
// just over, it is a 413 problem saying the limit, and nothing is written.
func TestAChangeOverTheStoreLimitIs413(t *testing.T) {
	tm := newTeam(t)
	id := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EQA", "level": "practitioner", "language": "en",
		"programme": map[string]string{"name": "Coaching Essentials", "provider": "Academy"}}, 201)["id"].(string)
	// A module of 20,000 four-byte characters is about 107 KB sealed: nine
	// come to about 960 KB, ten to about 1,070 KB.
	curriculum := func(n int) map[string]any {
		var items []map[string]any
		for i := range n {
			items = append(items, map[string]any{"category": 1 + i%8, "description": big(20000)})
		}
		return map[string]any{"contact_hours": 80, "completed_cycles": 2, "curriculum": items}
	}
	before := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["version"].(float64)
	p := Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, curriculum(10)), 413).Map(t)
	if p["type"] != "urn:accredit:problem:too_large" || p["max_commit_bytes"] != float64(1<<20) || p["commit_bytes"].(float64) <= 1<<20 {
		t.Fatalf("over the store's limit: got %v, want a too_large problem with max_commit_bytes %d", p, 1<<20)
	}
	if v := tm.get(t, "/api/v1/cases/"+id, tm.applicant.Token)["version"].(float64); v != before {
		t.Fatalf("a refused change was recorded: version %v, was %v", v, before)
	}
	// Just under the limit is stored. A megabyte commit on a busy machine
	// may outlast the command's wait for its own write: the documented
	// answer is 503 with Retry-After, and the client retries with the
	// same Idempotency-Key, as here.
	Expect(t, tm.in.Retrying(t, Request{Method: http.MethodPut, Path: "/api/v1/cases/" + id + "/portfolio", Token: tm.applicant.Token,
		Body: curriculum(9)}), 200)
}
