// Package openapi holds the OpenAPI 3.1 contract of the Accredit API and its
// readable reference page, both embedded, served by the api package.
package openapi

import _ "embed"

//go:embed openapi.json
var spec []byte

//go:embed docs.html
var docs []byte

// Spec returns the OpenAPI document (JSON).
func Spec() []byte { return spec }

// DocsHTML returns the reference page.
func DocsHTML() []byte { return docs }
