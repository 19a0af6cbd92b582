package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
)

// updateCaseViews rewrites testdata/caseviews from what the API answers now.
var updateCaseViews = flag.Bool("update-case-views", false, "rewrite api/testdata/caseviews/*.json from the current answers")

// caseViews records the case JSON the API answers, command answers and
// GET /api/v1/cases/{id} as every role, through a scenario, and compares it
// with the golden file of the scenario: the public case JSON is a contract,
// so any field added, dropped, renamed, or turned from absent into null (or
// back) fails here. Ids (ULIDs) are numbered in order of appearance, so the
// files do not depend on the random ids of a run.
type caseViews struct {
	tm      *team
	name    string
	steps   []any
	ids     map[string]string
	outside User // an assessor on no case, who may claim
	// reviewer is an office user who took no part: appeals are theirs.
	reviewer User
}

func newCaseViews(t *testing.T, tm *team, name string) *caseViews {
	t.Helper()
	return &caseViews{tm: tm, name: name, ids: map[string]string{},
		outside:  tm.newAssessor(t, "olga@example.org", "Olga Outsider"),
		reviewer: tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")}
}

var ulidPattern = regexp.MustCompile(`[0-9A-HJKMNP-TV-Z]{26}`)

// normal decodes body with numbers kept as written, and replaces every
// ULID by its number of appearance, walking objects in key order.
func (cv *caseViews) normal(t *testing.T, body []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return cv.walk(v)
}

func (cv *caseViews) walk(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}) {
			x[k] = cv.walk(x[k])
		}
		return x
	case []any:
		for i := range x {
			x[i] = cv.walk(x[i])
		}
		return x
	case string:
		return ulidPattern.ReplaceAllStringFunc(x, func(id string) string {
			n, ok := cv.ids[id]
			if !ok {
				n = fmt.Sprintf("<id %d>", len(cv.ids)+1)
				cv.ids[id] = n
			}
			return n
		})
	}
	return v
}

// answer records a command's answer (it must be status want) and returns it
// decoded.
func (cv *caseViews) answer(t *testing.T, step string, r Response, want int) map[string]any {
	t.Helper()
	Expect(t, r, want)
	got := cv.normal(t, r.Body)
	// The seq is the store's position, which any other stream's writes
	// move: that it is there is the contract, not its value.
	if m, ok := got.(map[string]any); ok && m["seq"] != nil {
		m["seq"] = "<seq>"
	}
	cv.steps = append(cv.steps, map[string]any{"step": step, "answer": got})
	return r.Map(t)
}

// views records case id as the applicant, the assessor, the verifier, an
// assessor on no case and the office see it (the status alone when not 200).
func (cv *caseViews) views(t *testing.T, step, id string) {
	t.Helper()
	tm := cv.tm
	seen := map[string]any{}
	for _, who := range []struct{ name, token string }{
		{"applicant", tm.applicant.Token}, {"assessor", tm.assessor.Token}, {"verifier", tm.verifier.Token},
		{"outside_assessor", cv.outside.Token}, {"office", tm.admin},
	} {
		if who.token == "" {
			continue
		}
		r := tm.in.Get(t, "/api/v1/cases/"+id, who.token)
		if r.Status != 200 {
			seen[who.name] = map[string]any{"status": r.Status}
			continue
		}
		seen[who.name] = cv.normal(t, r.Body)
	}
	cv.steps = append(cv.steps, map[string]any{"step": step, "views": seen})
}

// relogin logs the outside assessor and the reviewer in again after the
// clock moved.
func (cv *caseViews) relogin(t *testing.T) {
	t.Helper()
	for _, u := range []*User{&cv.outside, &cv.reviewer} {
		u.Token = cv.tm.in.Login(t, u.Email, u.Password)
	}
}

