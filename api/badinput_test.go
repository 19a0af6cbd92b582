package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/api/openapi/openapitest"
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

// badBody is one spoiled request body: its bytes, its Content-Type, and
// the name the refusal must give ("" when any 4xx problem will do).
type badBody struct {
	name, contentType, field string
	body                     []byte
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
			if v, _ := leaf.value.(string); looksLikeULID(v) {
				add("not a ULID", "not-a-ulid")
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
			if v, _ := leaf.value.([]any); len(v) > 0 && sch.UniqueItems {
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

func looksLikeULID(s string) bool {
	_, err := ulid.ParseStrict(s)
	return err == nil
}

// probeBadInput sends each of badBodies(body) to method path as token and
// checks the refusal. It goes around apptest's Do, whose contract check
// would refuse these requests before they left.
func (ct *contractTeam) probeBadInput(t *testing.T, method, path, token string, body any) {
	t.Helper()
	var good any
	if body != nil {
		b, _ := json.Marshal(body)
		_ = json.Unmarshal(b, &good)
	}
	op := method + " " + openapitest.PathTemplate(strings.SplitN(path, "?", 2)[0])
	ct.probed[op] = true
	var root *openapi3.Schema
	optional := true
	if o := openapitest.MustDefault(t).Operation(op); o != nil && o.RequestBody != nil && o.RequestBody.Value != nil {
		optional = !o.RequestBody.Value.Required
		if mt := o.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			root = mt.Schema.Value
		}
	}
	for _, bad := range badBodies(good, root, optional) {
		before := lastSeq(t, ct.in)
		req, err := http.NewRequest(method, ct.in.URL+path, bytes.NewReader(bad.body))
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
		where := fmt.Sprintf("%s %s, %s", method, openapitest.PathTemplate(path), bad.name)
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
		if bad.field != "" && !strings.Contains(p.Detail, bad.field) && !slices.ContainsFunc(p.Errors, func(e struct{ Field, Reason string }) bool {
			return strings.Contains(e.Field, bad.field) || e.Field != "" && e.Field != "(body)" && strings.Contains(bad.field, e.Field)
		}) {
			t.Errorf("%s: %d does not name %q: %.300s", where, resp.StatusCode, bad.field, b)
		}
		if after := lastSeq(t, ct.in); after != before {
			t.Errorf("%s: refused with %d, yet the store went from seq %d to %d", where, resp.StatusCode, before, after)
		}
	}
}
