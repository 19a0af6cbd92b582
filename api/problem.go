package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []domain.FieldError `json:"errors,omitempty"`
	Extra     map[string]any      `json:"-"`
}

// MarshalJSON puts the extension members beside the standard ones.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	for k, v := range p.Extra {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// statusOf is the one table from domain error codes to HTTP statuses: the
// API's problem documents and the web's error pages both answer with it
// (ErrorStatus).
var statusOf = map[domain.Code]int{
	domain.Invalid:            http.StatusBadRequest,
	domain.NotFound:           http.StatusNotFound,
	domain.Conflict:           http.StatusConflict,
	domain.Forbidden:          http.StatusForbidden,
	domain.Unauthorized:       http.StatusUnauthorized,
	domain.PreconditionFailed: http.StatusPreconditionFailed,
	domain.Unprocessable:      http.StatusUnprocessableEntity,
	domain.TooLarge:           http.StatusRequestEntityTooLarge,
	domain.TooManyRequests:    http.StatusTooManyRequests,
	domain.Unavailable:        http.StatusServiceUnavailable,
	domain.Internal:           http.StatusInternalServerError,
}

var codeOfStatus = map[int]domain.Code{}

func init() {
	for c, s := range statusOf {
		codeOfStatus[s] = c
	}
}

// StatusOf returns the HTTP status of a domain error code; 500 for one the
// table does not know.
func StatusOf(c domain.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorStatus returns the HTTP status that answers err: its domain code's,
// an echo error's own, or 500 for anything else.
func ErrorStatus(err error) int {
	var de *domain.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
		return StatusOf(de.Code)
	case errors.As(err, &he):
		return he.Code
	}
	return http.StatusInternalServerError
}

// ProblemContentType is the media type of problem documents.
const ProblemContentType = "application/problem+json"

// errorHandler is the one mapping from errors to responses.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p := problemFor(err)
		p.Instance = c.Request().URL.Path
		p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		if p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
			log.Error("internal error", "request_id", p.RequestID, "route", c.Path(), "err", err)
		}
		var de *domain.Error
		if errors.As(err, &de) && de.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetryAfter))
		} else if p.Status == http.StatusServiceUnavailable || p.Status == http.StatusTooManyRequests {
			// Every 503 says when to come back: a client that follows the
			// retry contract needs it, whatever raised the error.
			c.Response().Header().Set("Retry-After", "1")
		}
		writeProblem(c, p)
	}
}

func writeProblem(c echo.Context, p Problem) {
	b, _ := json.Marshal(p)
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	c.Response().WriteHeader(p.Status)
	if c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write(b)
	}
}

func problemFor(err error) Problem {
	var de *domain.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
		status := StatusOf(de.Code)
		p := Problem{Type: problemType(de.Code), Title: http.StatusText(status), Status: status,
			Detail: domain.ErrorMessage(err), Errors: de.Fields, Extra: de.Extra}
		return p
	case errors.As(err, &he):
		code := codeOfStatus[he.Code]
		if code == "" {
			code = domain.Invalid
		}
		detail := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			detail = m
		}
		if he.Code >= 500 {
			detail = "internal error"
		}
		return Problem{Type: problemType(code), Title: http.StatusText(he.Code), Status: he.Code, Detail: detail}
	default:
		return Problem{Type: problemType(domain.Internal), Title: http.StatusText(500), Status: 500, Detail: "internal error"}
	}
}

func problemType(c domain.Code) string { return "urn:accredit:problem:" + string(c) }
