package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/api/openapi/openapitest"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestBadInputOnEveryCommandIsANamedRefusal runs the contract journey with
// every POST, PUT and PATCH it makes with success first sent wrong, each
// way the table below spoils its body: each must be a 4xx problem document
// (never a 2xx, never a 5xx) naming what was wrong, and must append
// nothing to the store.
func TestBadInputOnEveryCommandIsANamedRefusal(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole journey, with every command spoiled many ways")
	}
	ct := newContractTeam(t)
	ct.probed = map[string]bool{}
	contractJourney(t, ct)
	var missed []string
	for _, r := range ct.in.App.API.Routes() {
		if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
			continue
		}
		if op := r.Method + " " + openapitest.PathTemplate(r.Path); !ct.probed[op] {
			missed = append(missed, op)
		}
	}
	sort.Strings(missed)
	t.Logf("commands the journey does not make, so not probed here: %s", strings.Join(missed, ", "))
}

// TestBadInputOnTheOtherCommandsIsANamedRefusal is the sweep on the
// commands the contract journey does not make (TestBadInputOnEveryCommand
// IsANamedRefusal lists them), each in a state that allows it. The
// password-reset and email links are left to their own tests.
func TestBadInputOnTheOtherCommandsIsANamedRefusal(t *testing.T) {
	if testing.Short() {
		t.Skip("every command spoiled many ways")
	}
	tm := newTeam(t)
	probed := map[string]bool{}
	do := func(method, path, token string, body any, want int) map[string]any {
		t.Helper()
		probeBadInput(t, tm.in, probed, method, path, token, body)
		r := Expect(t, tm.in.Do(t, Request{Method: method, Path: path, Token: token, Body: body}), want)
		if len(r.Body) == 0 || r.Body[0] != '{' {
			return nil
		}
		return r.Map(t)
	}
	senior := tm.openSenior(t) // before the fee: none to pay
	awarded := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+awarded+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, awarded)
	d := tm.post(t, "/api/v1/cases/"+awarded+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}, 200)
	do("POST", "/api/v1/credentials/verification", "", map[string]string{"jwt": tm.credentialOf(t, d["accreditation"].(map[string]any)["id"].(string))}, 200)
	do("POST", "/api/v1/rulesets", tm.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"rules": []map[string]any{{"name": "fee", "values": map[string]any{"foundation": 300, "practitioner": 450, "senior_practitioner": 600, "master_practitioner": 750}}}}, 201)
	fee := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+fee+"/submit", tm.applicant.Token, declared, 200)
	do("POST", "/api/v1/cases/"+fee+"/payment", tm.admin, map[string]string{"status": "paid", "reference": "NL91 transfer 2026-0117"}, 200)

	tm.toAssessment(t, senior)
	path := "/api/v1/cases/" + senior
	at := tm.clock.Now().Add(48 * time.Hour).Truncate(time.Minute)
	do("POST", path+"/interview", tm.assessor.Token, map[string]any{"at": at, "place": "https://meet.example.org/emcc-interview"}, 200)
	tm.setClock(t, at.Add(2*time.Hour))
	do("POST", path+"/interview/record", tm.assessor.Token, map[string]any{"notes": "Reflective.", "observations": []map[string]any{{"category": 4, "notes": "Builds trust."}}}, 200)
	nina := tm.newAssessor(t, "nina@example.org", "Nina New")
	do("PUT", path+"/assignments/verifier", tm.admin, map[string]any{"assessor_id": nina.ID, "reason": "Fresh eyes."}, 200)
	do("POST", path+"/assignments/verifier/unassignment", tm.admin, map[string]any{"reason": "Away for a month."}, 200)

	do("POST", "/api/v1/auth/register", "", map[string]string{"email": "reg@example.org", "password": "a long enough password", "name": "Reg Istered"}, 201)
	u := do("POST", "/api/v1/users", tm.admin, map[string]string{"email": "made@example.org", "name": "Made User", "role": "assessor", "password": "password-of-made"}, 201)
	do("PUT", "/api/v1/users/"+u["id"].(string)+"/assessor-profile", tm.admin, map[string]any{"schemes": []string{"EIA"}, "max_level": "practitioner", "languages": []string{"en"}, "conflicts": []string{}}, 200)
	do("PUT", "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{}, "language": "nl"}, 200)
	do("POST", "/api/v1/self-checks/evaluation", "", map[string]any{"ratings": foundationRatings()}, 200)
	do("POST", "/api/v1/me/self-checks", tm.applicant.Token, map[string]any{"ratings": foundationRatings()}, 201)
	do("POST", "/api/v1/users/"+u["id"].(string)+"/sessions/revocation", tm.admin, nil, 200)
	do("POST", "/api/v1/me/sessions/revocation", tm.applicant.Token, nil, 200)
	do("POST", "/api/v1/me/password", tm.applicant.Token, map[string]string{"current_password": tm.applicant.Password, "new_password": "a fresh long passphrase"}, 204)
	t.Logf("probed: %v", slices.Sorted(maps.Keys(probed)))
}

