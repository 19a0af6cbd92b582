package api

import "testing"

// TestAcceptAndAcceptEncodingReadWeightsAlike: the audit's Accept and the
// register's Accept-Encoding are read by one parser, so a weight that
// cannot be read is a no in both (the audit once took "text/csv;q=x" as
// a yes, while gzip took it as a no).
func TestAcceptAndAcceptEncodingReadWeightsAlike(t *testing.T) {
	for accept, want := range map[string]string{
		"text/csv":                             "csv",
		"text/csv;q=x":                         "json",
		"text/csv;q=2":                         "json",
		"Text/CSV; charset=utf-8; Q=0.5":       "csv",
		"application/x-ndjson;q=-1":            "json",
		"text/csv;q=0.5, text/csv;q=0":         "csv",
		"*/*":                                  "json",
		"application/json;q=0.4, text/csv;q=.": "json",
	} {
		if got := auditFormat(accept); got != want {
			t.Errorf("Accept %q: got %s, want %s", accept, got, want)
		}
	}
	for header, want := range map[string]bool{"gzip;q=2": false, "gzip; Q=0.5": true, "gzip;q=x, *": false} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("Accept-Encoding %q: got %v, want %v", header, got, want)
		}
	}
}