// check compares what was recorded with the golden file (or writes it).
func (cv *caseViews) check(t *testing.T) {
	t.Helper()
	path := filepath.Join("testdata", "caseviews", cv.name+".json")
	got, err := json.MarshalIndent(cv.steps, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if *updateCaseViews {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run with -update-case-views to write it)", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var want []any
	if err := d.Decode(&want); err != nil {
		t.Fatalf("golden file %s: %v", path, err)
	}
	// Round-trip what was recorded the same way, so both sides hold the
	// same Go types.
	d = json.NewDecoder(bytes.NewReader(got))
	d.UseNumber()
	var have []any
	if err := d.Decode(&have); err != nil {
		t.Fatal(err)
	}
	if len(have) != len(want) {
		t.Fatalf("%s: %d steps recorded, golden file has %d", cv.name, len(have), len(want))
	}
	for i := range want {
		var diffs []string
		diff("", have[i], want[i], &diffs)
		if len(diffs) > 0 {
			step := want[i].(map[string]any)["step"]
			if len(diffs) > 20 {
				diffs = append(diffs[:20], "…")
			}
			t.Errorf("%s, step %d (%v): the case JSON changed:\n  %s", cv.name, i, step, strings.Join(diffs, "\n  "))
		}
	}
}

// diff lists where got and want differ, by JSON path.
func diff(path string, got, want any, out *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: got %s, want an object", path, show(got)))
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				*out = append(*out, fmt.Sprintf("%s.%s: absent, want %s", path, k, show(wv)))
				continue
			}
			diff(path+"."+k, gv, wv, out)
		}
		for k, gv := range g {
			if _, ok := w[k]; !ok {
				*out = append(*out, fmt.Sprintf("%s.%s: got %s, want it absent", path, k, show(gv)))
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, show(got), show(want)))
			return
		}
		for i := range w {
			diff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], out)
		}
	default:
		if !reflect.DeepEqual(got, want) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, show(got), show(want)))
		}
	}
}

func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:120]) + "…"
	}
	return string(b)
}

