package api_test

import (
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheRegisterSearchCountsCharactersNotBytes: q is "at most 200
// characters", but its bytes were counted, so a search of 150 Greek or
// accented letters (300 bytes) was refused; 201 characters still are.
func TestTheRegisterSearchCountsCharactersNotBytes(t *testing.T) {
	in := Start(t)
	Expect(t, in.Get(t, "/api/v1/register?q="+url.QueryEscape(strings.Repeat("λ", 150)), ""), 200)
	wantField(t, in.Get(t, "/api/v1/register?q="+url.QueryEscape(strings.Repeat("λ", 201)), ""), "q", "at most 200 characters")
}
