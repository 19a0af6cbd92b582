package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestTheRequestHashOfAJSONBodyIsOfItsCanonicalForm: a retry that encodes
// the same JSON again (another key order, other spaces) is the same
// request; another value, or a body that is not JSON, is hashed as sent.
func TestTheRequestHashOfAJSONBodyIsOfItsCanonicalForm(t *testing.T) {
	s := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	hash := func(contentType, body string) string {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/cases/x/submit", strings.NewReader(body))
		req.Header.Set("Idempotency-Key", "k")
		req.Header.Set(echo.HeaderContentType, contentType)
		c := s.Echo.NewContext(req, httptest.NewRecorder())
		var h string
		if err := s.idempotency(func(c echo.Context) error {
			h, _ = c.Get("request_hash").(string)
			if b, _ := io.ReadAll(c.Request().Body); string(b) != body {
				t.Errorf("the handler read %q, want the body as sent %q", b, body)
			}
			return nil
		})(c); err != nil {
			t.Fatal(err)
		}
		return h
	}
	const a, b = `{"declared":true,"note":{"x":1.50,"y":[1,2]}}`, "{ \"note\" : {\"y\": [1, 2], \"x\": 1.50},\n \"declared\": true }"
	if hash("application/json", a) != hash("application/json; charset=utf-8", b) {
		t.Error("the same JSON in another key order and layout hashes differently")
	}
	for _, other := range []string{`{"declared":false,"note":{"x":1.50,"y":[1,2]}}`, `{"declared":true,"note":{"x":1.5,"y":[1,2]}}`, a + ` {}`} {
		if hash("application/json", a) == hash("application/json", other) {
			t.Errorf("%s hashes as %s", other, a)
		}
	}
	if hash("text/plain", a) == hash("text/plain", b) {
		t.Error("a body that is not application/json is not hashed as sent")
	}
}