func TestCaseJSONEIAThroughEveryState(t *testing.T) {
	tm := newTeam(t)
	cv := newCaseViews(t, tm, "eia")
	in := tm.in
	app := tm.applicant.Token
	c := cv.answer(t, "open", in.Post(t, "/api/v1/cases", app, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201)
	id := c["id"].(string)
	cv.views(t, "draft, empty", id)
	cv.answer(t, "portfolio", in.Put(t, "/api/v1/cases/"+id+"/portfolio", app, eiaPortfolio()), 200)
	cv.answer(t, "evidence added", in.Upload(t, id, app, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1,2", "indicators": "31,34"}, "reflections.pdf", pdf, nil), 201)
	up := cv.answer(t, "more evidence", in.Upload(t, id, app, map[string]string{"kind": "other", "title": "A note"}, "note.md", []byte("# A note\n"), nil), 201)
	extra := up["evidence"].([]any)[1].(map[string]any)["id"].(string)
	cv.answer(t, "evidence removed", in.Do(t, Request{Method: "DELETE", Path: "/api/v1/cases/" + id + "/evidence/" + extra, Token: app}), 200)
	var cats []map[string]any
	for cat := 3; cat <= 7; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("How I work on category %d", cat)})
	}
	cv.answer(t, "self-assessment, one category short", in.Put(t, "/api/v1/cases/"+id+"/self-assessment", app, map[string]any{"categories": cats}), 200)
	cv.views(t, "draft, checklist of one", id)
	cv.answer(t, "self-assessment complete", in.Put(t, "/api/v1/cases/"+id+"/self-assessment", app, map[string]any{"categories": []map[string]any{{"category": 8, "statement": "How I work on category 8"}}}), 200)
	cv.answer(t, "submit", in.Post(t, "/api/v1/cases/"+id+"/submit", app, declared), 200)
	cv.views(t, "submitted", id)
	cv.answer(t, "screened: returned", in.Post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "returned", "reason": "Please add your supervisor's reference."}), 200)
	cv.views(t, "returned", id)
	tm.clock.Advance(time.Hour)
	cv.answer(t, "resubmit", in.Post(t, "/api/v1/cases/"+id+"/submit", app, declared), 200)
	cv.answer(t, "screened: accepted", in.Post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}), 200)
	cv.views(t, "awaiting assessment", id)
	cv.answer(t, "claim", in.Post(t, "/api/v1/cases/"+id+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}), 200)
	cv.views(t, "awaiting assessment, one role held", id)
	cv.answer(t, "assign", in.Post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": tm.verifier.ID, "role": "verifier"}), 200)
	cv.views(t, "in assessment", id)
	cv.answer(t, "information requested", in.Post(t, "/api/v1/cases/"+id+"/information-requests", tm.assessor.Token, map[string]string{"questions": "Which supervisor signed the reference?"}), 200)
	cv.views(t, "information requested", id)
	cv.answer(t, "information provided", in.Post(t, "/api/v1/cases/"+id+"/information-responses", app, map[string]string{"answer": "Dr. Sup Ervisor."}), 200)
	cv.answer(t, "assessed: award", in.Post(t, "/api/v1/cases/"+id+"/assessments", tm.assessor.Token, map[string]any{"ratings": allRatings("evidenced", map[int][]int{1: {31}}),
		"recommendation": "award", "rationale": "Consistent practitioner-level evidence."}), 200)
	cv.views(t, "in assessment, one assessment in", id)
	cv.answer(t, "assessed: not award", in.Post(t, "/api/v1/cases/"+id+"/assessments", tm.verifier.Token, map[string]any{"ratings": allRatings("partially_evidenced", nil),
		"recommendation": "not_award", "rationale": "Thin on supervision."}), 200)
	cv.views(t, "moderation", id)
	cv.answer(t, "moderated", in.Post(t, "/api/v1/cases/"+id+"/moderation", tm.admin, map[string]string{"recommendation": "not_award", "rationale": "The verifier is right."}), 200)
	cv.views(t, "awaiting decision, moderated", id)
	cv.answer(t, "decided: not awarded", in.Post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not enough supervision."}), 200)
	cv.views(t, "not awarded", id)
	tm.setClock(t, tm.clock.Now().Add(48*time.Hour))
	cv.relogin(t)
	cv.answer(t, "appeal", in.Post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "The reference was overlooked."}), 200)
	cv.views(t, "appealed", id)
	cv.answer(t, "appeal upheld: back to decision", in.Post(t, "/api/v1/cases/"+id+"/appeal/decision", cv.reviewer.Token, map[string]string{"outcome": "upheld", "rationale": "It was.", "return_to": "decision"}), 200)
	cv.views(t, "awaiting decision after an upheld appeal", id)
	d := cv.answer(t, "decided: awarded", in.Post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the practitioner level."}), 200)
	cv.views(t, "awarded", id)
	accID := d["accreditation"].(map[string]any)["id"].(string)
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	cv.relogin(t)
	cv.answer(t, "renewal submitted", in.Post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, eiaRenewalBody()), 200)
	cv.views(t, "awarded, renewal submitted", id)
	// The renewal's one assessor is an assessor on no case until now.
	cv.answer(t, "renewal assigned", in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": cv.outside.ID}), 200)
	cv.views(t, "awarded, renewal assigned", id)
	cv.answer(t, "renewed", in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", cv.outside.Token, map[string]string{"outcome": "renew", "rationale": "Five years evidenced."}), 200)
	cv.views(t, "awarded, renewed", id)
	cv.answer(t, "accreditation revoked", in.Post(t, "/api/v1/accreditations/"+accID+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint upheld."}), 200)
	cv.views(t, "awarded, accreditation revoked", id)
	cv.check(t)
}

func TestCaseJSONAppealsWithdrawalAndEQA(t *testing.T) {
	tm := newTeam(t)
	cv := newCaseViews(t, tm, "appeals-withdrawal-eqa")
	in := tm.in
	// Withdrawn before a decision, with a reason.
	w := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+w+"/submit", tm.applicant.Token, declared, 200)
	cv.answer(t, "withdrawn", in.Post(t, "/api/v1/cases/"+w+"/withdraw", tm.applicant.Token, map[string]string{"reason": "Moving abroad."}), 200)
	cv.views(t, "withdrawn", w)

	// Refused, appealed, back to assessment; refused again, appeal dismissed.
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not enough depth."}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "The assessors missed category 2."}, 200)
	cv.answer(t, "appeal upheld: back to assessment", in.Post(t, "/api/v1/cases/"+id+"/appeal/decision", cv.reviewer.Token, map[string]string{"outcome": "upheld", "rationale": "Reassess.", "return_to": "assessment"}), 200)
	cv.views(t, "in assessment again after an upheld appeal", id)
	for _, u := range []User{tm.assessor, tm.verifier} {
		tm.post(t, "/api/v1/cases/"+id+"/assessments", u.Token, map[string]any{"ratings": allRatings("not_evidenced", nil), "recommendation": "not_award", "rationale": "Still thin."}, 200)
	}
	tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Still not enough depth."}, 200)
	cv.views(t, "refused a second time", id)
	tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "Again."}, 200)
	second := in.CreateUser(t, tm.admin, "office", "sam@example.org", "Sam Second")
	cv.answer(t, "appeal dismissed", in.Post(t, "/api/v1/cases/"+id+"/appeal/decision", second.Token, map[string]string{"outcome": "dismissed", "rationale": "No new grounds."}), 200)
	cv.views(t, "refused, appeal dismissed", id)

	// EQA: a programme, awarded at a lower level, withdrawn by the holder.
	c := cv.answer(t, "EQA opened", in.Post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EQA", "level": "senior_practitioner", "language": "nl",
		"programme": map[string]string{"name": "Coachopleiding Plus", "provider": "Academie Noord"}}), 201)
	q := c["id"].(string)
	var curriculum []map[string]any
	for cat := 1; cat <= 8; cat++ {
		item := map[string]any{"category": cat, "description": fmt.Sprintf("Module %d", cat)}
		if cat == 1 {
			item["indicators"] = []int{31}
		}
		curriculum = append(curriculum, item)
	}
	cv.answer(t, "EQA portfolio", in.Put(t, "/api/v1/cases/"+q+"/portfolio", tm.applicant.Token, map[string]any{"contact_hours": 150, "completed_cycles": 2, "curriculum": curriculum}), 200)
	Expect(t, in.Upload(t, q, tm.applicant.Token, map[string]string{"kind": "programme_document", "title": "Curriculum", "categories": "1,2,3,4,5,6,7,8"}, "curriculum.md", []byte("# Curriculum\n\nEight modules."), nil), 201)
	cv.views(t, "EQA draft", q)
	tm.post(t, "/api/v1/cases/"+q+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, q)
	cv.answer(t, "EQA awarded lower", in.Post(t, "/api/v1/cases/"+q+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "One level lower."}), 200)
	cv.views(t, "EQA awarded at a lower level", q)
	acc := tm.get(t, "/api/v1/cases/"+q, tm.admin)["accreditation"].(map[string]any)["id"].(string)
	cv.answer(t, "EQA accreditation withdrawn", in.Post(t, "/api/v1/accreditations/"+acc+"/withdrawal", tm.applicant.Token, map[string]string{"reason": "Programme closed."}), 200)
	cv.views(t, "EQA accreditation withdrawn", q)
	cv.check(t)
}

