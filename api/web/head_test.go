package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/emcc/accredit/api/web"
)

// TestEveryPageAnswersHEAD: HEAD is GET without the body (RFC 9110
// 9.3.2), as link checkers and probes send it. Every page answers it
// with the status, media type and redirect GET gives, and no body.
func TestEveryPageAnswersHEAD(t *testing.T) {
	w := newWorld(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, w.in.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	pages := 0
	for _, r := range web.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		pages++
		path := strings.NewReplacer(":n", "5", "*", "app.css", ":rules", "eqa-2024-1", ":scheme", "eqa").Replace(r.Path)
		path = strings.NewReplacer(":case", "01J00000000000000000000000", ":ev", "01J00000000000000000000000", ":acc", "EMCC-EIA-0",
			":programme", "01J00000000000000000000000", ":user", "01J00000000000000000000000", ":message", "01J00000000000000000000000").Replace(path)
		get, _ := send(http.MethodGet, path)
		head, body := send(http.MethodHead, path)
		if head.StatusCode != get.StatusCode || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") ||
			head.Header.Get("Location") != get.Header.Get("Location") {
			t.Errorf("HEAD %s: %d %q to %q; GET gave %d %q to %q", path, head.StatusCode, head.Header.Get("Content-Type"), head.Header.Get("Location"),
				get.StatusCode, get.Header.Get("Content-Type"), get.Header.Get("Location"))
		}
		if len(body) != 0 {
			t.Errorf("HEAD %s sent a body of %d bytes", path, len(body))
		}
	}
	if pages < 30 {
		t.Fatalf("only %d pages walked", pages)
	}
}
