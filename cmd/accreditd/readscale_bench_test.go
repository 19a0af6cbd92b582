package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/natsstore"
)

// BenchmarkReadSideAtScale seeds ACCREDIT_BENCH_CASES cases and
// ACCREDIT_BENCH_USERS users (100,000 each by default) with accredit seed,
// starts a real accreditd on them as a process of its own, waits for its
// search index, which builds in the background after ready (it reports
// how long after), and reads over HTTP with 50 concurrent readers (who
// accept gzip and do not inflate it) and real logins for
// ACCREDIT_BENCH_SECONDS (10) each: GET /api/v1/me (authentication alone,
// the part of every authenticated read that is not the read side's), GET
// /api/v1/queue as the office and as assessors, GET /api/v1/register
// (public): a page of 50, and every row; then the first register page read
// after each of 10 revocations (register_change). It prints p50 and p99 of each
// (target p99 <= 5 ms), the cold start to ready (first start, then a
// restart with the read-model snapshot alone, then with both snapshots),
// the stop times and the RSS, each with the load average. Beside each read
// it reports accreditd's CPU per request (cpu_us/me, ...: the process's
// user and system time over the load from /proc/PID/stat, divided by the
// requests answered), the figure a shared machine's load does not skew,
// and the per cent of the load's requests accreditd answered within 5 ms
// by its own clock (served_5ms_pct/me, ...: its latency histogram, which
// leaves out a request's wait before accreditd reads it). After each
// closed load, the same readers read again paced together at half the
// rate it reached (loadPaced; paced_p50_ms/me, paced_p99_ms/me, ...): the
// latency of a machine not saturated by its own load generator. Every
// start is on the store as years would leave it, its commits outside
// JetStream's duplicate window (outsideDuplicateWindow).
// ACCREDIT_BENCH_PROFILE=dir writes a CPU profile of accreditd over each
// read load there (me.prof, queue_office.prof, ...; go tool pprof).
// ACCREDIT_BENCH_STORE=dir keeps the seeded store in dir and reads a store
// seeded there before instead of seeding again (to measure a change to
// the read side on the same data); the restarts are then left out.
// ACCREDIT_BENCH_READS=me,register_50,... runs those reads alone.
func BenchmarkReadSideAtScale(b *testing.B) {
	nCases, nUsers := envInt("ACCREDIT_BENCH_CASES", 100_000), envInt("ACCREDIT_BENCH_USERS", 100_000)
	seconds := envInt("ACCREDIT_BENCH_SECONDS", 10)
	const readers, password = 50, "bench password of the seeded users"
	bin, dir := buildBinaries(b), b.TempDir()
	kept := os.Getenv("ACCREDIT_BENCH_STORE")
	if kept != "" {
		dir = kept
	}
	fmt.Printf("read side at scale: %d cases, %d users; %d readers, %ds each; %s\n", nCases, nUsers, readers, seconds, loadavg())

	seedFile := filepath.Join(dir, "bench-seed.json")
	out, err := os.ReadFile(seedFile)
	reused := kept != "" && err == nil
	start := time.Now()
	if !reused {
		out = seed(b, filepath.Join(bin, "accredit"), dir, nCases, nUsers, password)
		if kept != "" {
			if err := os.WriteFile(seedFile, out, 0o600); err != nil {
				b.Fatal(err)
			}
		}
	}
	seeded := seedSummary(b, out)
	took := time.Since(start)
	if reused && seeded.Summary.Cases != nCases {
		b.Fatalf("%s holds %d cases, not ACCREDIT_BENCH_CASES=%d: a store seeded at another scale", dir, seeded.Summary.Cases, nCases)
	}
	if reused {
		fmt.Printf("  the store seeded before in %s: %d commits, %d events; %s\n", dir, seeded.Summary.Commits, seeded.Summary.Events, loadavg())
	} else {
		fmt.Printf("  seed: %s, %.0f cases/s, %d commits, %d events; %s\n", took.Round(time.Millisecond),
			float64(nCases)/took.Seconds(), seeded.Summary.Commits, seeded.Summary.Events, loadavg())
		b.ReportMetric(float64(nCases)/took.Seconds(), "seed_cases/s")
	}
	// The scale and every figure below as metrics too: cmd/benchtable reads them.
	b.ReportMetric(float64(nCases), "cases")
	b.ReportMetric(float64(nUsers), "users")
	b.ReportMetric(float64(seeded.Summary.Events), "events")
	b.ReportMetric(float64(seeded.Summary.Commits), "commits")

	outsideDuplicateWindow(b, dir) // as years would leave a store this size
	d := startDaemon(b, filepath.Join(bin, "accreditd"), dir)
	if reused {
		fmt.Printf("  start to ready on the kept store: %s; RSS %s; %s\n", d.ready.Round(time.Millisecond), d.rss(), loadavg())
	} else {
		fmt.Printf("  cold start to ready (no read-model snapshot): %s; RSS %s; %s\n", d.ready.Round(time.Millisecond), d.rss(), loadavg())
		b.ReportMetric(d.ready.Seconds(), "cold_start_s")
		b.ReportMetric(d.rssMiB().now, "rss_ready_MiB")
	}
	built := d.searchBuilt(b)
	fmt.Printf("  search index built in the background %s after ready; the reads start then; %s\n", built.Round(time.Millisecond), loadavg())
	b.ReportMetric(built.Seconds(), "search_built_after_ready_s")
	office := d.login(b, seeded.Summary.Office, password)
	var assessors []string
	var users struct {
		Users []struct {
			Email    string `json:"email"`
			Disabled bool   `json:"disabled"`
		} `json:"users"`
	}
	d.get(b, "/api/v1/users?role=assessor", office, &users)
	d.client.Timeout = time.Duration(seconds)*time.Second + 30*time.Second // a request still running then counts as failed
	for _, u := range users.Users {
		if len(assessors) < 20 && !u.Disabled {
			assessors = append(assessors, d.login(b, u.Email, password))
		}
	}
	if len(assessors) == 0 {
		b.Fatal("no assessor to log in as")
	}
	// A session changed within the cache's settle is read from the server
	// on every request (natsstore.SessionCacheSettle): the reads are
	// measured once the logins just made have settled.
	time.Sleep(natsstore.SessionCacheSettle + 200*time.Millisecond)
	only := os.Getenv("ACCREDIT_BENCH_READS") // a comma-separated list of reads' short names, to run those alone
	load := func(name, short, path, route string, tokens []string) {
		if only != "" && !slices.Contains(strings.Split(only, ","), short) {
			return
		}
		// The first request alone: it pays for what the read side keeps
		// until the next change (the register's rows).
		first := d.load(path, tokens[:1], 1, 0)
		profiled := d.profile(short, seconds)
		cpu0, gc0, served0, log0 := d.cpu(), d.gc(), d.served(route), d.logs.Len()
		st := d.load(path, tokens, readers, time.Duration(seconds)*time.Second)
		cpu, gc := cpuPer(cpu0, d.cpu(), st.n+st.failed), d.gc().since(gc0, st.n+st.failed)
		within5 := d.served(route).shareWithin5(served0)
		if err := profiled(); err != nil {
			b.Errorf("profile of %s: %v", name, err)
		}
		fmt.Printf("  %-36s p50 %8s  p99 %8s  %6.0f req/s  %d requests, %d failed (first alone %s); CPU %.0f µs a request (%s); %s\n", name, st.p50, st.p99, st.rate, st.n, st.failed, first.p50, cpu, gc, loadavg())
		if within5 >= 0 {
			fmt.Printf("    answered within 5 ms by accreditd's own clock (its latency histogram: from the request read to the handler's return; the wait before it is read is not in it): %.2f %%\n", within5)
			b.ReportMetric(within5, servedUnit+short)
		}
		if cpu >= 0 {
			b.ReportMetric(cpu, "cpu_us/"+short)
		}
		if gc.known {
			b.ReportMetric(gc.cpuPer, "gc_cpu_us/"+short)
			b.ReportMetric(gc.cycles, "gc_cycles/"+short)
		}
		for _, s := range d.logs.snapshotsSince(log0) {
			fmt.Printf("    meanwhile: %s\n", s)
		}
		if st.firstErr != nil {
			fmt.Printf("    a failed request: %v\n", st.firstErr)
		}
		if st.rate > 0 {
			// The same readers at a share of the rate the closed load
			// reached (half, unless ACCREDIT_BENCH_PACED says).
			rate, log1 := st.rate*pacedShare(), d.logs.Len()
			gc0 := d.gc()
			paced, tail := d.loadPaced(path, tokens, readers, time.Duration(seconds)*time.Second, rate)
			fmt.Printf("    the closed load's mean latency by Little's law: %d readers / %.0f req/s = %s; paced at %.0f req/s (latency from each request's due time): p50 %s  p99 %s, %d failed (%s); %s\n",
				readers, st.rate, (time.Duration(float64(readers) / st.rate * float64(time.Second))).Round(10*time.Microsecond), rate, paced.p50, paced.p99, paced.failed,
				d.gc().since(gc0, paced.n+paced.failed), loadavg())
			fmt.Printf("    its tail: %s\n", tail)
			for _, s := range d.logs.snapshotsSince(log1) {
				fmt.Printf("    meanwhile: %s\n", s)
			}
			b.ReportMetric(rate, pacedUnit+"rate/"+short)
			b.ReportMetric(float64(paced.p50.Microseconds())/1000, pacedUnit+"p50_ms/"+short)
			b.ReportMetric(float64(paced.p99.Microseconds())/1000, pacedUnit+"p99_ms/"+short)
			b.ReportMetric(float64(paced.failed), pacedUnit+"failed/"+short)
		}
		b.ReportMetric(float64(st.p50.Microseconds())/1000, strings.ReplaceAll(name, " ", "_")+"_p50_ms")
		b.ReportMetric(float64(st.p99.Microseconds())/1000, strings.ReplaceAll(name, " ", "_")+"_p99_ms")
		b.ReportMetric(float64(st.failed), strings.ReplaceAll(name, " ", "_")+"_failed")
	}
	load("GET /api/v1/me (office)", "me", "/api/v1/me", "/api/v1/me", []string{office})
	load("GET /api/v1/queue (office)", "queue_office", "/api/v1/queue", "/api/v1/queue", []string{office})
	load("GET /api/v1/queue (assessors)", "queue_assessors", "/api/v1/queue", "/api/v1/queue", assessors)
	load("GET /api/v1/register?limit=50", "register_50", "/api/v1/register?limit=50", "/api/v1/register", []string{""})
	load("GET /api/v1/register (every row)", "register_all", "/api/v1/register", "/api/v1/register", []string{""})
	if only == "" || slices.Contains(strings.Split(only, ","), "register_change") {
		d.registerAfterChanges(b, office, 10)
	}
	fmt.Printf("  RSS after the reads: %s; %s\n", d.rss(), loadavg())
	b.ReportMetric(d.rssMiB().now, "rss_after_reads_MiB")
	b.ReportMetric(d.rssMiB().peak, "rss_peak_MiB")

	if reused {
		fmt.Printf("  stop (SIGTERM to exit): %s; %s (restarts left out: the store was seeded before)\n", d.stopAndReport(b, "stop_kept_s"), loadavg())
		return
	}
	fmt.Printf("  stop (SIGTERM to exit): %s; %s\n", d.stopAndReport(b, "stop_s"), loadavg())
	// The write side's snapshot taken away: it replays the store, the read
	// side resumes from its own.
	aggregates := filepath.Join(dir, "aggregates")
	fmt.Printf("  aggregates snapshot written on stop: %s\n", fileSize(b, filepath.Join(aggregates, "aggregates.json"), "aggregates_snapshot_MiB"))
	fmt.Printf("  read-model snapshot on disk: %s\n", fileSize(b, filepath.Join(dir, "projections", "read-models.json"), "readmodel_snapshot_MiB"))
	if err := os.Rename(aggregates, aggregates+".kept"); err != nil {
		b.Fatal(err)
	}
	outsideDuplicateWindow(b, dir)
	d = startDaemon(b, filepath.Join(bin, "accreditd"), dir)
	fmt.Printf("  cold start to ready (restart, read-model snapshot only): %s; RSS %s; %s\n", d.ready.Round(time.Millisecond), d.rss(), loadavg())
	b.ReportMetric(d.ready.Seconds(), "restart_readmodels_s")
	fmt.Printf("  stop: %s; %s\n", d.stopAndReport(b, "stop_readmodels_s"), loadavg())
	outsideDuplicateWindow(b, dir)
	d = startDaemon(b, filepath.Join(bin, "accreditd"), dir)
	fmt.Printf("  cold start to ready (restart, both snapshots): %s; RSS %s; %s\n", d.ready.Round(time.Millisecond), d.rss(), loadavg())
	b.ReportMetric(d.ready.Seconds(), "restart_both_s")
	b.ReportMetric(d.rssMiB().now, "rss_restart_MiB")
	fmt.Printf("  stop: %s; %s\n", d.stopAndReport(b, "stop_both_s"), loadavg())
}

