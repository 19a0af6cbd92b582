package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain/cases"
)

// BenchmarkBindPortfolio is what bind costs a command: a portfolio's body,
// as the commands benchmark sends it, decoded with every check.
func BenchmarkBindPortfolio(b *testing.B) {
	body := []byte(`{"first_practice_date":"2021-01-15","client_hours":140,"client_count":14,"cpd_hours_last_year":20,` +
		`"supervision_hours_last_year":6,"supervision_hours_by_quarter":[2,1,2,1],"feedback_items_last_12m":6,` +
		`"reflection_items_last_12m":5,"professional_body_member":true}`)
	e := echo.New()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPut, "/api/v1/cases/01J/portfolio", bytes.NewReader(body))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		c := e.NewContext(req, httptest.NewRecorder())
		c.SetPath("/api/v1/cases/:id/portfolio")
		var p cases.PortfolioRequest
		if err := bind(c, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIntegerText: a number is an integer when its digits after the point
// are zeros, wherever the exponent puts the point; one no int64 holds is
// not rewritten (it is refused as out of range).
func TestIntegerText(t *testing.T) {
	for n, want := range map[string]string{
		"1.0": "1", "-25.00": "-25", "1e2": "100", "1E+2": "100", "0.05e2": "5", "10e-1": "1", "-0.0": "0", "0e5": "0",
		"9223372036854775807.0": "9223372036854775807", "9007199254740993.0": "9007199254740993",
		"1": "", "1.5": "", "100.50": "", "1e-1": "", "0.5": "", "1e19": "", "9223372036854775808.0": "", "1e400": "", "1e99999": "",
	} {
		if got := integerText(n); got != want {
			t.Errorf("integerText(%s): got %q, want %q", n, got, want)
		}
	}
}
