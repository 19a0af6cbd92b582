package main

import (
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// The reads at scale count accreditd's answers to one route, and those
// within 5 ms, from its own latency histogram on its metrics address:
// each GET of the route is counted once, other routes and methods not.
func TestServedCountsTheRoutesAnswersFromTheHistogram(t *testing.T) {
	cfg := Config(t.TempDir())
	cfg.MetricsAddr = "127.0.0.1:0"
	in := StartWith(t, cfg, app.Options{})
	d := &daemon{metrics: in.App.MetricsAddr}
	token := in.AdminToken(t)
	if d.served("/api/v1/me").known {
		t.Fatal("figures for GET /api/v1/me before any")
	}
	Expect(t, in.Get(t, "/api/v1/me", token), 200) // as the reads at scale do: one alone first
	before := d.served("/api/v1/me")
	if !before.known || before.answered != 1 {
		t.Fatalf("figures after one GET /api/v1/me: %+v", before)
	}
	for range 3 {
		Expect(t, in.Get(t, "/api/v1/me", token), 200)
	}
	Expect(t, in.Get(t, "/api/v1/queue", token), 200)
	after := d.served("/api/v1/me")
	if got := after.answered - before.answered; got != 3 {
		t.Fatalf("GET /api/v1/me answered %v times by the histogram, want 3", got)
	}
	if after.within5 < before.within5 || after.within5-before.within5 > 3 {
		t.Fatalf("within 5 ms: %v then %v", before.within5, after.within5)
	}
	if share := after.shareWithin5(before); share < 0 || share > 100 {
		t.Fatalf("share within 5 ms %v", share)
	}
	if (servedFigures{}).shareWithin5(before) != -1 || after.shareWithin5(after) != -1 {
		t.Fatal("a share of unknown figures or of no requests is not -1")
	}
}

// The 5 ms bucket is the one read, whatever the order of the series.
func TestServedInReadsTheFiveMillisecondBucket(t *testing.T) {
	body := `# TYPE accredit_http_request_duration_seconds histogram
accredit_http_request_duration_seconds_bucket{method="GET",route="/api/v1/queue",le="0.005"} 7
accredit_http_request_duration_seconds_bucket{method="GET",route="/api/v1/me",le="0.0025"} 90
accredit_http_request_duration_seconds_bucket{method="GET",route="/api/v1/me",le="0.005"} 95
accredit_http_request_duration_seconds_bucket{method="POST",route="/api/v1/me",le="0.005"} 1
accredit_http_request_duration_seconds_bucket{method="GET",route="/api/v1/me",le="+Inf"} 100
accredit_http_request_duration_seconds_sum{method="GET",route="/api/v1/me"} 0.4
accredit_http_request_duration_seconds_count{method="GET",route="/api/v1/me"} 100
accredit_http_request_duration_seconds_count{method="GET",route="/api/v1/queue"} 9
`
	f := servedIn(body, "/api/v1/me")
	if !f.known || f.answered != 100 || f.within5 != 95 {
		t.Fatalf("figures %+v, want 100 answered, 95 within 5 ms", f)
	}
	if servedIn(body, "/api/v1/register").known {
		t.Fatal("figures known for a route with no series")
	}
}
