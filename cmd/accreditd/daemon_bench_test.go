package main

// A real accreditd for the benchmarks at scale: started on a data
// directory, its log watched, its RSS read, logged into and stopped.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// daemon is an accreditd process under measurement.
type daemon struct {
	cmd   *exec.Cmd
	url   string
	pprof string // its profiler's address, with ACCREDIT_BENCH_PROFILE
	// metrics is its /metrics address (no login): the collector's figures.
	metrics string
	ready   time.Duration
	client  *http.Client
	done    chan struct{}

	logs    *logWatch // its log, watched for the search index built
	started time.Time
}

// logWatch is a process's log, kept for an error message, that tells when
// a line holding marker was written. Safe for the writer and readers.
type logWatch struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker []byte
	from   int           // where the marker is looked for next
	seen   chan struct{} // closed once the marker was written
	at     time.Time     // when
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.at.IsZero() {
		if bytes.Contains(w.buf.Bytes()[w.from:], w.marker) {
			w.at = time.Now()
			close(w.seen)
		}
		w.from = max(0, w.buf.Len()-len(w.marker))
	}
	return len(p), nil
}

// Len is how much was written so far: an offset for snapshotsSince.
func (w *logWatch) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Len()
}

// snapshotWritten finds a snapshot's "written" log line and its took_ms.
// servedUnit starts the metrics of the per cent answered within 5 ms by
// accreditd's own clock (cmd/benchtable reads them).
const servedUnit = "served_5ms_pct/"

var snapshotWritten = regexp.MustCompile(`msg="([^"]*snapshot written)".*?took_ms=(\d+)`)

// snapshotsSince names the snapshots written since offset off, with what
// each took: their encoding is the process's CPU too, and one falling in a
// load raises its CPU per request.
func (w *logWatch) snapshotsSince(off int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var found []string
	for line := range strings.Lines(string(w.buf.Bytes()[min(off, w.buf.Len()):])) {
		if m := snapshotWritten.FindStringSubmatch(line); m != nil {
			found = append(found, m[1]+" in "+m[2]+" ms")
		}
	}
	return found
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// searchBuilt waits until the process's search index is built (it builds
// in the background after ready, reading the whole store once: a minute
// of both cores at 2M events) and returns how long after ready that was.
// The reads are measured after it: what it costs is not theirs.
func (d *daemon) searchBuilt(b *testing.B) time.Duration {
	b.Helper()
	select {
	case <-d.logs.seen:
	case <-d.done:
		b.Fatalf("accreditd exited before its search index was built:\n%s", lastLines(d.logs.String(), 20))
	case <-time.After(20 * time.Minute):
		b.Fatalf("the search index not built within 20 minutes of ready:\n%s", lastLines(d.logs.String(), 20))
	}
	d.logs.mu.Lock()
	defer d.logs.mu.Unlock()
	return max(0, d.logs.at.Sub(d.started)-d.ready)
}

// startDaemon starts accreditd on dir, with env added to this process's
// environment, and waits until it is ready.
func startDaemon(b *testing.B, bin, dir string, env ...string) *daemon {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ml, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	metrics := ml.Addr().String()
	ml.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(append(os.Environ(), "ACCREDIT_ADDR="+addr, "ACCREDIT_DATA_DIR="+dir, "ACCREDIT_LOG_FORMAT=text",
		"ACCREDIT_METRICS_ADDR="+metrics), env...)
	var pprof string
	if os.Getenv("ACCREDIT_BENCH_PROFILE") != "" {
		pl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		pprof = pl.Addr().String()
		pl.Close()
		cmd.Env = append(cmd.Env, "ACCREDIT_PPROF_ADDR="+pprof)
	}
	logs := &logWatch{marker: []byte(`msg="search index built"`), seen: make(chan struct{})}
	cmd.Stderr, cmd.Stdout = logs, io.Discard
	d := &daemon{cmd: cmd, url: "http://" + addr, pprof: pprof, metrics: metrics, done: make(chan struct{}), logs: logs, started: time.Now(),
		client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
	start := d.started
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(d.done) }()
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-d.done
	})
	for {
		resp, err := d.client.Get(d.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-d.done:
			b.Fatalf("accreditd exited while starting:\n%s", lastLines(logs.String(), 20))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Since(start) > 30*time.Minute {
			b.Fatal("accreditd not ready within 30 minutes")
		}
	}
	d.ready = time.Since(start)
	return d
}

// rss is the process's resident memory now and at its peak.
func (d *daemon) rss() string {
	m := d.rssMiB()
	if m.now < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f MiB (peak %.0f MiB)", m.now, m.peak)
}

// rssMiB reads VmRSS and VmHWM of the process; -1 when unknown.
func (d *daemon) rssMiB() struct{ now, peak float64 } {
	m := struct{ now, peak float64 }{-1, -1}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		kb, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmRSS:":
			m.now = float64(kb) / 1024
		case "VmHWM:":
			m.peak = float64(kb) / 1024
		}
	}
	return m
}

// stopAndReport stops the process, reports the time as metric and says
// how it went.
func (d *daemon) stopAndReport(b *testing.B, metric string) string {
	took, killed := d.stop(b)
	b.ReportMetric(took.Seconds(), metric)
	if killed {
		b.ReportMetric(1, metric+"_killed")
		return "not stopped within 2m0s of SIGTERM: killed (no read-model snapshot saved)"
	}
	return took.Round(time.Millisecond).String()
}

// stop sends SIGTERM and waits for the exit; past two minutes (requests
// still running that no client waits for) it kills the process and says so.
func (d *daemon) stop(b *testing.B) (took time.Duration, killed bool) {
	b.Helper()
	start := time.Now()
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
		return time.Since(start), false
	case <-time.After(2 * time.Minute):
		_ = d.cmd.Process.Kill()
		<-d.done
		return time.Since(start), true
	}
}

func (d *daemon) login(b *testing.B, email, password string) string {
	b.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := d.client.Post(d.url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		b.Fatalf("login %s: %s", email, resp.Status)
	}
	return out.Token
}

func (d *daemon) get(b *testing.B, path, token string, v any) {
	b.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		b.Fatalf("GET %s: %v", path, err)
	}
}
