package api_test

import (
	"net/http"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestAVerifierOnAnotherSiteCanReadTheOfficesKeys: a credential's
// verifier is often a web page of another site, which the browser lets
// read only what says it may be read from any origin. The office's DID
// document, its keys and the status lists say so (they are public and
// take no cookie); nothing else does.
func TestAVerifierOnAnotherSiteCanReadTheOfficesKeys(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	origin := map[string]string{"Origin": "https://verifier.example"}
	for _, path := range []string{"/.well-known/did.json", "/.well-known/jwks.json", "/api/v1/credentials/status/revocation"} {
		r := in.Do(t, Request{Method: http.MethodGet, Path: path, Header: origin})
		if r.Status != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s from another site: %d, Access-Control-Allow-Origin %q; want 200 and *", path, r.Status, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	for _, path := range []string{"/api/v1/me", "/api/v1/register", "/api/v1/users"} {
		if r := in.Do(t, Request{Method: http.MethodGet, Path: path, Token: admin, Header: origin}); r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET %s may be read from any site: %q", path, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}