// fileSize says how large path is and reports it as metric (none when the
// file is missing: the table then says "not run", not 0).
// buildBinaries builds accredit and accreditd into a directory of their
// own and returns it.
func buildBinaries(b *testing.B) string {
	b.Helper()
	bin := b.TempDir()
	for _, cmd := range []string{"accredit", "accreditd"} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, cmd), "github.com/emcc/accredit/cmd/"+cmd).CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", cmd, err, out)
		}
	}
	return bin
}

// seedResult is what accredit seed says it wrote.
type seedResult struct {
	Summary struct {
		Commits int    `json:"commits"`
		Events  int    `json:"events"`
		Office  string `json:"office_email"`
		Cases   int    `json:"cases"`
	} `json:"summary"`
}

func seedSummary(b *testing.B, out []byte) seedResult {
	b.Helper()
	var s seedResult
	if err := json.Unmarshal(out, &s); err != nil {
		b.Fatalf("seed output: %v\n%s", err, out)
	}
	return s
}

// seed runs accredit seed into dir and returns its JSON summary.
func seed(b *testing.B, bin, dir string, nCases, nUsers int, password string) []byte {
	seedCmd := exec.Command(bin, "seed", "--data-dir", dir, "--cases", strconv.Itoa(nCases),
		"--users", strconv.Itoa(nUsers), "--seed", "1", "--password", password, "--output", "json", "--files=false")
	var seedErr bytes.Buffer
	seedCmd.Stderr = &seedErr
	out, err := seedCmd.Output()
	if err != nil {
		b.Fatalf("seed: %v\n%s", err, lastLines(seedErr.String(), 5))
	}
	return out
}

