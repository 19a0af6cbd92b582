package api_test

import (
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestProseWithAControlCharacterIsRefused: prose (a statement, the
// interview's place, questions, a reason) may run over several lines, with
// tabs, as a form sends them (CR LF); NUL, an escape, a lone carriage
// return or a bidi override in it is a 400 naming the field, and nothing is
// recorded.
func TestProseWithAControlCharacterIsRefused(t *testing.T) {
	tm := newTeam(t)
	id := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "senior_practitioner", "language": "en"}, 201)["id"].(string)
	path := "/api/v1/cases/" + id
	p := eiaPortfolio()
	p["first_practice_date"], p["client_hours"], p["client_count"] = "2019-01-15", 300, 25
	Expect(t, tm.in.Put(t, path+"/portfolio", tm.applicant.Token, p), 200)
	version := func() any { return tm.get(t, path, tm.admin)["version"] }
	refused := func(r Response, field string) {
		t.Helper()
		wantField(t, r, field, "invisible or control character")
	}

	before := version()
	for _, bad := range []string{"Colour\x1b[31m red", "NUL\x00", "paid\rrefunded", "\u202etxt.exe", "a\u0085b"} {
		refused(tm.in.Put(t, path+"/self-assessment", tm.applicant.Token, map[string]any{"categories": []map[string]any{
			{"category": 1, "statement": "Fine"}, {"category": 2, "statement": bad}}}), "categories[1].statement")
	}
	if v := version(); v != before {
		t.Fatalf("a refused statement was recorded: version %v, was %v", v, before)
	}
	const prose = "First line\r\nSecond line\n\tindented, محمد\u200cرضا"
	var cats []map[string]any
	for cat := 1; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": prose})
	}
	Expect(t, tm.in.Put(t, path+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 200)
	tm.post(t, path+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, id)

	before = version()
	at := tm.clock.Now().Add(48 * time.Hour).Truncate(time.Minute)
	refused(tm.in.Post(t, path+"/interview", tm.assessor.Token, map[string]any{"at": at, "place": "Zeeburgerdijk 77\x1b[8m"}), "place")
	refused(tm.in.Post(t, path+"/information-requests", tm.assessor.Token, map[string]any{"questions": "Which \u2066clients\u2069?"}), "questions")
	refused(tm.in.Post(t, path+"/withdraw", tm.applicant.Token, map[string]any{"reason": "Moving\x00abroad"}), "reason")
	if v := version(); v != before {
		t.Fatalf("a refused text was recorded: version %v, was %v", v, before)
	}
	const place = "Quillfeather House\r\nZeeburgerdijk 77\r\nAmsterdam"
	tm.post(t, path+"/interview", tm.assessor.Token, map[string]any{"at": at, "place": place}, 200)
	c := tm.get(t, path, tm.assessor.Token)
	if got := c["interview"].(map[string]any)["place"]; got != place {
		t.Fatalf("the place over three lines: got %q, want %q", got, place)
	}
	if got := c["self_assessment"].([]any)[0].(map[string]any)["statement"]; got != prose {
		t.Fatalf("the statement over lines: got %q, want %q", got, prose)
	}

	u := tm.in.CreateUser(t, tm.admin, "applicant", "dora@example.org", "Dora Disabled")
	refused(tm.in.Post(t, "/api/v1/users/"+u.ID+"/disable", tm.admin, map[string]string{"reason": "Spam\x1b]8;;https://x.test\x07"}), "reason")
	if got := Expect(t, tm.in.Get(t, "/api/v1/users/"+u.ID, tm.admin), 200).Map(t); got["disabled"] == true {
		t.Fatalf("the user is disabled after a refused reason: %v", got)
	}
}

// TestABlankStatementAddressesNoCategory: a self-assessment statement that
// shows nothing (white space, a zero-width non-joiner, a Hangul filler, the
// blank braille pattern) is no statement, as an empty one is: it does not
// address its category in the checklist, and it clears a statement given
// before.
func TestABlankStatementAddressesNoCategory(t *testing.T) {
	tm := newTeam(t)
	id := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
	path := "/api/v1/cases/" + id
	put := func(statement string) map[string]any {
		t.Helper()
		return Expect(t, tm.in.Put(t, path+"/self-assessment", tm.applicant.Token, map[string]any{"categories": []map[string]any{
			{"category": 1, "statement": statement}}}), 200).Map(t)
	}
	addressed := func(c map[string]any) bool {
		for _, u := range c["checklist"].([]any) {
			if u.(map[string]any)["rule"] == "category_1_addressed" {
				return false
			}
		}
		return true
	}
	for _, blank := range []string{"", "  \n\t ", "\u200c", " \u200d\u200c\n", "\u3164", "\u2800\u2800", "\ufe0f", "\u00a0\u3000"} {
		if c := put(blank); addressed(c) || len(c["self_assessment"].([]any)) != 0 {
			t.Errorf("statement %q: self-assessment %v, category 1 addressed %v; want no statement, not addressed", blank, c["self_assessment"], addressed(c))
		}
		if c := put("How I contract with clients"); !addressed(c) {
			t.Fatalf("a statement that says something: category 1 not addressed: %v", c["checklist"])
		}
	}
}
