package api

import (
	"strconv"
	"strings"
)

// qualities reads a header that lists values with weights (RFC 9110
// 12.4.2: Accept, Accept-Encoding): each value in lower case and its
// weight, the highest when one is named twice. A weight that cannot be
// read, or lies outside 0 to 1, counts as 0: it is not taken as a yes.
func qualities(header string) map[string]float64 {
	q := map[string]float64{}
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		weight := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				w, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || w < 0 || w > 1 {
					w = 0
				}
				weight = w
			}
		}
		if old, named := q[name]; !named || weight > old {
			q[name] = weight
		}
	}
	return q
}