func fileSize(b *testing.B, path, metric string) string {
	st, err := os.Stat(path)
	if err != nil {
		return err.Error()
	}
	b.ReportMetric(float64(st.Size())/(1<<20), metric)
	return fmt.Sprintf("%.0f MiB", float64(st.Size())/(1<<20))
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// loadavg is the machine's 1-minute load average and core count, to read
// every figure beside.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	return fmt.Sprintf("load %s on %d cores", strings.Fields(string(b))[0], numCPU())
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return max(1, strings.Count(string(b), "processor\t:"))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

type loadStats struct {
	p50, p99  time.Duration
	n, failed int
	rate      float64
	firstErr  error
}

// load has readers read path (tokens taken in turn; "" for none) for d,
// at least once each, each reading the whole answer, and returns the
// latencies.
func (d *daemon) load(path string, tokens []string, readers int, dur time.Duration) loadStats {
	var all loadTally
	end := time.Now().Add(dur)
	var wg sync.WaitGroup
	for r := range readers {
		wg.Go(func() {
			var mine readerTally
			for i := r; i == r || time.Now().Before(end); i++ {
				t0 := time.Now()
				mine.record(d.readOnce(path, tokens[i%len(tokens)]), t0)
			}
			all.add(mine)
		})
	}
	wg.Wait()
	return all.stats(dur)
}

// readerTally is one reader's latencies and failures in a load.
type readerTally struct {
	lat    []time.Duration
	failed int
	err    error // the last failure
}

// record counts a read that ended now with err, its latency from since.
func (t *readerTally) record(err error, since time.Time) {
	if err != nil {
		t.failed++
		t.err = err
		return
	}
	t.lat = append(t.lat, time.Since(since))
}

// loadTally gathers the readers' tallies of a load.
type loadTally struct {
	mu  sync.Mutex
	all readerTally
}

func (l *loadTally) add(t readerTally) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.lat = append(l.all.lat, t.lat...)
	l.all.failed += t.failed
	if l.all.err == nil {
		l.all.err = t.err
	}
}

