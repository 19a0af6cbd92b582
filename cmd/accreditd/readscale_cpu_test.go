package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat (USER_HZ,
// 100 on every Linux the project runs on).
const clockTick = 10 * time.Millisecond

// cpu is the user and system CPU time the process has used so far; -1
// when unknown. It counts every thread of accreditd: the HTTP handlers,
// the embedded nats-server and the runtime (GC), the whole cost of a
// request to the machine, none of the load generator's.
func (d *daemon) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", d.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	// The command name (field 2) may hold spaces: count fields after it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(utime+stime) * clockTick
}

// cpuPer is the process CPU over a phase per request answered, in µs; -1
// when unknown or nothing was answered.
func cpuPer(before, after time.Duration, requests int) float64 {
	if before < 0 || after < 0 || requests == 0 {
		return -1
	}
	return float64((after - before).Microseconds()) / float64(requests)
}

// profile, with ACCREDIT_BENCH_PROFILE=dir set, takes a CPU profile of
// accreditd for seconds through its pprof address into dir/name.prof,
// while the caller runs the load; wait blocks until it is written. With
// no dir (or no pprof address) it does nothing.
func (d *daemon) profile(name string, seconds int) (wait func() error) {
	dir := os.Getenv("ACCREDIT_BENCH_PROFILE")
	if dir == "" || d.pprof == "" {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", d.pprof, seconds))
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			done <- fmt.Errorf("profile %s: %s", name, resp.Status)
			return
		}
		f, err := os.Create(filepath.Join(dir, name+".prof"))
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	return func() error { return <-done }
}

// gcFigures are the collector's counters of accreditd at one moment, from
// its /metrics: how many cycles it ran and the runtime's estimate of their
// CPU (an overestimate by Go's documentation: once above the process's
// whole CPU over a load, so the cycles are the figure to read). A cycle
// marks the whole live heap (over a gigabyte at 100k cases), so whether
// one falls in a 10 s load or just after it moves that load's CPU per
// request by a quarter between runs of the same build.
type gcFigures struct {
	known          bool
	cycles, cpuSec float64
}

// gc reads accreditd's collector counters; known is false when /metrics
// cannot be read.
func (d *daemon) gc() gcFigures {
	body, ok := d.scrape()
	if !ok {
		return gcFigures{}
	}
	var f gcFigures
	var seen int
	for line := range strings.Lines(body) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_gc_duration_seconds_count":
			f.cycles, seen = v, seen+1
		case "go_cpu_classes_gc_total_cpu_seconds_total":
			f.cpuSec, seen = v, seen+1
		}
	}
	f.known = seen == 2
	return f
}

// scrape reads accreditd's /metrics; ok is false when it cannot.
func (d *daemon) scrape() (body string, ok bool) {
	resp, err := http.Get("http://" + d.metrics + "/metrics")
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", false
	}
	return string(b), true
}

// servedFigures are accreditd's own count of the GET requests of one route
// it answered, and of those it answered within 5 ms, at one moment: from
// its latency histogram (accredit_http_request_duration_seconds, whose
// bucket le="0.005" is issue 14's target). Its clock runs from the
// request's headers read to the handler's return: it leaves out the time
// a request waits before accreditd reads it (in the socket, or for a
// core: the bench's two cores are shared with the 50 readers). Set beside
// the readers' latencies, it tells which side of the socket the tail is
// on.
type servedFigures struct {
	known             bool
	answered, within5 float64
}

// served reads accreditd's latency histogram for GET route; known is
// false when /metrics cannot be read or has no 5 ms bucket for it.
func (d *daemon) served(route string) servedFigures {
	body, ok := d.scrape()
	if !ok {
		return servedFigures{}
	}
	return servedIn(body, route)
}

// servedIn reads the figures of GET route out of a /metrics body.
func servedIn(body, route string) servedFigures {
	const family = "accredit_http_request_duration_seconds"
	var f servedFigures
	var seen int
	for line := range strings.Lines(body) {
		series, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || !strings.HasPrefix(series, family) {
			continue
		}
		name, labels, ok := strings.Cut(series, "{")
		if !ok {
			continue
		}
		l := map[string]string{}
		for _, pair := range strings.Split(strings.TrimSuffix(labels, "}"), ",") {
			k, v, _ := strings.Cut(pair, "=")
			l[k] = strings.Trim(v, `"`)
		}
		if l["route"] != route || l["method"] != http.MethodGet {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch {
		case name == family+"_count":
			f.answered, seen = v, seen+1
		case name == family+"_bucket" && l["le"] == "0.005":
			f.within5, seen = v, seen+1
		}
	}
	f.known = seen == 2
	return f
}

// shareWithin5 is the per cent of the requests answered from before to f
// that accreditd answered within 5 ms; -1 when unknown or none.
func (f servedFigures) shareWithin5(before servedFigures) float64 {
	n := f.answered - before.answered
	if !f.known || !before.known || n <= 0 {
		return -1
	}
	return 100 * (f.within5 - before.within5) / n
}

// gcShare is the collector's part of a load: its cycles, and its CPU per
// request in µs.
type gcShare struct {
	known          bool
	cycles, cpuPer float64
}

// since is the collector's share of the requests answered from before to f.
func (f gcFigures) since(before gcFigures, requests int) gcShare {
	if !f.known || !before.known || requests == 0 {
		return gcShare{}
	}
	return gcShare{known: true, cycles: f.cycles - before.cycles, cpuPer: (f.cpuSec - before.cpuSec) * 1e6 / float64(requests)}
}

func (g gcShare) String() string {
	if !g.known {
		return "the collector's share unknown"
	}
	cycles := "cycles"
	if g.cycles == 1 {
		cycles = "cycle"
	}
	return fmt.Sprintf("%.0f %s of the collector in the load, %.0f µs a request by the runtime's overestimate", g.cycles, cycles, g.cpuPer)
}

// The reads at scale name the snapshots written during a load, from the
// daemon's log as it writes it (text format), and only those since the
// offset given.
func TestSnapshotsSinceNamesTheSnapshotsWrittenMeanwhile(t *testing.T) {
	w := &logWatch{marker: []byte("never"), seen: make(chan struct{})}
	fmt.Fprintln(w, `time=2026-12-04T18:33:06Z level=INFO msg="aggregates snapshot written" when=periodic position=9 took_ms=812`)
	off := w.Len()
	fmt.Fprintln(w, `time=2026-12-04T18:33:07Z level=INFO msg="session cache on"`)
	fmt.Fprintln(w, `time=2026-12-04T18:33:08Z level=INFO msg="read-model snapshot written" position=10 took_ms=2304 bytes=99`)
	fmt.Fprintln(w, `time=2026-12-04T18:33:09Z level=INFO msg="search index snapshot written" when="after its build" position=10 took_ms=650`)
	got := fmt.Sprint(w.snapshotsSince(off))
	if want := "[read-model snapshot written in 2304 ms search index snapshot written in 650 ms]"; got != want {
		t.Fatalf("snapshots since the offset: %s, want %s", got, want)
	}
}