func TestCaseJSONExpiredAndErased(t *testing.T) {
	tm := newTeam(t)
	cv := newCaseViews(t, tm, "expired-erased")
	id, _ := tm.awardedCase(t)
	tm.setClock(t, time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC))
	cv.relogin(t)
	if n, err := tm.in.App.RunExpiry(t.Context()); err != nil || n != 1 {
		t.Fatalf("expiry: got %d, %v, want 1", n, err)
	}
	cv.views(t, "accreditation expired", id)
	tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)
	tm.applicant.Token = ""
	cv.views(t, "applicant erased", id)
	cv.check(t)
}

// A command's answer is the case as that command left it: built from the
// state it decided on, not read again, so a write that follows at once
// does not show in it; its version is the command's own.
func TestACommandAnswersWithTheStateItDecidedOn(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	cs := tm.in.App.Cases
	applicant := domain.Actor{ID: tm.applicant.ID, Role: domain.RoleApplicant}
	res, err := cs.UpdateSelfAssessment(t.Context(), aggregate.Meta{Actor: applicant}, id, []cases.SelfAssessment{{Category: 3, Statement: "First words"}})
	if err != nil {
		t.Fatal(err)
	}
	// Someone writes right after.
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)

	v, version, err := cs.Answer(t.Context(), applicant, id, res)
	if err != nil {
		t.Fatal(err)
	}
	if version != res.Version || v.Version != res.Version || v.State != "draft" || v.Statement(3) != "First words" {
		t.Fatalf("answer: version %d (view %d), state %s, statement %q; want version %d, draft, %q",
			version, v.Version, v.State, v.Statement(3), res.Version, "First words")
	}
	now, nowVersion, err := cs.Get(t.Context(), applicant, id)
	if err != nil || now.State != "submitted" || nowVersion != res.Version+1 {
		t.Fatalf("the case now: state %v, version %d, %v; want submitted at %d", now.State, nowVersion, err, res.Version+1)
	}
}
