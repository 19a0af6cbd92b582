package api_test

import (
	"io"
	"net/http"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestEveryGETAnswersHEAD: HEAD is GET without the body (RFC 9110 9.3.2);
// load balancers probe /healthz by it and link checkers send it. Each GET
// route answers HEAD with the status and media type GET gives, no body.
func TestEveryGETAnswersHEAD(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	send := func(method, path, token string) (int, string, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, in.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	if status, _, body := send(http.MethodHead, "/healthz", ""); status != http.StatusOK || len(body) != 0 {
		t.Fatalf("HEAD /healthz: %d with %d bytes, want 200 and none", status, len(body))
	}
	if status, typ, _ := send(http.MethodHead, "/api/v1/me", ""); status != http.StatusUnauthorized || typ != "application/problem+json" {
		t.Fatalf("HEAD /api/v1/me anonymous: %d %q, want 401 as a problem", status, typ)
	}
	gets := 0
	for _, r := range in.App.API.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		gets++
		path := fillParams(r.Path)
		t.Run(r.Path, func(t *testing.T) {
			wantStatus, wantType, _ := send(http.MethodGet, path, admin)
			status, typ, body := send(http.MethodHead, path, admin)
			if status != wantStatus || typ != wantType {
				t.Fatalf("HEAD %s: %d %q; GET gave %d %q", path, status, typ, wantStatus, wantType)
			}
			if len(body) != 0 {
				t.Fatalf("HEAD %s sent a body of %d bytes", path, len(body))
			}
		})
	}
	if gets < 20 {
		t.Fatalf("only %d GET routes walked", gets)
	}
}
