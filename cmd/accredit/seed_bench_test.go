package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSeed runs accredit seed into a new embedded store, as make seed
// does (fsync every second), with ACCREDIT_BENCH_SEED_CASES cases and as
// many users (10,000 when unset). It reports cases/s and the process's CPU
// per case (getrusage, user plus system: the generator, the writer and the
// embedded server alike, all in this process), the system part of it, and
// the page faults per case (fresh memory touched: the server's block
// buffers, the heap's growth).
func BenchmarkSeed(b *testing.B) {
	cases := 10000
	if v := os.Getenv("ACCREDIT_BENCH_SEED_CASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("ACCREDIT_BENCH_SEED_CASES=%q: a positive number, please", v)
		}
		cases = n
	}
	var took, cpu, sys time.Duration
	var faults int64
	for i := 0; b.Loop(); i++ {
		dir := filepath.Join(b.TempDir(), "data")
		var out, errOut bytes.Buffer
		c := &cli{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
		ru0 := usage(b)
		start := time.Now()
		code := c.run(context.Background(), []string{"seed", "--data-dir", dir, "--cases", strconv.Itoa(cases),
			"--users", strconv.Itoa(cases), "--seed", strconv.Itoa(i + 1), "--until", "2026-12-01", "--password", "a long seeding password", "--files=false"})
		took += time.Since(start)
		ru := usage(b)
		cpu += ru.cpu - ru0.cpu
		sys += ru.sys - ru0.sys
		faults += ru.faults - ru0.faults
		if code != 0 {
			b.Fatalf("seed: exit %d\n%s\n%s", code, out.String(), errOut.String())
		}
	}
	n := float64(b.N * cases)
	b.ReportMetric(n/took.Seconds(), "cases/s")
	b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-µs/case")
	b.ReportMetric(float64(sys.Microseconds())/n, "sys-µs/case")
	b.ReportMetric(float64(faults)/n, "faults/case")
}

// rusage is what this process has used so far: user plus system CPU, the
// system part, and page faults (minor: memory touched the first time).
type rusage struct {
	cpu, sys time.Duration
	faults   int64
}

func usage(tb testing.TB) rusage {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return rusage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), sys: time.Duration(ru.Stime.Nano()), faults: ru.Minflt + ru.Majflt}
}
