package api_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/emcc/accredit/api/openapi/openapitest"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

var (
	// readmeRoute is one route in the first cell of a row of README's API
	// table: "`POST /api/v1/cases`", "`PUT .../portfolio`".
	readmeRoute = regexp.MustCompile("`(GET|HEAD|POST|PUT|PATCH|DELETE) ((?:/|\\.\\.\\./)[^` ]*)`")
	pathParam   = regexp.MustCompile(`\{[^}/]*\}`)
)

// readmeAPITable lists the routes of README's API table (under "| endpoint |
// who |") as "METHOD /path/{}", every parameter written "{}", each with the
// README line it is on.
//
// A path written ".../rest" stands for the path of the last route written in
// full before it (in its row or a row above), up to and including its first
// parameter, then "/rest": after "`GET /api/v1/cases/{id}/coverage`",
// "`PUT .../portfolio`" is PUT /api/v1/cases/{id}/portfolio.
func readmeAPITable(t *testing.T) map[string]int {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]int{}
	in, prefix := false, ""
	for i, l := range strings.Split(string(b), "\n") {
		if !in {
			in = strings.HasPrefix(l, "| endpoint | who |")
			continue
		}
		if !strings.HasPrefix(l, "|") {
			break
		}
		if strings.HasPrefix(l, "|---") {
			continue
		}
		cells := strings.Split(l, "|")
		found := readmeRoute.FindAllStringSubmatch(cells[1], -1)
		if len(found) == 0 {
			t.Errorf("README.md:%d: no route in %q", i+1, cells[1])
		}
		for _, m := range found {
			path := m[2]
			if rest, ok := strings.CutPrefix(path, "..."); ok {
				if prefix == "" {
					t.Errorf("README.md:%d: %s %s: no route with a parameter written in full above it", i+1, m[1], path)
					continue
				}
				path = prefix + rest
			} else if loc := pathParam.FindStringIndex(path); loc != nil {
				prefix = path[:loc[1]]
			}
			op := m[1] + " " + pathParam.ReplaceAllString(path, "{}")
			if first, dup := routes[op]; dup {
				t.Errorf("README.md:%d: %s %s again (first on line %d)", i+1, m[1], path, first)
			}
			routes[op] = i + 1
		}
	}
	if len(routes) == 0 {
		t.Fatal("README.md: no API table (| endpoint | who |)")
	}
	return routes
}

// TestREADMEListsEveryRouteAndNothingElse compares the route table with
// README's API table, which integrators read for what they may call: a route
// README does not list, or a README route the server does not route, fails.
// Methods and paths are compared, with parameters' names left out (README
// writes the status lists' {purpose} as {revocation,message}); the "who"
// column is prose and is not compared (TestContractPublicRoutesNeedNoLogin and
// the handlers' tests hold the roles).
func TestREADMEListsEveryRouteAndNothingElse(t *testing.T) {
	documented := readmeAPITable(t)
	var routes []string
	for _, r := range Start(t).App.API.Routes() {
		op := r.Method + " " + pathParam.ReplaceAllString(openapitest.PathTemplate(r.Path), "{}")
		routes = append(routes, op)
		if _, ok := documented[op]; !ok {
			t.Errorf("route %s %s is not in README's API table: add it, with who may call it", r.Method, r.Path)
		}
	}
	for op, line := range documented {
		if !slices.Contains(routes, op) {
			t.Errorf("README.md:%d: %s: the server routes no such endpoint", line, op)
		}
	}
}
