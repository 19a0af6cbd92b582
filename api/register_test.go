package api_test

import (
	"fmt"
	"slices"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// ids lists the accreditation ids of a register answer, in order.
func ids(v map[string]any) []string {
	var out []string
	for _, r := range v["accreditations"].([]any) {
		out = append(out, r.(map[string]any)["accreditation_id"].(string))
	}
	return out
}

// The register pages with ?limit and ?cursor beside the whole list, which is
// answered once per change with an ETag: a 304 while the register is the
// same, the new list once it changes.
func TestTheRegisterPagesAndAnswersAnUnchangedListWith304(t *testing.T) {
	tm := newTeam(t)
	var awarded []string
	for range 3 {
		_, acc := tm.awardedCase(t)
		awarded = append(awarded, acc)
	}
	whole := Expect(t, tm.in.Get(t, "/api/v1/register", ""), 200)
	var all map[string]any
	whole.JSON(t, &all)
	list := ids(all)
	if len(list) != 3 || all["next_cursor"] != nil {
		t.Fatalf("whole register: got %v, want the 3 awarded %v and no cursor", list, awarded)
	}
	etag := whole.Header.Get("ETag")
	if etag == "" {
		t.Fatal("the whole list has no ETag")
	}
	Expect(t, tm.in.Do(t, Request{Method: "GET", Path: "/api/v1/register", Header: map[string]string{"If-None-Match": etag}}), 304)

	p1 := tm.get(t, "/api/v1/register?limit=2", "")
	cur, _ := p1["next_cursor"].(string)
	if got := ids(p1); !slices.Equal(got, list[:2]) || cur != list[1] {
		t.Fatalf("page 1: got %v cursor %q, want %v cursor %q", got, cur, list[:2], list[1])
	}
	p2 := tm.get(t, "/api/v1/register?limit=2&cursor="+cur, "")
	if got := ids(p2); !slices.Equal(got, list[2:]) || p2["next_cursor"] != nil {
		t.Fatalf("page 2: got %v cursor %v, want %v and no cursor", got, p2["next_cursor"], list[2:])
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "cursor=" + cur, "limit=2&cursor=nope"} {
		Expect(t, tm.in.Get(t, "/api/v1/register?"+q, ""), 400)
	}

	// A revocation changes the register: the old ETag no longer matches.
	r := tm.post(t, "/api/v1/accreditations/"+list[0]+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint upheld."}, 200)
	after := Expect(t, tm.in.Do(t, Request{Method: "GET", Path: fmt.Sprintf("/api/v1/register?min_seq=%d", int(r["seq"].(float64))),
		Header: map[string]string{"If-None-Match": etag}}), 200)
	var now map[string]any
	after.JSON(t, &now)
	if got := ids(now); !slices.Equal(got, list[1:]) || after.Header.Get("ETag") == etag {
		t.Fatalf("after revoking %s: got %v with ETag %q, want %v with another ETag than %q", list[0], got, after.Header.Get("ETag"), list[1:], etag)
	}
	// A page may start after an accreditation no longer listed.
	if got := ids(tm.get(t, "/api/v1/register?limit=5&cursor="+list[0], "")); !slices.Equal(got, list[1:]) {
		t.Fatalf("page after the revoked %s: got %v, want %v", list[0], got, list[1:])
	}
}