func (l *loadTally) stats(dur time.Duration) loadStats {
	return statsOf(l.all.lat, l.all.failed, l.all.err, dur)
}

// statsOf is the p50, p99 and rate of a load's latencies.
func statsOf(lat []time.Duration, failed int, firstErr error, dur time.Duration) loadStats {
	st := loadStats{n: len(lat), failed: failed, rate: float64(len(lat)) / dur.Seconds(), firstErr: firstErr}
	if len(lat) > 0 {
		slices.Sort(lat)
		st.p50 = lat[len(lat)/2].Round(10 * time.Microsecond)
		st.p99 = lat[min(len(lat)-1, len(lat)*99/100)].Round(10 * time.Microsecond)
	}
	return st
}

// readOnce reads path with token ("" for none) and the whole answer, as
// every reader of the loads does.
func (d *daemon) readOnce(path, token string) error {
	req, _ := http.NewRequest(http.MethodGet, d.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// Named, gzip is the client's to inflate: the transport passes the
	// body on as sent. A browser inflates the whole register on its own
	// machine; here the client shares the server's two cores, and its
	// inflating 14.6 MB a request (at 100k cases) was most of what the
	// readers waited for.
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", resp.Status)
	}
	return nil
}

// registerAfterChanges revokes n accreditations of the register one after
// the other, as the office, and after each reads the register's first
// page with min_seq at the revocation: the read that pays for what the
// read side keeps until the next change. It reports the median and the
// slowest of those reads.
func (d *daemon) registerAfterChanges(b *testing.B, office string, n int) {
	var lat []time.Duration
	for i := range n {
		var page struct {
			Accreditations []struct {
				ID string `json:"accreditation_id"`
			} `json:"accreditations"`
		}
		d.get(b, "/api/v1/register?limit=50", "", &page)
		if len(page.Accreditations) == 0 {
			b.Fatal("the register lists no accreditation to revoke")
		}
		body, _ := json.Marshal(map[string]string{"reason": fmt.Sprintf("Bench: a change of the register (%d).", i)})
		req, _ := http.NewRequest(http.MethodPost, d.url+"/api/v1/accreditations/"+page.Accreditations[0].ID+"/revocation", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+office)
		req.Header.Set("Content-Type", "application/json")
		resp, err := d.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var r struct {
			Seq uint64 `json:"seq"`
		}
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil || r.Seq == 0 {
			b.Fatalf("revoke %s: %s %v", page.Accreditations[0].ID, resp.Status, err)
		}
		t0 := time.Now()
		var after struct {
			Accreditations []struct {
				ID string `json:"accreditation_id"`
			} `json:"accreditations"`
		}
		d.get(b, fmt.Sprintf("/api/v1/register?limit=50&min_seq=%d", r.Seq), "", &after)
		lat = append(lat, time.Since(t0))
		if len(after.Accreditations) > 0 && after.Accreditations[0].ID == page.Accreditations[0].ID {
			b.Fatalf("the register still lists %s after its revocation at seq %d", page.Accreditations[0].ID, r.Seq)
		}
	}
	slices.Sort(lat)
	p50, worst := lat[len(lat)/2], lat[len(lat)-1]
	fmt.Printf("  %-36s p50 %8s  max %8s  (%d revocations, each then one read with min_seq); %s\n", "register page after a change", p50.Round(10*time.Microsecond), worst.Round(10*time.Microsecond), n, loadavg())
	b.ReportMetric(float64(p50.Microseconds())/1000, "register_after_change_p50_ms")
	b.ReportMetric(float64(worst.Microseconds())/1000, "register_after_change_max_ms")
}
