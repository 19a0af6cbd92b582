package framework

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLoadRejects(t *testing.T) {
	base := func() map[string]any {
		var m map[string]any
		if err := json.Unmarshal(embedded, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	firstInd := func(m map[string]any, cat int) map[string]any {
		return m["categories"].([]any)[cat].(map[string]any)["indicators"].([]any)[0].(map[string]any)
	}
	for _, tc := range []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"duplicate number", func(m map[string]any) { firstInd(m, 1)["number"] = 1.0 }, "listed twice"},
		{"category out of range", func(m map[string]any) {
			in := firstInd(m, 0)
			in["category"] = 9.0
		}, "out of range"},
		{"category mismatch", func(m map[string]any) { firstInd(m, 0)["category"] = 2.0 }, "listed under category 1"},
		{"bad level", func(m map[string]any) { firstInd(m, 0)["level"] = "expert" }, "unknown level"},
		{"missing category", func(m map[string]any) { m["categories"] = m["categories"].([]any)[:7] }, "category 8 missing"},
		{"missing level", func(m map[string]any) { m["levels"] = m["levels"].([]any)[:3] }, "not described"},
		{"missing version", func(m map[string]any) { m["version"] = "" }, "missing version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.mutate(m)
			b, _ := json.Marshal(m)
			_, err := Load(b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load error got %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := Load([]byte("{")); err == nil {
		t.Errorf("Load(malformed) got nil error, want one")
	}
}
