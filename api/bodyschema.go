package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/emcc/accredit/api/openapi"
	"github.com/emcc/accredit/domain"
)

// What bind asks of the contract: the request body schemas, read from the
// embedded document, so that its rules are the document's and no handler
// repeats them.
//
// encoding/json reads a JSON null as nothing at all: a number of a list
// becomes 0, a field is left as it was. The contract says where null is
// allowed (a type that includes "null"); everywhere else bind refuses it,
// naming the field, rather than record a 0 or a blank the client did not
// send. And encoding/json names an unknown field by its last name alone;
// the schemas say where it is.

// bodySchema is the JSON request body schema of an operation ("POST
// /api/v1/cases/{id}/portfolio"), nil when it has none, with the document's
// schemas its $refs name.
type bodySchema struct {
	bodies     map[string]map[string]any
	components map[string]any
}

var bodySchemas = sync.OnceValue(func() *bodySchema {
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema map[string]any `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapi.Spec(), &doc); err != nil {
		panic(fmt.Sprintf("the embedded OpenAPI document: %v", err)) // tests load it: never in a build that passed them
	}
	b := &bodySchema{bodies: map[string]map[string]any{}, components: doc.Components.Schemas}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if s := op.RequestBody.Content["application/json"].Schema; s != nil {
				b.bodies[strings.ToUpper(method)+" "+path] = s
			}
		}
	}
	return b
})

// checkNulls refuses every null in body (the decoded JSON) that the schema
// of the request body of method and route (echo's form, /cases/:id) does
// not allow, naming each.
func checkNulls(method, route string, body any) error {
	b := bodySchemas()
	s, ok := b.bodies[method+" "+openAPIPath(route)]
	if !ok {
		return nil
	}
	if bad := b.nulls(s, body, "", nil); len(bad) > 0 {
		return domain.InvalidFields("null in JSON", bad...)
	}
	return nil
}

// unknownField says where in body (the decoded JSON) the field name is
// that its object's schema does not describe: "years[0].bogus", where
// encoding/json says "bogus". name as it is when the schema does not tell.
func unknownField(method, route string, body any, name string) string {
	b := bodySchemas()
	s, ok := b.bodies[method+" "+openAPIPath(route)]
	if !ok {
		return name
	}
	if at := b.unknown(s, body, "", name); at != "" {
		return at
	}
	return name
}

// unknown returns the path of the first field name in v, at the field at,
// that s does not describe; "" when there is none.
func (b *bodySchema) unknown(s map[string]any, v any, at, name string) string {
	s = b.resolve(s)
	switch v := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(v)) {
			path := k
			if at != "" {
				path = at + "." + k
			}
			sub, ok := props[k].(map[string]any)
			if !ok {
				sub, ok = s["additionalProperties"].(map[string]any)
			}
			if !ok && k == name && s["additionalProperties"] != true {
				return path
			}
			if ok {
				if found := b.unknown(sub, v[k], path, name); found != "" {
					return found
				}
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range v {
				if found := b.unknown(items, e, fmt.Sprintf("%s[%d]", at, i), name); found != "" {
					return found
				}
			}
		}
	}
	return ""
}

// openAPIPath turns an echo route path (/cases/:id) into the document's
// form (/cases/{id}).
func openAPIPath(route string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/")
}

// nulls appends to out the nulls in v, at the field at, that s does not
// allow. A field s does not describe is not looked into (unknown fields
// are refused by the decoding).
func (b *bodySchema) nulls(s map[string]any, v any, at string, out []domain.FieldError) []domain.FieldError {
	s = b.resolve(s)
	switch v := v.(type) {
	case nil:
		if !nullable(s) {
			field := at
			if field == "" {
				field = "(body)"
			}
			out = append(out, domain.FieldError{Field: field, Reason: fmt.Sprintf("must be %s, not null", schemaKind(s))})
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(v)) {
			sub, ok := props[k].(map[string]any)
			if !ok {
				sub, _ = s["additionalProperties"].(map[string]any)
			}
			if sub != nil {
				name := k
				if at != "" {
					name = at + "." + k
				}
				out = b.nulls(sub, v[k], name, out)
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range v {
				out = b.nulls(items, e, fmt.Sprintf("%s[%d]", at, i), out)
			}
		}
	}
	return out
}

// resolve follows s's $ref to the schema it names.
func (b *bodySchema) resolve(s map[string]any) map[string]any {
	for range 10 { // a chain of refs, never a loop in a valid document
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		next, ok := b.components[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		if !ok {
			return s
		}
		s = next
	}
	return s
}

// nullable reports whether s allows null: its type includes "null", or it
// sets no type (nor an enum without null).
func nullable(s map[string]any) bool {
	switch t := s["type"].(type) {
	case string:
		return t == "null"
	case []any:
		return slices.Contains(t, any("null"))
	}
	if enum, ok := s["enum"].([]any); ok {
		return slices.Contains(enum, nil)
	}
	return true
}

// schemaKind says what s wants, in the words of jsonKind.
func schemaKind(s map[string]any) string {
	t, _ := s["type"].(string)
	switch t {
	case "number":
		return "a number"
	case "integer":
		return "an integer"
	case "string":
		return "a string"
	case "boolean":
		return "true or false"
	case "array":
		return "an array"
	case "object":
		return "an object"
	}
	if _, ok := s["enum"]; ok {
		return "one of its values"
	}
	return "a value"
}
