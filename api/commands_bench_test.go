package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/natsstore"
)

// BenchmarkCommandsVsRawJetStream is issue 14's command load: 32 clients,
// each on its own case, send PUT /api/v1/cases/{id}/portfolio to a real
// accreditd over HTTP for ACCREDIT_BENCH_SECONDS (default 10) with the real
// authentication in front; then, in the same run, 32 writers publish to
// raw JetStream with the expected last-subject sequence (what the store's
// optimistic concurrency costs at the least), same fsync policy, same
// payload size. Both for fsync "always" and "1s". It prints commands/s,
// messages/s, their ratio (targets: at least 0.8 with always, 0.5 with
// 1s), the process CPU per command and per raw message (getrusage; the
// process holds the HTTP clients and the embedded nats-server too), and
// accreditd's CPU per command from a CPU profile of the HTTP load (see
// profileShares; target: under 150 µs). ACCREDIT_BENCH_PROFILE=dir also
// writes that profile there for go tool pprof, with the allocation profile
// before and after the load (go tool pprof -sample_index=alloc_space -base
// commands-1s-allocs-before.pprof commands-1s-allocs-after.pprof). Run with -benchtime 1x, and
// without -cpuprofile (the benchmark takes its own).
func BenchmarkCommandsVsRawJetStream(b *testing.B) {
	const writers = 32
	seconds := 10
	if s, err := strconv.Atoi(os.Getenv("ACCREDIT_BENCH_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	d := time.Duration(seconds) * time.Second
	var out bytes.Buffer
	fmt.Fprintf(&out, "\n| fsync | writers | accreditd over HTTP (cmd/s) | raw JetStream (msg/s) | ratio | target | CPU per command | CPU per raw msg | difference | profile per command: accreditd / nats-server / clients / GC and runtime (shared out) |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, sync := range []struct {
		name   string
		target float64
	}{{"always", 0.8}, {"1s", 0.5}} {
		cmd, size := httpCommandLoad(b, sync.name, writers, d)
		raw := rawPublishLoad(b, sync.name, writers, d, size)
		ratio := cmd.rate() / raw.rate()
		p := cmd.profile
		fmt.Fprintf(&out, "| %s | %d | %.0f | %.0f | %.2f | >= %.1f | %v | %v | %v | %v / %v / %v / %v |\n", sync.name, writers, cmd.rate(), raw.rate(), ratio,
			sync.target, cmd.cpuPer(), raw.cpuPer(), cmd.cpuPer()-raw.cpuPer(),
			cmd.per(p.accreditd), cmd.per(p.natsServer), cmd.per(p.clients), cmd.per(p.shared))
		b.ReportMetric(cmd.rate(), "cmd/s_"+sync.name)
		b.ReportMetric(raw.rate(), "raw_msg/s_"+sync.name)
		b.ReportMetric(ratio, "ratio_"+sync.name)
		b.ReportMetric(float64((cmd.cpuPer() - raw.cpuPer()).Microseconds()), "own_cpu_us_per_cmd_"+sync.name)
		b.ReportMetric(float64(cmd.per(p.withShare()).Microseconds()), "profile_cpu_us_per_cmd_"+sync.name)
	}
	fmt.Fprintf(&out, "(%s each, commit size as stored; load average %s)\n", d, loadAverage())
	b.Log(out.String())
}

// load is what one run did: how many writes in how long, at what CPU.
type load struct {
	n        int64
	wall     time.Duration
	cpu      time.Duration
	failures int64
	profile  shares // the HTTP load's only
}

func (l load) rate() float64         { return float64(l.n) / l.wall.Seconds() }
func (l load) cpuPer() time.Duration { return l.per(l.cpu) }

// per is d per write.
func (l load) per(d time.Duration) time.Duration {
	if l.n == 0 {
		return 0
	}
	return (d / time.Duration(l.n)).Round(time.Microsecond)
}

// httpCommandLoad runs the HTTP side and returns it with the size of one
// stored portfolio commit, for the raw side to publish the same.
func httpCommandLoad(b *testing.B, fsync string, writers int, d time.Duration) (load, int) {
	dir, err := os.MkdirTemp("", "accredit-commands-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cfg := Config(dir)
	cfg.Sync = fsync
	in := StartWith(b, cfg, app.Options{Log: processLog(b, cfg)})
	defer in.App.Close()
	ctx := context.Background()
	users := make([]accounts.Imported, writers)
	for i := range users {
		users[i] = accounts.Imported{Email: fmt.Sprintf("coach%d@example.org", i), Name: fmt.Sprintf("Coach %d", i),
			Role: domain.RoleApplicant, PasswordHash: benchHash()}
	}
	if _, err := accounts.Import(ctx, in.App.Events, in.App.Vault, users, writers); err != nil {
		b.Fatal(err)
	}
	last, _ := in.App.Events.LastSeq(ctx)
	if err := in.App.Feed.WaitFor(ctx, last); err != nil {
		b.Fatal(err)
	}
	tokens, ids := make([]string, writers), make([]string, writers)
	for i := range users {
		tokens[i] = in.Login(b, users[i].Email, benchPassword)
		var opened struct {
			ID string `json:"id"`
		}
		Expect(b, in.Post(b, "/api/v1/cases", tokens[i], map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).JSON(b, &opened)
		ids[i] = opened.ID
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: writers}}
	put := func(w, i int) error {
		body := fmt.Sprintf(`{"first_practice_date":"2020-01-15","client_hours":%d,"client_count":12,"cpd_hours_last_year":20,"supervision_hours_last_year":6,"feedback_items_last_12m":6,"reflection_items_last_12m":5,"professional_body_member":true}`, 100+i%1000)
		req, _ := http.NewRequest(http.MethodPut, in.URL+"/api/v1/cases/"+ids[w]+"/portfolio", bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+tokens[w])
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("PUT portfolio: status %d", resp.StatusCode)
		}
		return nil
	}
	for w := range writers { // warm up: every case has a portfolio commit
		if err := put(w, 0); err != nil {
			b.Fatal(err)
		}
	}
	var prof, allocs0 bytes.Buffer
	profDir := os.Getenv("ACCREDIT_BENCH_PROFILE")
	if profDir != "" { // the allocations before the load, to subtract (pprof -base)
		runtime.GC() // the profile stands as of the last collection
		if err := pprof.Lookup("allocs").WriteTo(&allocs0, 0); err != nil {
			b.Fatal(err)
		}
	}
	if err := pprof.StartCPUProfile(&prof); err != nil {
		b.Fatalf("CPU profile (run without -cpuprofile; ACCREDIT_BENCH_PROFILE=dir keeps this one): %v", err)
	}
	g0 := in.App.Events.GroupCommitFigures()
	l := runFor(writers, d, put)
	g1 := in.App.Events.GroupCommitFigures()
	pprof.StopCPUProfile()
	if l.profile, err = profileShares(prof.Bytes()); err != nil {
		b.Fatal(err)
	}
	if profDir != "" {
		var allocs1 bytes.Buffer
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(&allocs1, 0); err != nil {
			b.Fatal(err)
		}
		for name, p := range map[string][]byte{"": prof.Bytes(), "-allocs-before": allocs0.Bytes(), "-allocs-after": allocs1.Bytes()} {
			if err := os.WriteFile(filepath.Join(profDir, "commands-"+fsync+name+".pprof"), p, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	if l.failures > 0 {
		b.Fatalf("%d of %d commands failed", l.failures, l.n+l.failures)
	}
	seq, _ := in.App.Events.LastSeq(ctx)
	c, err := in.App.Events.Get(ctx, seq)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(c.Events)
	b.Logf("fsync %s: %d commands by %d clients in %v; a stored portfolio commit is %d bytes", fsync, l.n, writers, l.wall.Round(time.Millisecond), len(body))
	if g1.On {
		batches, batched := g1.Batches-g0.Batches, g1.Batched-g0.Batched
		b.Logf("fsync %s: group commit sent %d batches carrying %d commits (mean %.1f) of the %d commands, %d refused", fsync,
			batches, batched, float64(batched)/float64(max(1, batches)), l.n, g1.Refused-g0.Refused)
	}
	return l, len(body)
}

// rawPublishLoad publishes size-byte messages to raw JetStream, each
// writer on its own subject with the expected last-subject sequence.
func rawPublishLoad(b *testing.B, fsync string, writers int, d time.Duration, size int) load {
	interval := time.Duration(0)
	if fsync != "always" {
		var err error
		if interval, err = time.ParseDuration(fsync); err != nil {
			b.Fatal(err)
		}
	}
	e, err := natsstore.StartEmbedded(natsstore.EmbeddedConfig{DataDir: b.TempDir(), SyncInterval: interval})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Shutdown()
	nc, err := e.Connect()
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage}); err != nil {
		b.Fatal(err)
	}
	payload := bytes.Repeat([]byte("x"), size)
	lastSeq := make([]uint64, writers)
	l := runFor(writers, d, func(w, _ int) error {
		ack, err := js.Publish(ctx, "raw."+strconv.Itoa(w), payload, jetstream.WithExpectLastSequencePerSubject(lastSeq[w]))
		if err != nil {
			return err
		}
		lastSeq[w] = ack.Sequence
		return nil
	})
	if l.failures > 0 {
		b.Fatalf("%d of %d raw publishes failed", l.failures, l.n+l.failures)
	}
	b.Logf("fsync %s: %d raw publishes of %d bytes by %d writers in %v", fsync, l.n, size, writers, l.wall.Round(time.Millisecond))
	return l
}

// runFor runs writers goroutines calling write(w, i) until d has passed
// and returns how many succeeded, the wall time and the process CPU.
func runFor(writers int, d time.Duration, write func(w, i int) error) load {
	var n, failed atomic.Int64
	cpu0 := processCPU()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				if write(w, i) != nil {
					failed.Add(1)
					continue
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return load{n: n.Load(), wall: time.Since(start), cpu: processCPU() - cpu0, failures: failed.Load()}
}

// processCPU is the user and system CPU this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the machine's 1-minute load average, to read beside the
// figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return "unknown"
	}
	return string(f[0])
}

// processLog is the logger accreditd makes (app.NewLogger), writing each
// line to a file descriptor as it writes to stderr; the null device
// stands for it. The test harness's default is a buffer in memory that
// grows by the line: a cost of its own (its copying and growth, 3 µs of
// the CPU counted per command in one profile) in place of the write a
// running accreditd makes. Four runs of each put the access log at 5 to 7
// µs a command either way.
func processLog(b *testing.B, cfg app.Config) *slog.Logger {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return app.NewLogger(cfg.LogFormat, f)
}
