// Package openapi holds the OpenAPI 3.1 contract of the Accredit API
// (openapi.json) and its readable reference page (docs.html), both embedded
// and served by the api package at /api/v1/openapi.json and /api/docs.
//
// The contract is kept true mechanically: the API tests send every request
// through apptest, whose hook checks it and its answer against openapi.json
// (package openapitest, with kin-openapi; never imported by the server), and
// a test compares the route table with the document's paths both ways.
// docs.html is generated from openapi.json by a test, which fails when the
// page is out of date; it is static HTML with no script, style or remote
// resource, as the server's Content-Security-Policy (default-src 'self')
// requires. After editing openapi.json, regenerate it:
//
//	go generate ./api/openapi
//
// This package must import nothing of Accredit.
package openapi

import _ "embed"

//go:generate go test -run TestDocsHTMLIsUpToDate -update

//go:embed openapi.json
var spec []byte

//go:embed docs.html
var docs []byte

// Spec returns the OpenAPI document (JSON).
func Spec() []byte { return spec }

// DocsHTML returns the reference page.
func DocsHTML() []byte { return docs }
