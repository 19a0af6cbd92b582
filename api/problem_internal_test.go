package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
)

// TestEvery503SaysWhenToComeBack: a 503 carries Retry-After whatever raised
// it, the error's own figure when it has one.
func TestEvery503SaysWhenToComeBack(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"unavailable without a figure", domain.Errorf(domain.Unavailable, "event store unavailable"), "1"},
		{"unavailable with a figure", &domain.Error{Code: domain.Unavailable, Message: "catching up", RetryAfter: 7}, "7"},
		{"echo's own 503", echo.NewHTTPError(http.StatusServiceUnavailable), "1"},
		{"a 404 has none", domain.Errorf(domain.NotFound, "no case"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := echo.New()
			rec := httptest.NewRecorder()
			c := e.NewContext(httptest.NewRequest(http.MethodPost, "/api/v1/cases", nil), rec)
			errorHandler(slog.New(slog.DiscardHandler))(tc.err, c)
			if got := rec.Header().Get("Retry-After"); got != tc.want {
				t.Fatalf("Retry-After: got %q, want %q (status %d)", got, tc.want, rec.Code)
			}
		})
	}
}
