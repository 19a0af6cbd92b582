package openapi_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/api/openapi"
	"github.com/emcc/accredit/domain/limits"
)

// limitKeys are the schema keywords that publish a limit of the table.
var limitKeys = []string{"maxLength", "maxItems", "x-max-items", "x-max-name-bytes", "minimum", "maximum", "x-earliest"}

// TestLimitsInTheDocumentAreTheTable keeps the published limits and the
// enforced ones the same numbers: every limit of domain/limits is in the
// document where its In says, with its value, and every limit keyword on a
// request schema comes from the table.
func TestLimitsInTheDocumentAreTheTable(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openapi.Spec(), &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)

	// want is what each (path, keyword) should say, from the table.
	want := map[string]any{}
	for _, l := range limits.All {
		if len(l.In) == 0 {
			t.Errorf("limit %+v is published nowhere", l)
		}
		for _, path := range l.In {
			node, err := find(schemas, path)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			switch {
			case l.Runes > 0:
				want[path+" maxLength"] = float64(l.Runes)
			case l.Bytes > 0:
				want[path+" x-max-name-bytes"] = float64(l.Bytes)
			case l.Items > 0 && node["type"] == "string":
				want[path+" x-max-items"] = float64(l.Items)
			case l.Items > 0:
				want[path+" maxItems"] = float64(l.Items)
			default:
				want[path+" minimum"], want[path+" maximum"] = l.Min, l.Max
			}
		}
	}
	want["PortfolioRequest.first_practice_date x-earliest"] = limits.EarliestPractice.Format(time.DateOnly)

	// got is every limit keyword on a request schema.
	got := map[string]any{}
	for name, s := range schemas {
		if strings.HasSuffix(name, "Request") || name == "EvidenceUpload" {
			collect(name, s.(map[string]any), got)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s: the document says %v, domain/limits %v", k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s = %v is in the document but not in domain/limits", k, got[k])
		}
	}
}

// find walks a path such as "SelfAssessmentRequest.categories[].statement".
func find(schemas map[string]any, path string) (map[string]any, error) {
	segs := strings.Split(path, ".")
	node, ok := schemas[segs[0]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no schema %s", segs[0])
	}
	for _, seg := range segs[1:] {
		name, items := strings.CutSuffix(seg, "[]")
		props, _ := node["properties"].(map[string]any)
		if node, ok = props[name].(map[string]any); !ok {
			return nil, fmt.Errorf("no property %s", name)
		}
		if items {
			if node, ok = node["items"].(map[string]any); !ok {
				return nil, fmt.Errorf("%s is not an array", name)
			}
		}
	}
	return node, nil
}

// collect records the limit keywords under node, keyed like find's paths.
func collect(path string, node map[string]any, out map[string]any) {
	for _, k := range limitKeys {
		if v, ok := node[k]; ok {
			out[path+" "+k] = v
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		collect(path+"[]", items, out)
	}
	props, _ := node["properties"].(map[string]any)
	for name, p := range props {
		if p, ok := p.(map[string]any); ok {
			collect(path+"."+name, p, out)
		}
	}
}
