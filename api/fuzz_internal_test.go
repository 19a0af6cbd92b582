package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/cases"
)

// clientError fails unless err is a domain error that the API answers with
// a 4xx naming what was wrong: outside input never makes a 5xx or a panic.
func clientError(t *testing.T, err error) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("got %T %v, want a *domain.Error", err, err)
	}
	if s := statusOf[de.Code]; s < 400 || s >= 500 || de.Message == "" {
		t.Fatalf("got %s (%d) %q, want a 4xx with a message", de.Code, s, de.Message)
	}
}

func echoContext(method, target string, body []byte) echo.Context {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set(echo.HeaderContentType, "application/json")
	return echo.New().NewContext(req, httptest.NewRecorder())
}

// FuzzBindJSON: any body either binds (and then binds again the same after
// a round trip through JSON) or is a 4xx problem.
func FuzzBindJSON(f *testing.F) {
	for _, s := range []string{
		`{"scheme":"EIA","level":"practitioner","language":"en"}`,
		`{"scheme":"EQA","level":"foundation","language":"nl","programme":{"name":"P","provider":"Q"}}`,
		`{"client_hours":1e308,"client_count":-1,"first_practice_date":"1000-01-01"}`,
		`{"ratings":[{"category":1,"rating":"evidenced","indicators":[1,2],"notes":"x"}],"recommendation":"award"}`,
		`{"categories":[{"category":3,"statement":"één"}]}`,
		`{"scheme":"EIA"} {"scheme":"EQA"}`, `{"unknown":1}`, `[]`, `null`, ``, `{"client_count":1.5}`,
		`{"scheme":"\ud800"}`, `{"level":` + string(bytes.Repeat([]byte("["), 2000)),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []func() any{
			func() any { return &openCaseRequest{} },
			func() any { return &cases.PortfolioRequest{} },
			func() any { return &assessmentRequest{} },
			func() any { return &selfAssessmentRequest{} },
		}
		for _, mk := range targets {
			v := mk()
			err := bind(echoContext(http.MethodPost, "/", body), v)
			if err != nil {
				clientError(t, err)
				continue
			}
			again, err := jsonRoundTrip(v)
			if err != nil {
				t.Fatalf("%T: bound, but its own JSON does not bind: %v", v, err)
			}
			w := mk()
			if err := bind(echoContext(http.MethodPost, "/", again), w); err != nil {
				t.Fatalf("%T: bound, but its own JSON %s is refused: %v", v, again, err)
			}
			if !reflect.DeepEqual(v, w) {
				t.Fatalf("%T: round trip changed %+v into %+v", v, v, w)
			}
		}
	})
}

func jsonRoundTrip(v any) ([]byte, error) { return json.Marshal(v) }

// FuzzPathAndQuery: path and query parameters parse or are a 4xx.
func FuzzPathAndQuery(f *testing.F) {
	f.Add("01M8SQKWJ1AVRS2NGDTJA2EVY9", "12", "2026-01-31", "12.3", "1,2,3")
	f.Add("../../etc/passwd", "-1", "2026-01-31T09:00:00Z", "18446744073709551616.0", "[1, 2]")
	f.Add("01m8sqkwj1avrs2ngdtja2evy9", "1e3", "31-01-2026", "1.-1", "1,,2")
	f.Add("", "", "", ".", "")
	f.Fuzz(func(t *testing.T, id, number, date, cursor, list string) {
		e := echo.New()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/?"+url.Values{"from": {date}, "cursor": {cursor}}.Encode(), nil), httptest.NewRecorder())
		c.SetParamNames("id", "number")
		c.SetParamValues(id, number)
		if got, err := caseID(c); err != nil {
			clientError(t, err)
		} else if got != id || len(got) != 26 {
			t.Fatalf("caseID: got %q from %q", got, id)
		}
		if n, err := pathInt(c, "number"); err != nil {
			clientError(t, err)
		} else if fmt.Sprint(n) != number && "+"+fmt.Sprint(n) != number && !leadingZeros(number) {
			t.Fatalf("pathInt: got %d from %q", n, number)
		}
		if _, err := queryTime(c, "from"); err != nil {
			clientError(t, err)
		}
		if cur, err := parseCursor(c.QueryParam("cursor")); err != nil {
			clientError(t, err)
		} else if cursor != "" {
			back, err := parseCursor(fmt.Sprintf("%d.%d", cur.Seq, cur.Index))
			if err != nil || back != cur {
				t.Fatalf("cursor %q: got %+v, and %+v %v from its own form", cursor, cur, back, err)
			}
		}
		if _, err := queryEnum(c, "from", []string{"a", "b"}); err != nil {
			clientError(t, err)
		}
		if ns, err := intList("categories", list); err != nil {
			clientError(t, err)
		} else if len(ns) > len(list) {
			t.Fatalf("intList: %d numbers from %d bytes", len(ns), len(list))
		}
	})
}

func leadingZeros(s string) bool {
	s = trimSign(s)
	return len(s) > 1 && s[0] == '0'
}

func trimSign(s string) string {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		return s[1:]
	}
	return s
}
