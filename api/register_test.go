package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
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
	// Read once the read side has applied the last award: a read waits
	// for nothing else, and on a busy machine the third may not be in yet.
	whole := Expect(t, tm.in.Get(t, fmt.Sprintf("/api/v1/register?min_seq=%d", lastSeq(t, tm.in)), ""), 200)
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
	// "*" matches any current representation (RFC 9110 13.1.2).
	Expect(t, tm.in.Do(t, Request{Method: "GET", Path: "/api/v1/register", Header: map[string]string{"If-None-Match": "*"}}), 304)

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

// The whole register is served gzipped to a client that accepts it (about
// 12 MB at 60k accreditations otherwise), compressed once per change: the
// same JSON once unzipped, its own entity tag, Vary: Accept-Encoding; a
// client that does not accept gzip (or refuses it with q=0) gets it plain.
func TestTheWholeRegisterIsGzippedForAClientThatAsks(t *testing.T) {
	tm := newTeam(t)
	for range 3 {
		tm.awardedCase(t)
	}
	settled := lastSeq(t, tm.in) // each read waits for the last award
	get := func(encoding, match string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/register?min_seq=%d", tm.in.URL, settled), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", encoding) // set: the transport then leaves the body as sent
		if match != "" {
			req.Header.Set("If-None-Match", match)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	plainResp, plain := get("identity", "")
	gzResp, zipped := get("br;q=1.0, gzip;q=0.8", "")
	if plainResp.StatusCode != 200 || gzResp.StatusCode != 200 {
		t.Fatalf("statuses %d and %d, want 200", plainResp.StatusCode, gzResp.StatusCode)
	}
	if ce := plainResp.Header.Get("Content-Encoding"); ce != "" {
		t.Fatalf("plain answer: Content-Encoding %q, want none", ce)
	}
	if ce, vary := gzResp.Header.Get("Content-Encoding"), gzResp.Header.Get("Vary"); ce != "gzip" || !strings.Contains(vary, "Accept-Encoding") {
		t.Fatalf("gzip answer: Content-Encoding %q, Vary %q; want gzip and Accept-Encoding", ce, vary)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatalf("the gzip answer does not unzip: %v", err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, plain) {
		t.Fatalf("unzipped (%v) it is %d bytes unlike the plain %d: %.200s", err, len(unzipped), len(plain), unzipped)
	}
	var all map[string]any
	if err := json.Unmarshal(plain, &all); err != nil || len(ids(all)) != 3 {
		t.Fatalf("the plain answer: %v, %.200s", err, plain)
	}
	plainTag, gzTag := plainResp.Header.Get("ETag"), gzResp.Header.Get("ETag")
	if plainTag == "" || gzTag == "" || plainTag == gzTag {
		t.Fatalf("entity tags %q (plain) and %q (gzip): want two, not equal", plainTag, gzTag)
	}
	if r, _ := get("gzip", gzTag); r.StatusCode != 304 {
		t.Errorf("gzip again with its tag: %d, want 304", r.StatusCode)
	}
	if r, _ := get("identity", gzTag); r.StatusCode != 200 {
		t.Errorf("plain with the gzip tag: %d, want 200 (another representation)", r.StatusCode)
	}
	if r, _ := get("gzip;q=0, identity", ""); r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip refused with q=0: %d, Content-Encoding %q; want 200 plain", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
}
