// Package openapitest checks HTTP traffic against the Accredit API contract
// (api/openapi/openapi.json) with kin-openapi. It is for tests only: the
// server never imports it, so kin-openapi stays out of accreditd.
//
// A request and its answer are checked both ways:
//   - the route must be in the document; an undocumented route of the API
//     (under /api/) may only answer 404 or 405, with a problem document;
//     other paths (the web application's pages) are not the contract's;
//   - a request the document rejects (a missing field, a wrong type, no
//     bearer token) must not succeed: the server must answer it with a 4xx,
//     and with a 401 when only the token is missing;
//   - every answer must be one the document lists for the operation, with
//     its headers and a body matching its schema (problem documents too).
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/emcc/accredit/api/openapi"
)

func init() {
	// The reference page is HTML; kin-openapi decodes only a few media types.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	// A credential is a compact JWS, text (VC-JOSE-COSE).
	openapi3filter.RegisterBodyDecoder("application/vc+jwt", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.PlainBodyDecoder)
	// JSON lines are checked as an array of their objects.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", ndjsonDecoder)
}

func ndjsonDecoder(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	dec := json.NewDecoder(body)
	out := []any{}
	for {
		var v any
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("line %d: %w", len(out)+1, err)
		}
		out = append(out, v)
	}
}

// Contract is the loaded document and its router.
type Contract struct {
	Doc    *openapi3.T
	router routers.Router

	mu   sync.Mutex
	seen map[string]map[int]bool // operation -> statuses answered
}

// Load parses and validates spec (an OpenAPI document in JSON).
func Load(spec []byte) (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI document: %w", err)
	}
	return &Contract{Doc: doc, router: r, seen: map[string]map[int]bool{}}, nil
}

var (
	sharedOnce sync.Once
	shared     *Contract
	sharedErr  error
)

// Default is the embedded document (openapi.Spec()), loaded once.
func Default() (*Contract, error) {
	sharedOnce.Do(func() { shared, sharedErr = Load(openapi.Spec()) })
	return shared, sharedErr
}

// MustDefault is Default, failing tb on error.
func MustDefault(tb testing.TB) *Contract {
	tb.Helper()
	c, err := Default()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// PathTemplate turns an echo route path (/cases/:id) into the document's
// form (/cases/{id}).
func PathTemplate(echoPath string) string {
	parts := strings.Split(echoPath, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/")
}

// Operations lists the document's operations as "METHOD /path/{param}", sorted.
func (c *Contract) Operations() []string {
	var out []string
	for path, item := range c.Doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// Operations lists the embedded document's operations (see Contract.Operations).
func Operations(tb testing.TB) []string {
	tb.Helper()
	return MustDefault(tb).Operations()
}

// Operation returns the operation "METHOD /path", or nil.
func (c *Contract) Operation(op string) *openapi3.Operation {
	method, path, _ := strings.Cut(op, " ")
	item := c.Doc.Paths.Value(path)
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

// RequiredBodyFields lists the properties the document requires at the top
// of the JSON request body of method path (a concrete path, such as
// /api/v1/cases/01J.../submit); none when it has no such body.
func (c *Contract) RequiredBodyFields(method, path string) []string {
	r, err := http.NewRequest(method, "http://localhost"+path, nil)
	if err != nil {
		return nil
	}
	route, _, err := c.router.FindRoute(r)
	if err != nil || route.Operation.RequestBody == nil || route.Operation.RequestBody.Value == nil {
		return nil
	}
	mt := route.Operation.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	return slices.Clone(mt.Schema.Value.Required)
}

// Public reports whether op ("METHOD /path") needs no login in the embedded
// document (security: []); ok is false when the document lacks op.
func Public(tb testing.TB, op string) (public, ok bool) {
	tb.Helper()
	o := MustDefault(tb).Operation(op)
	if o == nil {
		return false, false
	}
	return o.Security != nil && len(*o.Security) == 0, true
}

// bearerPresent is the check of the bearer scheme: a token is sent. Whether
// it is a valid one is the server's business (a 401 either way).
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(h, " "); !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return errors.New("no Authorization: Bearer <token>")
	}
	return nil
}

// Check checks one exchange: req (whose body was reqBody) and the answer
// status, header and body. req is not changed.
func (c *Contract) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	ctx := context.Background()
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	r.ContentLength = int64(len(reqBody))
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		if !c.apiPath(req.URL.Path) {
			return nil // not the API's: the web application's pages
		}
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s %s is not in the OpenAPI document, yet the server answered %d", req.Method, req.URL.Path, status)
		}
		return c.checkProblem(status, header, body)
	}
	op := req.Method + " " + route.Path
	c.mu.Lock()
	defer c.mu.Unlock() // kin-openapi's lazily compiled schemas are not known to be safe for concurrent use
	if c.seen[op] == nil {
		c.seen[op] = map[int]bool{}
	}
	c.seen[op][status] = true

	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearerPresent}}
	if reqErr := openapi3filter.ValidateRequest(ctx, in); reqErr != nil {
		var sec *openapi3filter.SecurityRequirementsError
		switch {
		case errors.As(reqErr, &sec) && status != http.StatusUnauthorized:
			return fmt.Errorf("%s: the document requires a bearer token, which the request lacks, yet the server answered %d, not 401", op, status)
		case status < 400:
			return fmt.Errorf("%s: the server accepted (%d) a request the OpenAPI document rejects: %v", op, status, oneLine(reqErr))
		}
	}
	in.Request.Body = io.NopCloser(bytes.NewReader(reqBody)) // ValidateRequest read it
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s answered %d not as the OpenAPI document says: %v\nbody: %s", op, status, oneLine(err), clip(body))
	}
	return nil
}

