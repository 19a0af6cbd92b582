package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
)

// MaxJSONBody is the largest JSON request body accepted.
const MaxJSONBody = 1 << 20

// bind decodes the JSON body into v strictly: unknown fields, wrong types,
// null where the OpenAPI document does not allow it, a view's placeholder
// for a personal text sent back as a text (see refusePlaceholders),
// trailing data and oversized bodies are 4xx problems naming what was
// wrong.
func bind(c echo.Context, v any) error { return bindBody(c, v, true) }

// bindOptional is bind for a command whose body may be left out: none, or
// one of white space only (an empty chunked body has no length), leaves v
// as it is.
func bindOptional(c echo.Context, v any) error { return bindBody(c, v, false) }

// bindNone is bind for a command that takes no body: none, or an empty
// JSON object. Anything else is refused as bind refuses it (not JSON, a
// field, which is unknown), not ignored: a client sending one meant
// something the command does not do.
func bindNone(c echo.Context) error {
	var none struct{}
	return bindOptional(c, &none)
}

func bindBody(c echo.Context, v any, required bool) error {
	req := c.Request()
	if !required && req.ContentLength == 0 {
		return nil // whatever its Content-Type says
	}
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return domain.InvalidFields("Content-Type must be application/json", domain.FieldError{Field: "Content-Type", Reason: "application/json"})
		}
		// JSON is UTF-8 (RFC 8259): a body in another charset would be
		// read as UTF-8 and its text stored mangled.
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			return domain.InvalidFields(fmt.Sprintf("the JSON body must be UTF-8, not charset %q", cs), domain.FieldError{Field: "Content-Type", Reason: "charset utf-8, or none"})
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, MaxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return domain.Errorf(domain.TooLarge, "request body over the limit of %d bytes", MaxJSONBody)
		}
		return domain.Errorf(domain.Invalid, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if !required {
			return nil
		}
		return bodyProblem("a JSON body is required", "required: a JSON object")
	}
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		// encoding/json decodes null into a struct as nothing at all: a
		// command that takes no body would take it as none, not refuse it.
		return domain.InvalidFields("wrong type in JSON", domain.FieldError{Field: "(body)", Reason: "must be an object, not null"})
	}
	if !utf8.Valid(body) {
		return bodyProblem("the JSON body is not valid UTF-8", "not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	decodeErr := dec.Decode(v)
	if decodeErr != nil {
		if integral, ok := integralNumbers(decodeErr, body); ok {
			// An integer written as 1.0 or 1e2 is still an integer (JSON
			// Schema's integer); encoding/json takes only 1. Decoded again
			// with such numbers written as integers: only a body that
			// failed pays for it.
			body = integral
			reflect.ValueOf(v).Elem().SetZero()
			dec = json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			decodeErr = dec.Decode(v)
		}
	}
	if decodeErr == nil && dec.More() {
		return bodyProblem("malformed JSON: data after the object", "data after the object")
	}
	if decodeErr == nil {
		// The usual case, on every command: what is left to refuse is a
		// name given twice and a null the document does not allow, each
		// looked for only where a cheap pass says it may be (the full
		// passes cost a command a fifth more CPU; BenchmarkBindPortfolio).
		if !jsontext.Value(body).IsValid() { // RFC 7493: refuses a name given twice
			if at := duplicateName(body); at != "" {
				return domain.InvalidFields("a name given twice in a JSON object", domain.FieldError{Field: at, Reason: "given twice: give it once"})
			}
		}
		if name, ok := foldedName(body); ok {
			var doc any
			_ = json.Unmarshal(body, &doc) // it decoded above
			return domain.InvalidFields("unknown field in JSON", domain.FieldError{Field: unknownField(req.Method, c.Path(), doc, name),
				Reason: "unknown field (names are lower case, as the document spells them)"})
		}
		if err := refusePlaceholders(body); err != nil {
			return err
		}
		if !bytes.Contains(body, []byte("null")) {
			return nil
		}
	}
	var doc any
	generic := json.NewDecoder(bytes.NewReader(body))
	generic.UseNumber()
	if err := generic.Decode(&doc); err != nil {
		return jsonError(err)
	}
	if at := duplicateName(body); at != "" {
		return domain.InvalidFields("a name given twice in a JSON object", domain.FieldError{Field: at, Reason: "given twice: give it once"})
	}
	if decodeErr != nil {
		if f, ok := strings.CutPrefix(decodeErr.Error(), "json: unknown field "); ok {
			f, _ = strconv.Unquote(f)
			return domain.InvalidFields("unknown field in JSON", domain.FieldError{Field: unknownField(req.Method, c.Path(), doc, f), Reason: "unknown field"})
		}
		if typ := (*json.UnmarshalTypeError)(nil); errors.As(decodeErr, &typ) && typ.Field != "" {
			typ.Field = fieldAt(doc, strings.Split(typ.Field, "."), typ.Value, "")
		}
		return jsonError(decodeErr)
	}
	return checkNulls(req.Method, c.Path(), doc)
}

// bodyProblem is a 400 about the body as a whole, named "(body)" as a body
// of the wrong type is, so that every refusal of a body names what was
// wrong (the document promises it, trailing data included).
func bodyProblem(detail, reason string) error {
	return domain.InvalidFields(detail, domain.FieldError{Field: "(body)", Reason: reason})
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return bodyProblem(fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn), fmt.Sprintf("malformed at byte %d", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return domain.InvalidFields("wrong type in JSON", domain.FieldError{Field: field, Reason: typeReason(typ.Type.Kind().String(), typ.Value)})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return bodyProblem("malformed JSON: unexpected end", "malformed: it ends early")
	default:
		return bodyProblem(fmt.Sprintf("malformed JSON: %v", err), "malformed")
	}
}

// foldedName returns the first object name in body, valid JSON, that is
// not in lower case ASCII. encoding/json matches a name to a field whatever
// its case (and folds the Kelvin sign and the long s to k and s), so
// "Client_Hours" was read as client_hours, and beside client_hours it was a
// second value for one field, the last kept unsaid, which neither the RFC
// 7493 check nor duplicateName sees. Every name the document gives is lower
// case ASCII. Only a body holding an upper-case or non-ASCII byte is walked.
func foldedName(body []byte) (string, bool) {
	notLower := func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf }
	if !bytes.ContainsFunc(body, notLower) {
		return "", false
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		kind, n := dec.StackIndex(dec.StackDepth())
		tok, err := dec.ReadToken()
		if err != nil {
			return "", false
		}
		if kind == '{' && n%2 == 0 && tok.Kind() == '"' {
			if name := tok.String(); strings.ContainsFunc(name, notLower) {
				return name, true
			}
		}
	}
}

