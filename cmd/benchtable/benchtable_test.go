package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sample is the output of one real `make bench-quick` on the project's
// 2-core machine (bin/bench.txt), kept as it was written, with its
// BenchmarkCommandsVsRawJetStream result line replaced by that of a later
// real run of it alone (testdata/commands-profile.txt), which reports the
// CPU per command from a profile too.
func sample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "bench-quick.txt"))
	if err != nil {
		t.Fatal(err)
	}
	later, err := os.ReadFile(filepath.Join("testdata", "commands-profile.txt"))
	if err != nil {
		t.Fatal(err)
	}
	result := regexp.MustCompile(`(?m)^BenchmarkCommandsVsRawJetStream-\d+\s+\d+\s.*$`)
	line := result.Find(later)
	if line == nil || len(result.FindAll(b, -1)) != 1 {
		t.Fatal("no single commands result line to replace")
	}
	return string(result.ReplaceAllLiteral(b, line))
}

func tableOf(t *testing.T, input string) (string, int) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(nil, strings.NewReader(input), &out, &errs)
	if errs.Len() > 0 {
		t.Fatalf("stderr: %s", errs.String())
	}
	return out.String(), code
}

// rowOf is the table row whose figure starts with prefix, split in cells.
func rowOf(t *testing.T, table, prefix string) []string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "| "+prefix) {
			cells := strings.Split(strings.Trim(line, "| "), " | ")
			if len(cells) != 6 {
				t.Fatalf("row %q has %d cells", line, len(cells))
			}
			return cells
		}
	}
	t.Fatalf("no row %q in\n%s", prefix, table)
	return nil
}