// apiPath reports whether path is the API's: under /api/, or a path of the
// document outside it (/healthz, /readyz, /metrics).
func (c *Contract) apiPath(path string) bool {
	if strings.HasPrefix(path, "/api/") {
		return true
	}
	return c.Doc.Paths.Find(path) != nil
}

// checkProblem checks an answer of a route the document lacks: a problem
// document.
func (c *Contract) checkProblem(status int, header http.Header, body []byte) error {
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if mt != "application/problem+json" {
		return fmt.Errorf("a %d answer is %q, not application/problem+json", status, header.Get("Content-Type"))
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("a %d problem document is not JSON: %v", status, err)
	}
	s := c.Doc.Components.Schemas["Problem"]
	if err := s.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("a %d answer does not match the Problem schema: %v\nbody: %s", status, oneLine(err), clip(body))
	}
	if p, _ := v.(map[string]any); p["status"] != float64(status) {
		return fmt.Errorf("a %d problem document says status %v", status, p["status"])
	}
	return nil
}

// Unanswered lists the operations whose documented success answers (2xx)
// were never seen by Check: a documented answer no test has checked.
func (c *Contract) Unanswered() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, op := range c.Operations() {
		o := c.Operation(op)
		for code := range o.Responses.Map() {
			n, err := strconv.Atoi(code)
			if err != nil || n < 200 || n > 299 {
				continue
			}
			if !c.seen[op][n] {
				out = append(out, fmt.Sprintf("%s %d", op, n))
			}
		}
	}
	slices.Sort(out)
	return out
}

// Transport wraps base (nil: http.DefaultTransport) so that every exchange
// is checked; report receives each failure. Bodies are buffered.
func (c *Contract) Transport(base http.RoundTripper, report func(error)) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		var reqBody []byte
		if req.Body != nil {
			var err error
			if reqBody, err = io.ReadAll(req.Body); err != nil {
				return nil, err
			}
			_ = req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		resp, err := base.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if err := c.Check(req, reqBody, resp.StatusCode, resp.Header, body); err != nil {
			report(err)
		}
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 700 {
		s = s[:700] + "…"
	}
	return s
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
