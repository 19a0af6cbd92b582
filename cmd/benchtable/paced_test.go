package main

import (
	"strings"
	"testing"
)

// Each read paced at half its closed load's rate is shown from a real run
// of BenchmarkReadSideAtScale that reports it (100k cases and users, the
// reads of make bench on 2026-12-07 at 09:08 UTC,
// testdata/readscale-paced.txt): its rate, p50 and p99 in its own row,
// apart from the closed load's row, whose target stays issue 14's.
func TestPacedReadsFromARealRun(t *testing.T) {
	table, res := runOf(t, "readscale-paced.txt")
	m := res.metrics[scaleBench]
	const suffix = ", the same 50 readers paced at a fixed rate, half their closed load's unless `ACCREDIT_BENCH_PACED` says (latency from each request's due time): rate, p50 / p99"
	for name, read := range map[string]string{
		"`GET /api/v1/me` (office)":          "me",
		"`GET /api/v1/queue` (office)":       "queue_office",
		"`GET /api/v1/queue` (20 assessors)": "queue_assessors",
		"`GET /api/v1/register?limit=50`":    "register_50",
		"`GET /api/v1/register` (every row)": "register_all",
	} {
		rate, p50, p99 := m[pacedUnit+"rate/"+read], m[pacedUnit+"p50_ms/"+read], m[pacedUnit+"p99_ms/"+read]
		if rate <= 0 || p50 <= 0 || p99 < p50 {
			t.Fatalf("%s: the run reports rate %v, p50 %v, p99 %v", read, rate, p50, p99)
		}
		row := rowOf(t, table, name+suffix)
		if want := count(rate) + " req/s: " + ms(p50) + " / " + ms(p99); row[1] != want {
			t.Errorf("%s: cell %q, want %q", read, row[1], want)
		}
		if goal := row[4]; goal != "—" {
			t.Errorf("%s: a paced row has no target of issue 14's, its cell says %q", read, goal)
		}
		closed := rowOf(t, table, strings.TrimSuffix(name, ")")) // the whole register's closed row says more in its brackets
		if !strings.Contains(closed[0], "50 readers over HTTP at scale") || !strings.Contains(closed[4], "5 ms") {
			t.Errorf("%s: the closed load's row lost its target: %q", read, closed[4])
		}
	}
}