// Every figure of the table is filled from the real run, with the
// values that run reported.
func TestEveryFigureFromARealRun(t *testing.T) {
	table, code := tableOf(t, sample(t))
	if code != 0 {
		t.Fatalf("exit %d for a run without failures", code)
	}
	// The sample predates the paced reads (pacedRow), the CPU per read request (cpuReadRow), per
	// request at 1k and the large store (usersRow's "cpu") and the search
	// index's build after ready: those rows alone say so. It predates
	// BenchmarkStartAtMillionEvents too, whose rows say "not run"
	// (TestStartAtMillionEventsFromARealRun reads a run of it).
	var rest []string
	for _, line := range strings.Split(table, "\n") {
		if strings.Contains(line, "not reported ("+cpuReadUnit) || strings.Contains(line, "not reported ("+servedUnit) || strings.Contains(line, "not reported ("+pacedUnit) || strings.Contains(line, "not reported (me_cpu_") ||
			strings.Contains(line, "not reported (command_cpu_") || strings.Contains(line, "not reported (search_built_after_ready_s") ||
			strings.HasPrefix(line, "| at 1M events") && strings.Contains(line, "| not run |") {
			continue
		}
		rest = append(rest, line)
	}
	if kept := strings.Join(rest, "\n"); strings.Contains(kept, "not run") || strings.Contains(kept, "not reported") || strings.Contains(kept, "failed") {
		t.Errorf("a figure of the complete run is missing:\n%s", table)
	}
	res, err := parse(strings.NewReader(sample(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.metrics); got < 15 {
		t.Errorf("%d benchmarks parsed, want every one of make bench's (at least 15)", got)
	}
	// Spot checks against the numbers on the sample's result lines.
	cmd := res.metrics[commandsBench]
	if cmd["ratio_always"] <= 0 || cmd["cmd/s_always"] <= 0 || cmd["raw_msg/s_1s"] <= 0 {
		t.Errorf("commands: %v", cmd)
	}
	want := ratioText(cmd["cmd/s_always"] / cmd["raw_msg/s_always"])
	if got := rowOf(t, table, "commands over HTTP, 32 clients, distinct cases, fsync always")[3]; got != ratioText(cmd["ratio_always"]) || got != want {
		t.Errorf("commands' ratio cell %q, want %q (the reported ratio, = cmd/s over msg/s)", got, want)
	}
	for _, fsync := range []string{"always", "1s"} {
		r := rowOf(t, table, "accreditd's CPU per command, fsync "+fsync)
		if want := thousands(cmd["profile_cpu_us_per_cmd_"+fsync]) + " µs"; cmd["profile_cpu_us_per_cmd_"+fsync] <= 0 || r[1] != want || r[4] != "< 150 µs" {
			t.Errorf("CPU from the profile, fsync %s: %q, want %q against < 150 µs", fsync, r, want)
		}
	}
	if got := rowOf(t, table, "appends, 1 writer, 1 event each")[1]; !regexp.MustCompile(`^[0-9,]+ events/s$`).MatchString(got) {
		t.Errorf("appends cell %q", got)
	}
	if !strings.Contains(table, "Machine: AMD EPYC") || !strings.Contains(table, "2 cores") || !strings.Contains(table, "at the end") {
		t.Errorf("the header does not name the machine and load:\n%s", table[:strings.Index(table, "| figure")])
	}
}

// A benchmark that did not run leaves "not run" in its rows, never a
// number, and the other rows keep theirs.
func TestMissingBenchmarkSaysNotRun(t *testing.T) {
	var kept []string
	for _, line := range strings.Split(sample(t), "\n") {
		if !strings.Contains(line, "BenchmarkCommandsVsRawJetStream") {
			kept = append(kept, line)
		}
	}
	table, _ := tableOf(t, strings.Join(kept, "\n"))
	for _, fsync := range []string{"always", "1s"} {
		r := rowOf(t, table, "commands over HTTP, 32 clients, distinct cases, fsync "+fsync)
		if r[1] != "not run" || r[2] != "not run" || r[3] != "not run" || r[5] != "not run" {
			t.Errorf("fsync %s: %q, want not run in every measured cell", fsync, r)
		}
		if r := rowOf(t, table, "accreditd's CPU per command, fsync "+fsync); r[1] != "not run" || r[5] != "not run" {
			t.Errorf("CPU, fsync %s: %q", fsync, r)
		}
		if r := rowOf(t, table, "process CPU per command less per raw message, fsync "+fsync); r[1] != "not run" {
			t.Errorf("getrusage CPU, fsync %s: %q", fsync, r)
		}
	}
	if r := rowOf(t, table, "rebuild of every read model"); r[1] == "not run" {
		t.Errorf("another benchmark's row lost its figure: %q", r)
	}
}

// A benchmark that failed is named, its rows say so, and the tool exits 1
// (after printing the table), so that make bench fails.
func TestFailedBenchmark(t *testing.T) {
	input := sample(t) + "\n--- FAIL: BenchmarkOpen-2\n    bench_test.go:30: boom\nFAIL\tgithub.com/emcc/accredit/domain/pii\t0.1s\n"
	input = strings.ReplaceAll(input, "BenchmarkOpen-2 ", "BenchmarkXOpen-2 ") // its result line gone
	table, code := tableOf(t, input)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if r := rowOf(t, table, "opening one personal field"); r[1] != "failed" {
		t.Errorf("row %q, want failed", r)
	}
	if !strings.Contains(table, "Failed: BenchmarkOpen, FAIL github.com/emcc/accredit/domain/pii") {
		t.Errorf("the failure is not named:\n%s", table)
	}
}

// A benchmark that prints while it runs splits its result line: go test
// writes the name, then the benchmark's lines, then the figures.
func TestSplitResultLine(t *testing.T) {
	input := "BenchmarkReadSideAtScale-2   \tread side at scale: 2 cases; load 3.1 on 2 cores\n" +
		"  seed: 1s, 2 cases/s\n" +
		"  stop: 1.5s; load 2.0 on 2 cores\n" +
		"       1\t 9000 ns/op\t 4.5 cold_start_s\t 2.0 cases\n"
	res, err := parse(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.metrics[scaleBench]; got["cold_start_s"] != 4.5 || got["cases"] != 2 {
		t.Errorf("metrics %v", got)
	}
}

// A target is checked on the figure it names, and a run below the scale
// the target is set at says so beside its verdict.
func TestVerdictAndScale(t *testing.T) {
	res := &results{metrics: map[string]map[string]float64{millionBench: {
		"cold_ready_s": 4, "events": 33_000, "cold_stop_s": 12, "restart_stop_s": 1,
		"limit_cold_rss_ready_MiB": 500, "limit_cold_rss_peak_MiB": 900, "limit_restart_rss_ready_MiB": 400, "limit_restart_rss_peak_MiB": 1100, "gomemlimit_MiB": 900,
	}}, failed: map[string]bool{}}
	seen := 0
	for _, f := range figures {
		switch {
		case strings.HasPrefix(f.name, "at 1M events: start to ready"):
			seen++
			if got := row(res, f)[5]; got != "yes (run at 33,000 events; the target is at 1M events)" {
				t.Errorf("cold start: %q", got)
			}
		case strings.HasPrefix(f.name, "at 1M events: stop after SIGTERM"):
			seen++
			if got := row(res, f)[5]; !strings.HasPrefix(got, "no (run at 33,000 events") {
				t.Errorf("stop: %q", got)
			}
		case strings.HasPrefix(f.name, "at 1M events: restart to ready"):
			seen++
			if got := row(res, f); got[1] != "not reported (restart_ready_s)" || got[5] != "not reported" {
				t.Errorf("a metric the line lacks: %q", got)
			}
		case strings.HasPrefix(f.name, "at 1M events, with the `GOMEMLIMIT`"):
			seen++
			// The worst peak is checked: the restart's.
			got := row(res, f)
			if got[1] != "`GOMEMLIMIT` 900 MiB; start with no snapshot: 500 MiB at ready, peak 900 MiB; restart: 400 MiB at ready, peak 1,100 MiB" ||
				!strings.HasPrefix(got[5], "no (run at 33,000 events") {
				t.Errorf("RSS under the deployed limit: %q", got)
			}
		}
	}
	if seen != 4 {
		t.Errorf("%d of the 4 rows checked found", seen)
	}
	res.metrics[millionBench]["events"] = 1_020_000
	for _, f := range figures {
		if strings.HasPrefix(f.name, "at 1M events: start to ready") {
			if got := row(res, f)[5]; got != "yes" {
				t.Errorf("at full scale: %q", got)
			}
		}
	}
}

func TestMarkRoundTrip(t *testing.T) {
	m := machineNow()
	line, err := markLine("end", m)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := parseMark(line)
	if !ok || got.At != "end" || got.Cores != m.Cores || got.Go != m.Go || !got.Time.Equal(m.Time) {
		t.Errorf("%q read back as %+v", line, got)
	}
	if _, err := markLine("middle", m); err == nil {
		t.Error("mark middle accepted")
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{count(1234567), "1,234,567"}, {count(999), "999"}, {thousands(3.14), "3.1"},
		{ms(0.151), "151 µs"}, {ms(3.12), "3.1 ms"}, {ms(1400), "1,400 ms"},
		{seconds(0.8), "0.80 s"}, {seconds(64.25), "64.2 s"}, {mib(3.8), "3.8 MiB"}, {mib(1393.6), "1,394 MiB"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// runOf is the table of a real run kept in testdata, which exits 0, and
// the run's metrics.
func runOf(t *testing.T, name string) (string, *results) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	table, code := tableOf(t, string(b))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	res, err := parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return table, res
}

// accreditd's CPU per read request is shown from a real run of
// BenchmarkReadSideAtScale that reports it (10k cases and users, on the
// store seeded before, testdata/readscale-cpu.txt), each in its row.
func TestCPUPerReadRequest(t *testing.T) {
	table, res := runOf(t, "readscale-cpu.txt")
	m := res.metrics[scaleBench]
	for prefix, unit := range map[string]string{
		"accreditd's CPU per request, `GET /api/v1/me` (office)":          "me",
		"accreditd's CPU per request, `GET /api/v1/queue` (office)":       "queue_office",
		"accreditd's CPU per request, `GET /api/v1/queue` (20 assessors)": "queue_assessors",
		"accreditd's CPU per request, `GET /api/v1/register?limit=50`":    "register_50",
		"accreditd's CPU per request, `GET /api/v1/register` (every row)": "register_all",
	} {
		v, ok := m[cpuReadUnit+unit]
		if !ok || v <= 0 {
			t.Fatalf("%s: the run reports %v", unit, v)
		}
		if got, want := rowOf(t, table, prefix)[1], thousands(v)+" µs"; got != want {
			t.Errorf("%s: cell %q, want %q", unit, got, want)
		}
	}
}

// The per cent of each read answered within 5 ms by accreditd's own clock
// is shown from a real run of BenchmarkReadSideAtScale that reports it
// (100k cases and users, four of the five reads,
// testdata/readscale-served.txt), each in its row; the read the run left
// out says so.
func TestServedWithinFiveMilliseconds(t *testing.T) {
	table, res := runOf(t, "readscale-served.txt")
	m := res.metrics[scaleBench]
	const prefix = "answered within 5 ms by accreditd's own clock, "
	for name, unit := range map[string]string{
		"`GET /api/v1/me` (office)":          "me",
		"`GET /api/v1/queue` (office)":       "queue_office",
		"`GET /api/v1/queue` (20 assessors)": "queue_assessors",
		"`GET /api/v1/register?limit=50`":    "register_50",
	} {
		v, ok := m[servedUnit+unit]
		if !ok || v <= 0 || v > 100 {
			t.Fatalf("%s: the run reports %v", unit, v)
		}
		if got, want := rowOf(t, table, prefix+name)[1], fixed(v, 2)+" %"; got != want {
			t.Errorf("%s: cell %q, want %q", unit, got, want)
		}
	}
	if got := rowOf(t, table, prefix+"`GET /api/v1/register` (every row)")[1]; !strings.Contains(got, "not reported") {
		t.Errorf("the read left out: cell %q", got)
	}
}

// A request at 1k users against 100k is shown by its p50 and by the
// process's CPU per request, from a real run of BenchmarkUsersScale that
// reports both (testdata/users-scale.txt), each with its ratio and verdict.
func TestUsersScaleLatencyAndCPU(t *testing.T) {
	table, res := runOf(t, "users-scale.txt")
	m := res.metrics[usersBench]
	if m["users_large"] != 100_000 || m["users_small"] != 1000 {
		t.Fatalf("sizes: %v", m)
	}
	for prefix, unit := range map[string]string{
		"`GET /api/v1/me` over HTTP, serial, p50":                                       "me_p50",
		"a command (`PUT /users/{id}/assessor-profile`) over HTTP, serial, p50":         "command_p50",
		"`GET /api/v1/me` over HTTP, serial, process CPU":                               "me_cpu",
		"a command (`PUT /users/{id}/assessor-profile`) over HTTP, serial, process CPU": "command_cpu",
	} {
		large, small, ratio := m[unit+"_us_large"], m[unit+"_us_small"], m[unit+"_ratio"]
		if large <= 0 || small <= 0 || ratio <= 0 {
			t.Fatalf("%s: the run reports %v, %v, %v", unit, large, small, ratio)
		}
		row := rowOf(t, table, prefix)
		if want := thousands(large) + " µs at 100,000 users; " + thousands(small) + " µs at 1,000"; row[1] != want {
			t.Errorf("%s: cell %q, want %q", unit, row[1], want)
		}
		verdict := "yes"
		if ratio > 1.2 {
			verdict = "no"
		}
		if row[3] != ratioText(ratio) || row[5] != verdict {
			t.Errorf("%s: ratio %q, verdict %q; the run's ratio is %v", unit, row[3], row[5], ratio)
		}
	}
}

// The rows at 1M events are filled from a real run of
// BenchmarkStartAtMillionEvents (at 2,000 cases: testdata/million-quick.txt),
// each verdict saying the scale it ran at.
func TestStartAtMillionEventsFromARealRun(t *testing.T) {
	table, res := runOf(t, "million-quick.txt")
	m := res.metrics[millionBench]
	if m["events"] <= 0 || m["gomemlimit_MiB"] != 900 {
		t.Fatalf("the run reports %v", m)
	}
	for prefix, want := range map[string]string{
		"at 1M events: start to ready with no snapshot": seconds(m["cold_ready_s"]),
		"at 1M events: restart to ready from both":      seconds(m["restart_ready_s"]),
		"at 1M events: stop after SIGTERM":              seconds(m["cold_stop_s"]) + ", " + seconds(m["restart_stop_s"]),
		"at 1M events, no soft memory limit": "start with no snapshot: " + mib(m["cold_rss_ready_MiB"]) + " at ready, peak " + mib(m["cold_rss_peak_MiB"]) +
			"; restart: " + mib(m["restart_rss_ready_MiB"]) + " at ready, peak " + mib(m["restart_rss_peak_MiB"]),
		"at 1M events, with the `GOMEMLIMIT`": "`GOMEMLIMIT` 900 MiB; start with no snapshot: " + mib(m["limit_cold_rss_ready_MiB"]) + " at ready, peak " + mib(m["limit_cold_rss_peak_MiB"]) +
			"; restart: " + mib(m["limit_restart_rss_ready_MiB"]) + " at ready, peak " + mib(m["limit_restart_rss_peak_MiB"]),
		"at 1M events, with that `GOMEMLIMIT`": seconds(m["limit_cold_ready_s"]) + "; " + seconds(m["limit_restart_ready_s"]),
	} {
		r := rowOf(t, table, prefix)
		if r[1] != want {
			t.Errorf("%s: cell %q, want %q", prefix, r[1], want)
		}
		if r[4] != "—" && !strings.Contains(r[5], "(run at 41,105 events; the target is at 1M events)") {
			t.Errorf("%s: verdict %q does not say the run's scale", prefix, r[5])
		}
	}
	if !strings.Contains(table, "At 1M events: 2,000 cases and as many users, 41,105 events.") {
		t.Errorf("the scale line does not say the run's size:\n%s", table)
	}
}
