package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/framework"
)

// foundationRatings rates every Foundation indicator consistently.
func foundationRatings() []map[string]any {
	var out []map[string]any
	for _, in := range framework.Default().IndicatorsAt(framework.Foundation) {
		out = append(out, map[string]any{"indicator": in.Number, "rating": "consistently"})
	}
	return out
}

// TestSelfCheckAPI: anyone may have ratings evaluated, which writes
// nothing; a logged-in user keeps theirs, dated, and reads them back; no
// one else reads them, the office included; bad input is a problem
// document naming the field.
func TestSelfCheckAPI(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	ann := in.CreateUser(t, admin, "applicant", "ann@example.org", "Ann Applicant")
	bea := in.CreateUser(t, admin, "assessor", "bea@example.org", "Bea Assessor")
	ctx := context.Background()

	before, err := in.App.Events.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := Expect(t, in.Post(t, "/api/v1/self-checks/evaluation", "", map[string]any{"ratings": foundationRatings()}), 200).Map(t)
	if r["level"] != "foundation" || r["next_level"] != "practitioner" {
		t.Fatalf("evaluation: got %v -> %v, want foundation -> practitioner", r["level"], r["next_level"])
	}
	if after, _ := in.App.Events.LastSeq(ctx); after != before {
		t.Fatalf("an evaluation wrote to the store: last seq %d, then %d", before, after)
	}

	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"no ratings", map[string]any{}, "ratings"},
		{"unknown indicator", map[string]any{"ratings": []map[string]any{{"indicator": 999, "rating": "partly"}}}, "ratings[0].indicator"},
		{"bad rating", map[string]any{"ratings": []map[string]any{{"indicator": 1, "rating": "partly"}, {"indicator": 2, "rating": "often"}}}, "ratings[1].rating"},
		{"rated twice", map[string]any{"ratings": []map[string]any{{"indicator": 1, "rating": "partly"}, {"indicator": 1, "rating": "partly"}}}, "ratings[1].indicator"},
	} {
		for _, path := range []string{"/api/v1/self-checks/evaluation", "/api/v1/me/self-checks"} {
			p := Expect(t, in.Post(t, path, ann.Token, tc.body), 400)
			if ct := p.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%s %s: content type %q", tc.name, path, ct)
			}
			if fields := fmt.Sprint(p.Map(t)["errors"]); !strings.Contains(fields, tc.field) {
				t.Fatalf("%s %s: got %s, want the field %s named", tc.name, path, p.Body, tc.field)
			}
		}
	}
	Expect(t, in.Post(t, "/api/v1/me/self-checks", "", map[string]any{"ratings": foundationRatings()}), 401)

	first := Expect(t, in.Post(t, "/api/v1/me/self-checks", ann.Token, map[string]any{"ratings": []any{}}), 201).Map(t)
	saved := Expect(t, in.Post(t, "/api/v1/me/self-checks", ann.Token, map[string]any{"ratings": foundationRatings()}), 201)
	second := saved.Map(t)
	if saved.Header.Get("Location") != "/api/v1/me/self-checks/"+second["id"].(string) || second["level"] != "foundation" || second["taken_at"] == "" {
		t.Fatalf("saved: %s (Location %q)", saved.Body, saved.Header.Get("Location"))
	}
	list := Expect(t, in.Get(t, "/api/v1/me/self-checks", ann.Token), 200).Map(t)["self_checks"].([]any)
	var ids []string
	for _, it := range list {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	if !slices.Equal(ids, []string{second["id"].(string), first["id"].(string)}) {
		t.Fatalf("list: got %v, want the two newest first", ids)
	}
	Expect(t, in.Get(t, "/api/v1/me/self-checks/"+second["id"].(string), ann.Token), 200)
	for _, other := range []string{bea.Token, admin} {
		Expect(t, in.Get(t, "/api/v1/me/self-checks/"+second["id"].(string), other), 404)
		if l := Expect(t, in.Get(t, "/api/v1/me/self-checks", other), 200).Map(t)["self_checks"].([]any); len(l) != 0 {
			t.Fatalf("another user's list: got %d, want none", len(l))
		}
	}
	Expect(t, in.Get(t, "/api/v1/me/self-checks/not-an-id", ann.Token), 404)
	// They are in the user's export of their data, and in no one else's.
	if got := Expect(t, in.Get(t, "/api/v1/me/export", ann.Token), 200).Map(t)["self_checks"].([]any); len(got) != 2 {
		t.Fatalf("export: %d self-checks, want 2", len(got))
	}
	if got := Expect(t, in.Get(t, "/api/v1/me/export", bea.Token), 200).Map(t)["self_checks"].([]any); len(got) != 0 {
		t.Fatalf("another user's export: %d self-checks, want none", len(got))
	}
}

// TestARetriedSelfCheckAnswersItsOwnCheck: a retried save (same key, same
// ratings) is answered with the self-check its first attempt saved, not
// the user's latest one.
func TestARetriedSelfCheckAnswersItsOwnCheck(t *testing.T) {
	in := StartInMemory(t)
	ann := in.CreateUser(t, in.AdminToken(t), "applicant", "ann@example.org", "Ann")
	save := func(key string, ratings any) Response {
		return in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/me/self-checks", Token: ann.Token, Body: map[string]any{"ratings": ratings}, Header: keyed(key)})
	}
	first := Expect(t, save("sc-1", []any{}), 201)
	Expect(t, save("sc-2", foundationRatings()), 201)
	retry := Expect(t, save("sc-1", []any{}), 201)
	if a, b := first.Header.Get("Location"), retry.Header.Get("Location"); a != b || first.Map(t)["id"] != retry.Map(t)["id"] {
		t.Fatalf("the retry of the first save answers %s (%v), the first answered %s (%v)", b, retry.Map(t)["id"], a, first.Map(t)["id"])
	}
}
