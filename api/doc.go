// Package api is the HTTP face of Accredit: the echo server, its JSON API
// under /api/v1, authentication, the one table of who may call what, and the
// one mapping of domain errors to problem documents (RFC 9457).
//
// Every route is declared once in routes(), with the roles that may call it;
// the auth middleware enforces that table before any handler runs, and a
// test walks every route with every role. Handlers stay thin: decode, call
// the domain, encode.
package api
