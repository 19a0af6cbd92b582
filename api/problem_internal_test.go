package api

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
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

// declaredCodes are the domain.Code constants as declared in package
// domain, read from its source so that a code added there is checked here
// without anyone listing it again.
func declaredCodes(t *testing.T) []domain.Code {
	t.Helper()
	fset := token.NewFileSet()
	var out []domain.Code
	files, err := filepath.Glob("../domain/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: a Code constant that is not a string literal", fset.Position(v.Pos()))
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, domain.Code(s))
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("found no domain.Code constants in ../domain")
	}
	return out
}

// TestEveryErrorCodeHasOneStatus pins the one mapping from domain error
// codes to HTTP statuses: every declared code has its own status (the
// reverse map relies on it), a 4xx for what the caller got wrong, a 5xx only
// for internal and unavailable; the table names no code that is not
// declared.
func TestEveryErrorCodeHasOneStatus(t *testing.T) {
	codes := declaredCodes(t)
	seen := map[int]domain.Code{}
	for _, c := range codes {
		s, ok := statusOf[c]
		if !ok {
			t.Errorf("code %q: no HTTP status in statusOf", c)
			continue
		}
		if other, dup := seen[s]; dup {
			t.Errorf("codes %q and %q: both %d, want a status each", other, c, s)
		}
		seen[s] = c
		switch c {
		case domain.Internal, domain.Unavailable:
			if s < 500 {
				t.Errorf("code %q: got %d, want a 5xx", c, s)
			}
		default:
			if s < 400 || s >= 500 {
				t.Errorf("code %q: got %d, want a 4xx", c, s)
			}
		}
		if got := codeOfStatus[s]; got != c {
			t.Errorf("status %d: reverse maps to %q, want %q", s, got, c)
		}
	}
	if len(statusOf) != len(codes) {
		t.Errorf("statusOf has %d codes, package domain declares %d: %v", len(statusOf), len(codes), codes)
	}
}

// TestErrorStatus: a wrapped domain error answers its code's status, an echo
// error its own, anything else 500: the web's error pages use the same.
func TestErrorStatus(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"a domain error", domain.Errorf(domain.Conflict, "stale"), http.StatusConflict},
		{"a wrapped domain error", fmt.Errorf("submit: %w", domain.Errorf(domain.Unprocessable, "not eligible")), http.StatusUnprocessableEntity},
		{"an internal domain error", domain.Errorf(domain.Internal, "bug"), http.StatusInternalServerError},
		{"an unknown code", domain.Errorf(domain.Code("no_such_code"), "?"), http.StatusInternalServerError},
		{"echo's own", echo.NewHTTPError(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed},
		{"a plain error", errors.New("disk full"), http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorStatus(tc.err); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
			if got := problemFor(tc.err).Status; got != tc.want {
				t.Fatalf("problem document: got %d, want %d", got, tc.want)
			}
		})
	}
}