// badBody is one spoiled request body: its bytes, its Content-Type, and
// the name the refusal must give ("" when any 4xx problem will do).
type badBody struct {
	name, contentType, field string
	body                     []byte
}

// badRequest is a badBody sent to path, when set, not the command's.
type badRequest struct {
	badBody
	path string
}

// badBodies spoils good (a request body that succeeds) every way the sweep
// knows: the body as a whole, then each of its properties in turn as its
// schema in the document (root) says it must not be.
func badBodies(good any, root *openapi3.Schema, optional bool) []badBody {
	const js = "application/json"
	out := []badBody{
		{"malformed JSON", js, "(body)", []byte(`{"a":`)},
		{"array", js, "(body)", []byte(`[]`)},
		{"string", js, "(body)", []byte(`"x"`)},
		{"number", js, "(body)", []byte(`1`)},
		{"null", js, "(body)", []byte(`null`)},
		{"unknown field", js, "zz_unknown", []byte(`{"zz_unknown":1}`)},
		{"text/plain", "text/plain", "Content-Type", []byte(`{}`)},
		{"form", "application/x-www-form-urlencoded", "Content-Type", []byte(`a=b`)},
		{"over the size limit", js, "", append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 1<<20)...), `"}`...)},
		{"invalid UTF-8", js, "(body)", []byte("{\"x\":\"\xff\"}")},
	}
	if !optional {
		out = append(out, badBody{"empty body", js, "(body)", nil})
	}
	obj, ok := good.(map[string]any)
	if !ok || len(obj) == 0 || root == nil {
		return out
	}
	withAt := func(path []any, v any) []byte {
		doc := cloneJSON(obj)
		setAt(doc, path, v)
		b, _ := json.Marshal(doc)
		return b
	}
	for _, leaf := range leaves(obj, nil) {
		name := pathName(leaf.path)
		sch := schemaAt(root, leaf.path)
		if sch == nil {
			continue
		}
		add := func(what string, v any) {
			out = append(out, badBody{name + ": " + what, js, name, withAt(leaf.path, v)})
		}
		raw := func(what, text string) {
			out = append(out, badBody{name + ": " + what, js, name, bytes.Replace(withAt(leaf.path, "\u00a7raw\u00a7"), []byte(`"\u00a7raw\u00a7"`), []byte(text), 1)})
		}
		if !sch.Nullable && (sch.Type == nil || !sch.Type.Includes("null")) {
			add("null", nil)
		}
		switch {
		case sch.Type.Is("string"):
			add("number", 12)
			add("object", map[string]any{"a": 1})
			if len(sch.Enum) > 0 {
				add("off the list", "zz-not-one-of-them")
			}
			if sch.MaxLength != nil {
				add("too long", strings.Repeat("x", int(*sch.MaxLength)+1))
			}
			if sch.MinLength > 0 {
				add("empty", "")
				add("zero-width only", "\u200b")
			}
			if v, _ := leaf.value.(string); looksLikeDate(v) {
				add("impossible date", "2026-02-30")
				add("date in another format", "15/01/2021")
			}
			if v, _ := leaf.value.(string); looksLikeTime(v) {
				add("impossible time", "2026-02-30T10:00:00Z")
				add("time without a zone", "2026-03-04T10:00:00")
				add("time in another format", "2026-03-04 10:00")
			}
			if v, _ := leaf.value.(string); looksLikeULID(v) {
				add("not a ULID", "not-a-ulid")
				add("ULID of nothing", ulid.Make().String())
			}
			if len(sch.Enum) == 0 && sch.Format == "" {
				add("control character", "a\x00b")
				add("escape character", "a\x1b[31mb")
				if sch.MaxLength == nil {
					add("unbounded", strings.Repeat("x", 200_000))
				}
			}
			if required(root, leaf.path) {
				add("empty (required)", "")
				add("zero-width only (required)", "\u200b\u200c")
			}
		case sch.Type.Is("integer"), sch.Type.Is("number"):
			add("string", "12")
			add("NaN as a string", "NaN")
			raw("1e309", "1e309")
			if sch.Type.Is("integer") {
				add("fraction", 1.5)
			}
			if sch.Min != nil {
				add("below the minimum", *sch.Min-1)
			} else {
				add("negative", -1)
			}
			if sch.Max != nil {
				add("above the maximum", *sch.Max+1)
			}
			add("huge", 1e300)
		case sch.Type.Is("boolean"):
			add("string", "true")
		case sch.Type.Is("array"):
			add("object", map[string]any{})
			add("string", "x")
			// A list of numbers or words given twice is a set, normalized
			// (evidence's indicators, a profile's languages); a list of
			// objects given twice is two answers for one thing.
			if v, _ := leaf.value.([]any); len(v) > 0 && (sch.UniqueItems || isObject(v[0])) {
				add("duplicate item", append(slices.Clone(v), v[0]))
			}
			if v, _ := leaf.value.([]any); len(v) > 0 && sch.MaxItems != nil {
				more := slices.Clone(v)
				for uint64(len(more)) <= *sch.MaxItems {
					more = append(more, v[0])
				}
				add("too many items", more)
			}
		case sch.Type.Is("object"):
			add("array", []any{})
			add("string", "x")
		}
	}
	return out
}