// duplicateName returns the place of the first name given twice in one
// object of body (curriculum[1].category), "" when there is none:
// encoding/json would keep the last value and drop the others unsaid.
// jsontext's decoder finds it and says where as a JSON pointer, whose
// numbers are list indices (no name of the document is a number).
func duplicateName(body []byte) string {
	_, err := jsontext.NewDecoder(bytes.NewReader(body)).ReadValue()
	var se *jsontext.SyntacticError
	if !errors.Is(err, jsontext.ErrDuplicateName) || !errors.As(err, &se) {
		return ""
	}
	var at strings.Builder
	for tok := range se.JSONPointer.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil {
			at.WriteString("[" + tok + "]")
			continue
		}
		if at.Len() > 0 {
			at.WriteByte('.')
		}
		at.WriteString(tok)
	}
	return at.String()
}

// fieldAt names the place in v (the decoded body) of a value of the wrong
// type, which encoding/json names by a path without list indices
// ("categories.category") and the JSON it found ("string", "number 1.5"):
// the first value at that path of that JSON, "categories[1].category".
// The path as encoding/json wrote it when there is none.
func fieldAt(v any, path []string, value, at string) string {
	if len(path) == 0 && jsonIs(v, value) {
		return at
	}
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			if found := fieldAt(e, path, value, fmt.Sprintf("%s[%d]", at, i)); found != "" {
				return found
			}
		}
	case map[string]any:
		keys := path[:min(1, len(path))] // the field named, or a map's every key
		if len(path) == 0 {
			keys = slices.Sorted(maps.Keys(v))
		}
		for _, k := range keys {
			if e, ok := v[k]; ok {
				name := k
				if at != "" {
					name = at + "." + k
				}
				if found := fieldAt(e, path[min(1, len(path)):], value, name); found != "" {
					return found
				}
			}
		}
	}
	if at == "" {
		return strings.Join(path, ".")
	}
	return ""
}

// jsonIs reports whether v is the JSON encoding/json describes as value.
func jsonIs(v any, value string) bool {
	switch v := v.(type) {
	case string:
		return value == "string"
	case json.Number:
		return value == "number "+v.String() || value == "number"
	case bool:
		return value == "bool"
	case []any:
		return value == "array"
	case map[string]any:
		return value == "object"
	}
	return false
}

