package api_test

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/emcc/accredit/api/openapi/openapitest"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestMain checks every request the API tests send through apptest, and
// every answer, against the OpenAPI contract (api/openapi/openapi.json).
// When the whole suite ran, it also fails if a documented success answer
// was never checked: then a test of that operation is missing.
func TestMain(m *testing.M) {
	flag.Parse()
	contract, err := openapitest.Default()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	apptest.Validate = func(tb testing.TB, req *http.Request, body []byte, resp apptest.Response) {
		tb.Helper()
		if err := contract.Check(req, body, resp.Status, resp.Header, resp.Body); err != nil {
			tb.Errorf("contract: %v", err)
		}
	}
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		if missing := contract.Unanswered(); len(missing) > 0 {
			fmt.Fprintln(os.Stderr, "contract: no test checked these documented answers (add a test calling each with success):")
			for _, op := range missing {
				fmt.Fprintln(os.Stderr, "  ", op)
			}
			code = 1
		}
	}
	os.Exit(code)
}
