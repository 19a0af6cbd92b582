package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
)

// Limits of the identifiers a client chooses; both end up in the permanent
// event stream (the request id as the correlation id, the key hashed into
// the command id), so they are checked before anything is stored.
const (
	maxRequestID      = 128
	maxIdempotencyKey = 255
)

// validRequestID: at most 128 characters of [A-Za-z0-9._:-].
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == ':' || b == '-') {
			return false
		}
	}
	return true
}

// requestID keeps the caller's X-Request-Id when it is a sane one and
// otherwise makes one; the response says which was used, and it becomes
// the correlation id of the events the request records.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			id = randomID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.Set("request_id", id)
		return next(c)
	}
}

// validIdempotencyKey: 1 to 255 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

func badIdempotencyKey() error {
	return domain.InvalidFields("bad header", domain.FieldError{Field: "Idempotency-Key", Reason: "1 to 255 printable ASCII characters"})
}

// requestKey returns the key of request hashes: the configured one, so
// that every process of a cluster computes the same hash for one request.
func (s *Server) requestKey() []byte {
	if len(s.deps.RequestKey) > 0 {
		return s.deps.RequestKey
	}
	return s.fallbackKey
}

// requestHash is a keyed digest of a request: method, path and body parts.
// It is stored beside the command's events (a header of the commit), bound
// to the Idempotency-Key: a retry must send the same request. Keyed, so
// that what is stored for good reveals nothing of a body (a password, an
// email) to whoever reads the stream without the key.
func (s *Server) requestHash(method, path string, parts ...[]byte) string {
	mac := hmac.New(sha256.New, s.requestKey())
	for _, p := range append([][]byte{[]byte(method), []byte(path)}, parts...) {
		var n [8]byte
		for i, l := 0, uint64(len(p)); i < 8; i++ {
			n[i] = byte(l >> (8 * i))
		}
		mac.Write(n[:]) // length-prefixed: no two requests hash alike by shifting bytes
		mac.Write(p)
	}
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// idempotency checks Idempotency-Key and, when one is sent with a JSON (or
// empty) body, hashes the request for meta (JSON in canonical form); a
// multipart upload is hashed by its handler from the parts it reads
// (formHash). Bodies over the JSON limit are left to bind to refuse.
func (s *Server) idempotency(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		k := c.Request().Header.Get("Idempotency-Key")
		if k == "" {
			return next(c)
		}
		if !validIdempotencyKey(k) {
			return badIdempotencyKey()
		}
		req := c.Request()
		if mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt == "multipart/form-data" {
			return next(c)
		}
		var body []byte
		if req.Body != nil {
			var err error
			body, err = io.ReadAll(io.LimitReader(req.Body, MaxJSONBody+1))
			if err != nil {
				return domain.Errorf(domain.Invalid, "could not read the request body")
			}
			req.Body = readCloser{io.MultiReader(bytes.NewReader(body), req.Body), req.Body}
		}
		if mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt == echo.MIMEApplicationJSON {
			body = canonicalJSON(body)
		}
		c.Set("request_hash", s.requestHash(req.Method, req.URL.Path, body))
		return next(c)
	}
}

// canonicalJSON is a JSON body re-encoded (object keys sorted, no spaces,
// numbers as written), so that a retry that serialises the same request
// again, in another key order or layout, is the same request. A body that
// is not one JSON value is left as it is: bind refuses it.
func canonicalJSON(body []byte) []byte {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil || d.Decode(new(any)) != io.EOF {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// formHash is the request hash of a multipart upload: its fields (sorted
// by name), the file's name and the SHA-256 of the file's content (known
// once the upload is spooled), so that the same key with another file of
// the same name is another request.
func (s *Server) formHash(c echo.Context, fields map[string]string, fileName string, fileSHA256 []byte) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := [][]byte{[]byte(fileName), fileSHA256}
	for _, n := range names {
		parts = append(parts, []byte(n), []byte(fields[n]))
	}
	return s.requestHash(c.Request().Method, c.Request().URL.Path, parts...)
}

type readCloser struct {
	io.Reader
	io.Closer
}

func randomKey() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}