// integralNumbers is body with every number that is an integer written
// with a fraction or an exponent (1.0, 1e2, 25.00) written as one (1, 100,
// 25), when decodeErr is such a number refused where an integer is wanted;
// false when it is not, or when body holds none to rewrite. Numbers that
// are not integers, or that no int64 holds, stay as they are, and so do
// strings.
func integralNumbers(decodeErr error, body []byte) ([]byte, bool) {
	var typ *json.UnmarshalTypeError
	if !errors.As(decodeErr, &typ) || typ.Type == nil {
		return nil, false
	}
	switch typ.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return nil, false
	}
	if n, ok := strings.CutPrefix(typ.Value, "number "); !ok || integerText(n) == "" {
		return nil, false
	}
	var out []byte
	last := 0
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		if dec.PeekKind() != '0' {
			if _, err := dec.ReadToken(); err != nil {
				break // the end, or JSON the decoding after will refuse
			}
			continue
		}
		raw, err := dec.ReadValue()
		if err != nil {
			break
		}
		if i := integerText(string(raw)); i != "" {
			end := int(dec.InputOffset())
			out = append(append(out, body[last:end-len(raw)]...), i...)
			last = end
		}
	}
	if out == nil {
		return nil, false
	}
	return append(out, body[last:]...), true
}

// integerText is the JSON number n written as an integer when it is one
// written with a fraction or an exponent that an int64 holds ("1.0" and
// "1e2" are "1" and "100"), "" when it is not (1.5, 1e-1, 1e19), or is
// written as an integer already. It reads the digits, not a float64, so
// that 9007199254740993.0 is that integer, not the float nearest it.
func integerText(n string) string {
	if !strings.ContainsAny(n, ".eE") {
		return ""
	}
	neg := strings.HasPrefix(n, "-")
	n = strings.TrimPrefix(n, "-")
	mant, exp, hasExp := strings.Cut(strings.ToLower(n), "e")
	e := 0
	if hasExp {
		v, err := strconv.Atoi(exp)
		if err != nil || v < -400 || v > 400 {
			return ""
		}
		e = v
	}
	whole, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	point := len(whole) + e - (len(whole+frac) - len(digits)) // digits before the point, leading zeros dropped
	if digits == "" {
		return "0"
	}
	if point < len(digits) && strings.Trim(digits[max(point, 0):], "0") != "" {
		return "" // a fraction
	}
	if point > 19 {
		return "" // beyond any int64; refused as out of range
	}
	i := digits[:min(point, len(digits))] + strings.Repeat("0", max(point-len(digits), 0))
	if neg {
		i = "-" + i
	}
	if _, err := strconv.ParseInt(i, 10, 64); err != nil {
		return ""
	}
	return i
}

// typeReason says why a JSON value (encoding/json's word for it: "string",
// "number 1.5") does not fit a Go kind. A number that does not fit a
// number has a fraction or an exponent where an integer is wanted, or is
// out of range: "must be a number, not number 1.5" would say neither.
func typeReason(kind, value string) string {
	n, isNumber := strings.CutPrefix(value, "number ")
	integer := strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint")
	switch f, err := strconv.ParseFloat(n, 64); {
	case !isNumber:
		return fmt.Sprintf("must be %s, not %s", jsonKind(kind), value)
	case integer && err == nil && f != math.Trunc(f):
		return fmt.Sprintf("must be an integer, not %s", n)
	case strings.HasPrefix(kind, "uint") && err == nil && f < 0:
		return fmt.Sprintf("must not be negative, not %s", n)
	}
	return fmt.Sprintf("%s is out of range", n)
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "an integer"
	case strings.HasPrefix(k, "float"):
		return "a number"
	case k == "string":
		return "a string"
	case k == "bool":
		return "true or false"
	case k == "slice", k == "array":
		return "an array"
	case k == "map", k == "struct":
		return "an object"
	}
	return k
}

// pathInt parses an integer path parameter (400 when it is not one).
func pathInt(c echo.Context, name string) (int, error) {
	n, err := strconv.Atoi(c.Param(name))
	if err != nil {
		return 0, domain.InvalidFields("bad path parameter", domain.FieldError{Field: name, Reason: "must be an integer"})
	}
	return n, nil
}

func asMaxBytes(err error, target **http.MaxBytesError) bool { return errors.As(err, target) }