// schemaAt is the schema of the value at path in a body of schema root; nil
// when the document does not say.
func schemaAt(root *openapi3.Schema, path []any) *openapi3.Schema {
	s := root
	for _, p := range path {
		var next *openapi3.SchemaRef
		switch p := p.(type) {
		case string:
			next = s.Properties[p]
		case int:
			next = s.Items
		}
		if next == nil || next.Value == nil {
			return nil
		}
		s = next.Value
	}
	return s
}

type leaf struct {
	path  []any // string keys and int indices
	value any
}

// leaves lists the properties of v to spoil: every property of every
// object, the first item of every list standing for the others.
func leaves(v any, at []any) []leaf {
	var out []leaf
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(slices.Clone(at), k)
			out = append(out, leaf{p, v[k]})
			out = append(out, leaves(v[k], p)...)
		}
	case []any:
		if len(v) > 0 {
			p := append(slices.Clone(at), 0)
			if _, scalar := v[0].(map[string]any); !scalar {
				out = append(out, leaf{p, v[0]})
			}
			out = append(out, leaves(v[0], p)...)
		}
	}
	return out
}

func pathName(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

func cloneJSON(v map[string]any) map[string]any {
	b, _ := json.Marshal(v)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func setAt(doc any, path []any, v any) {
	for i, p := range path {
		last := i == len(path)-1
		switch p := p.(type) {
		case string:
			m := doc.(map[string]any)
			if last {
				m[p] = v
				return
			}
			doc = m[p]
		case int:
			l := doc.([]any)
			if last {
				l[p] = v
				return
			}
			doc = l[p]
		}
	}
}

func looksLikeDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-'
}

func looksLikeTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func looksLikeULID(s string) bool {
	_, err := ulid.ParseStrict(s)
	return err == nil
}

// probeBadInput sends each of badBodies(body) to method path as token and
// checks the refusal. It goes around apptest's Do, whose contract check
// would refuse these requests before they left.
func (ct *contractTeam) probeBadInput(t *testing.T, method, path, token string, body any) {
	t.Helper()
	probeBadInput(t, ct.in, ct.probed, method, path, token, body)
}

// probeBadInput is contractTeam.probeBadInput on in, recording in probed
// the operation it probed.
func probeBadInput(t *testing.T, in *Instance, probed map[string]bool, method, path, token string, body any) {
	t.Helper()
	var good any
	if body != nil {
		b, _ := json.Marshal(body)
		_ = json.Unmarshal(b, &good)
	}
	op := method + " " + templateOf(in, method, strings.SplitN(path, "?", 2)[0])
	probed[op] = true
	var root *openapi3.Schema
	optional := true
	if o := openapitest.MustDefault(t).Operation(op); o != nil && o.RequestBody != nil && o.RequestBody.Value != nil {
		optional = !o.RequestBody.Value.Required
		if mt := o.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			root = mt.Schema.Value
		}
	}
	var bads []badRequest
	for _, b := range badBodies(good, root, optional) {
		bads = append(bads, badRequest{badBody: b})
	}
	for i, seg := range strings.Split(path, "/") {
		if !looksLikeULID(seg) {
			continue
		}
		// The good body to an id that is not one, or is nobody's.
		b, _ := json.Marshal(body)
		if body == nil {
			b = nil
		}
		for _, id := range []string{"not-a-ulid", ulid.Make().String()} {
			segs := strings.Split(path, "/")
			segs[i] = id
			bads = append(bads, badRequest{badBody{fmt.Sprintf("path segment %d %s", i, id), "application/json", "", b}, strings.Join(segs, "/")})
		}
	}
	for _, bad := range bads {
		if documented(op, bad.name) {
			continue
		}
		to := path
		if bad.path != "" {
			to = bad.path
		}
		before := lastSeq(t, in)
		req, err := http.NewRequest(method, in.URL+to, bytes.NewReader(bad.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", bad.contentType)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		where := fmt.Sprintf("%s, %s", op, bad.name)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("%s: got %d, want a 4xx: %.300s", where, resp.StatusCode, b)
			if resp.StatusCode < 300 {
				return // taken: the command proper may no longer be allowed
			}
			continue
		}
		var p struct {
			Detail string `json:"detail"`
			Errors []struct {
				Field, Reason string
			} `json:"errors"`
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || json.Unmarshal(b, &p) != nil {
			t.Errorf("%s: %d as %q, not a problem document: %.300s", where, resp.StatusCode, ct, b)
			continue
		}
		names := func(field string) bool {
			return strings.Contains(p.Detail, field) || slices.ContainsFunc(p.Errors, func(e struct{ Field, Reason string }) bool {
				return strings.Contains(e.Field, field) || e.Field != "" && e.Field != "(body)" && strings.Contains(field, e.Field)
			})
		}
		if bad.field != "" && !names(bad.field) && (namedAs[op] == "" || !names(namedAs[op])) {
			t.Errorf("%s: %d does not name %q: %.300s", where, resp.StatusCode, bad.field, b)
		}
		if after := lastSeq(t, in); after != before {
			t.Errorf("%s: refused with %d, yet the store went from seq %d to %d", where, resp.StatusCode, before, after)
		}
	}
}

// templateOf is the document's path of the route that routes method path
// (/api/v1/cases/{id}/submit for /api/v1/cases/01J.../submit).
func templateOf(in *Instance, method, path string) string {
	got := strings.Split(path, "/")
routes:
	for _, r := range in.App.API.Routes() {
		want := strings.Split(r.Path, "/")
		if r.Method != method || len(want) != len(got) {
			continue
		}
		for i := range want {
			if !strings.HasPrefix(want[i], ":") && want[i] != got[i] {
				continue routes
			}
		}
		return openapitest.PathTemplate(r.Path)
	}
	return path
}

// required reports whether the property at path is one its object's
// schema requires.
func required(root *openapi3.Schema, path []any) bool {
	name, ok := path[len(path)-1].(string)
	parent := schemaAt(root, path[:len(path)-1])
	return ok && parent != nil && slices.Contains(parent.Required, name)
}

// notRefused are spoilings the document says are not wrong, by operation
// and the spoiling's name (a prefix of it: every spoiling of a field).
var notRefused = map[string][]string{
	// An empty statement, or an invisible one, removes the category's
	// (SelfAssessmentRequest).
	"PUT /api/v1/cases/{id}/self-assessment": {"categories[0].statement: empty", "categories[0].statement: zero-width"},
	// Keys the rule set does not ask for are ignored (SubmitRequest,
	// RenewalRequest): the refusal names the declaration not confirmed.
	"POST /api/v1/cases/{id}/submit":           {"declarations[0]: "},
	"POST /api/v1/accreditations/{id}/renewal": {"declarations[0]: "},
}

// namedAs is the one name an operation gives whatever is wrong with its
// body: a credential is verified as sent (a .jwt file, its JSON, or
// {"jwt": ...}), and what is not one is "credential".
var namedAs = map[string]string{"POST /api/v1/credentials/verification": "credential"}

func documented(op, spoiling string) bool {
	return slices.ContainsFunc(notRefused[op], func(p string) bool { return strings.HasPrefix(spoiling, p) })
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}
