package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartAtMillionEvents measures issue 14's start, stop and memory
// targets at the scale they are set at: a store of about 1M events
// (`accredit seed`, ACCREDIT_BENCH_MILLION_CASES cases and as many users:
// 50,000 give 1.02M events). BenchmarkReadSideAtScale measures them too, at
// its own scale (the reads' 100k cases, twice the events).
//
// It runs accreditd twice over: with no soft memory limit, then with the
// GOMEMLIMIT deploy/kubernetes gives it. Each time:
//   - a start with no snapshot (both sides replay), to ready; then until its
//     search index is built and the read models' snapshot written (both
//     follow a replay at once), and the heaviest reads (the office's queue
//     and the whole register, 50 readers, ACCREDIT_BENCH_SECONDS each);
//     RSS at ready and the process's peak (VmHWM) over all of it; a stop;
//   - a restart from both snapshots, the same.
//
// Each start is on the store as years would leave it, its commits outside
// JetStream's duplicate window (outsideDuplicateWindow); with no soft
// memory limit, a last restart is on the store as seeded, to show what
// that leaves out.
func BenchmarkStartAtMillionEvents(b *testing.B) {
	nCases := envInt("ACCREDIT_BENCH_MILLION_CASES", 50_000)
	seconds := envInt("ACCREDIT_BENCH_SECONDS", 10)
	const password = "bench password of the seeded users"
	bin, dir := buildBinaries(b), b.TempDir()
	limit, limitMiB := deployedMemoryLimit(b)
	b.ReportMetric(limitMiB, "gomemlimit_MiB")
	fmt.Printf("start at 1M events: %d cases, %d users; %s\n", nCases, nCases, loadavg())
	start := time.Now()
	s := seedSummary(b, seed(b, filepath.Join(bin, "accredit"), dir, nCases, nCases, password))
	fmt.Printf("  seed: %s, %d commits, %d events; %s\n", time.Since(start).Round(time.Millisecond), s.Summary.Commits, s.Summary.Events, loadavg())
	b.ReportMetric(float64(s.Summary.Events), "events")
	b.ReportMetric(float64(nCases), "cases")

	run := func(prefix, what string, env ...string) {
		// No snapshot: both sides replay the store, and the search index
		// builds from its start.
		for _, sub := range []string{"aggregates", "projections", "search"} {
			if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
				b.Fatal(err)
			}
		}
		phases := []startPhase{
			{name: "start with no snapshot", metric: "cold", settled: `msg="read-model snapshot written"`},
			{name: "restart from both snapshots", metric: "restart"},
		}
		if prefix == "" {
			phases = append(phases, startPhase{name: "restart from both snapshots, every commit inside the duplicate window as seeded",
				metric: "seeded_restart", seeded: true})
		}
		for _, phase := range phases {
			if !phase.seeded {
				outsideDuplicateWindow(b, dir)
			}
			d := startDaemon(b, filepath.Join(bin, "accreditd"), dir, env...)
			atReady := d.rssMiB().now
			d.searchBuilt(b)
			if phase.settled != "" {
				d.waitLog(b, phase.settled)
			}
			office := d.login(b, s.Summary.Office, password)
			queue := d.load("/api/v1/queue", []string{office}, 50, time.Duration(seconds)*time.Second)
			register := d.load("/api/v1/register", []string{""}, 50, time.Duration(seconds)*time.Second)
			if queue.failed+register.failed > 0 {
				b.Fatalf("%s: %d reads of the queue and %d of the register failed: %v %v", what, queue.failed, register.failed, queue.firstErr, register.firstErr)
			}
			m := d.rssMiB()
			took := d.stopAndReport(b, prefix+phase.metric+"_stop_s")
			fmt.Printf("  %s, %s: ready in %s; RSS at ready %.0f MiB, %.0f MiB after the search index, the snapshot and the reads, peak %.0f MiB; stop %s; %s\n",
				what, phase.name, d.ready.Round(time.Millisecond), atReady, m.now, m.peak, took, loadavg())
			b.ReportMetric(d.ready.Seconds(), prefix+phase.metric+"_ready_s")
			b.ReportMetric(atReady, prefix+phase.metric+"_rss_ready_MiB")
			b.ReportMetric(m.peak, prefix+phase.metric+"_rss_peak_MiB")
		}
	}
	run("", "no soft memory limit", "GOMEMLIMIT=off", "AUTOMEMLIMIT=off")
	run("limit_", "GOMEMLIMIT="+limit+" (deploy/kubernetes)", "GOMEMLIMIT="+limit)
}

// startPhase is one start of BenchmarkStartAtMillionEvents: its name, its
// metrics' prefix, the log line it waits for before the reads, and whether
// it starts on the store as seeded (every commit inside the duplicate
// window) rather than as years would leave it (outsideDuplicateWindow).
type startPhase struct {
	name, metric, settled string
	seeded                bool
}

// deployedMemoryLimit is the GOMEMLIMIT deploy/kubernetes/statefulset.yaml
// gives accreditd, so that the figure measured is the one shipped: as
// written, and in MiB.
func deployedMemoryLimit(b *testing.B) (string, float64) {
	b.Helper()
	y, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kubernetes", "statefulset.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(`name: GOMEMLIMIT\s+value: "?([0-9]+)([KMG])iB"?`).FindSubmatch(y)
	if m == nil {
		b.Fatal("deploy/kubernetes/statefulset.yaml gives no GOMEMLIMIT in KiB, MiB or GiB")
	}
	n, _ := strconv.ParseFloat(string(m[1]), 64)
	return string(m[1]) + string(m[2]) + "iB", n * map[string]float64{"K": 1.0 / 1024, "M": 1, "G": 1024}[string(m[2])]
}

// waitLog waits until the process has logged marker.
func (d *daemon) waitLog(b *testing.B, marker string) {
	b.Helper()
	deadline := time.Now().Add(20 * time.Minute)
	for !strings.Contains(d.logs.String(), marker) {
		select {
		case <-d.done:
			b.Fatalf("accreditd exited before it logged %s:\n%s", marker, lastLines(d.logs.String(), 20))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.Fatalf("accreditd did not log %s within 20 minutes:\n%s", marker, lastLines(d.logs.String(), 20))
		}
	}
}
