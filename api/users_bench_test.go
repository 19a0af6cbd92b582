package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/natsstore"
)

// BenchmarkUsersScale measures what one request costs with 1k and with
// 100k users in the store, over a real HTTP listener with the real
// authentication in front: GET /api/v1/me and one command (an assessor's
// profile set by the office), serial, and the ratio between the two sizes
// (target: at most 1.2). The users are made up and written as accredit
// seed writes them (seedUsers), before each instance starts; fsync every
// second, so that the command's figure is its CPU and not the disk's.
//
// Both instances run at once and the requests alternate between them (1k,
// 100k, 100k, 1k, ...), so that a change of the machine's load falls on
// both sizes alike. Beside the latencies, the process's CPU (getrusage:
// user and system, the client and both instances included) per request,
// over blocks of requests that alternate likewise; the median block is
// reported. Each instance is measured once it is idle (quiet).
// ACCREDIT_BENCH_PROFILE=dir then writes a CPU profile of each size's
// requests, one size at a time, into dir. Run with -benchtime 1x.
func BenchmarkUsersScale(b *testing.B) {
	// ACCREDIT_BENCH_USERS_LARGE lowers the 100k for a quick run (make bench-quick).
	sizes := []int{1_000, 100_000}
	if n, err := strconv.Atoi(os.Getenv("ACCREDIT_BENCH_USERS_LARGE")); err == nil && n > 0 {
		sizes[1] = n
	}
	ins := make([]*usersScaleInstance, len(sizes))
	for i, n := range sizes {
		ins[i] = startUsersScale(b, n)
	}
	// A session changed within the cache's settle is read from the server
	// on every request (natsstore.SessionCacheSettle), and the last
	// instance's logins were made just now: measured at once, its /me
	// never met the cache (a ratio of 1.6 at 100k users against 1k, that
	// was the settle, not the size). Requests are measured as they are once
	// a login has settled.
	time.Sleep(natsstore.SessionCacheSettle + 200*time.Millisecond)
	me := alternate(30, 100, len(ins), func(i int) { ins[i].me(b) }, func(int) {})
	cmd := alternate(20, 50, len(ins), func(i int) { ins[i].command(b) }, func(i int) { ins[i].caughtUp(b) })
	if dir := os.Getenv("ACCREDIT_BENCH_PROFILE"); dir != "" {
		for i, in := range ins {
			profileRequests(b, filepath.Join(dir, fmt.Sprintf("users-%d-me.prof", sizes[i])), 20000, func() { in.me(b) })
			profileRequests(b, filepath.Join(dir, fmt.Sprintf("users-%d-command.prof", sizes[i])), 5000, func() { in.command(b) })
		}
	}

	var out bytes.Buffer
	fmt.Fprintf(&out, "\n| users | GET /api/v1/me p50 / mean / CPU | PUT assessor-profile p50 / mean / CPU |\n|---|---|---|\n")
	for i, n := range sizes {
		fmt.Fprintf(&out, "| %d | %v / %v / %.0f µs | %v / %v / %.0f µs |\n", n, me[i].p50, me[i].mean, me[i].cpuUS, cmd[i].p50, cmd[i].mean, cmd[i].cpuUS)
	}
	meRatio := float64(me[1].p50) / float64(me[0].p50)
	cmdRatio := float64(cmd[1].p50) / float64(cmd[0].p50)
	meCPU, cmdCPU := me[1].cpuUS/me[0].cpuUS, cmd[1].cpuUS/cmd[0].cpuUS
	fmt.Fprintf(&out, "| ratio %d/%d users (p50; target <= 1.2 at 100k/1k) | %.2f | %.2f |\n", sizes[1], sizes[0], meRatio, cmdRatio)
	fmt.Fprintf(&out, "| ratio %d/%d users (CPU per request) | %.2f | %.2f |\n", sizes[1], sizes[0], meCPU, cmdCPU)
	fmt.Fprintf(&out, "load average (1 min) at the end: %s\n", loadAverage())
	b.Log(out.String())
	// Both sizes, their p50s and CPU, for cmd/benchtable's table.
	b.ReportMetric(float64(sizes[0]), "users_small")
	b.ReportMetric(float64(sizes[1]), "users_large")
	b.ReportMetric(float64(me[0].p50.Nanoseconds())/1e3, "me_p50_us_small")
	b.ReportMetric(float64(me[1].p50.Nanoseconds())/1e3, "me_p50_us_large")
	b.ReportMetric(float64(cmd[0].p50.Nanoseconds())/1e3, "command_p50_us_small")
	b.ReportMetric(float64(cmd[1].p50.Nanoseconds())/1e3, "command_p50_us_large")
	b.ReportMetric(meRatio, "me_p50_ratio")
	b.ReportMetric(cmdRatio, "command_p50_ratio")
	b.ReportMetric(me[0].cpuUS, "me_cpu_us_small")
	b.ReportMetric(me[1].cpuUS, "me_cpu_us_large")
	b.ReportMetric(cmd[0].cpuUS, "command_cpu_us_small")
	b.ReportMetric(cmd[1].cpuUS, "command_cpu_us_large")
	b.ReportMetric(meCPU, "me_cpu_ratio")
	b.ReportMetric(cmdCPU, "command_cpu_ratio")
}

// usersScaleInstance is an accreditd on a store of made-up users, with
// the tokens and the assessor its requests use.
type usersScaleInstance struct {
	in                    *Instance
	client                *http.Client
	applicant, office, id string // tokens; the assessor whose profile the office sets
}

const benchPassword = "a long password"

var benchHash = sync.OnceValue(func() string { return accounts.HashPassword(benchPassword) })

func startUsersScale(b *testing.B, n int) *usersScaleInstance {
	cfg := Config(b.TempDir())
	cfg.Sync = "1s"
	start := time.Now()
	sum := seedUsers(b, cfg, n, benchPassword)
	seeded := time.Since(start)
	in := StartWith(b, cfg, app.Options{Log: processLog(b, cfg)})
	s := &usersScaleInstance{in: in, client: &http.Client{}}
	s.caughtUp(b)
	in.Settle(b)
	quiet(b)
	b.Logf("%d users (%d commits) seeded in %v, then started, caught up and idle in %v (load %s)", n, sum.Commits,
		seeded.Round(time.Millisecond), (time.Since(start) - seeded).Round(time.Millisecond), loadAverage())
	s.applicant, s.office = in.Login(b, sum.Applicant, benchPassword), in.AdminToken(b)
	var me struct {
		ID string `json:"id"`
	}
	Expect(b, in.Get(b, "/api/v1/me", in.Login(b, sum.Assessor, benchPassword)), 200).JSON(b, &me)
	s.id = me.ID
	return s
}

// caughtUp waits until the write side's feed, the read models and the
// search index have followed every commit stored so far.
func (s *usersScaleInstance) caughtUp(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	last, err := s.in.App.Events.LastSeq(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, wait := range []func(context.Context, uint64) error{s.in.App.Feed.WaitFor, s.in.App.Reads.WaitFor, s.in.App.Search.WaitFor} {
		if err := wait(ctx, last); err != nil {
			b.Fatal(err)
		}
	}
}

func (s *usersScaleInstance) me(b *testing.B) {
	s.send(b, http.MethodGet, "/api/v1/me", s.applicant, nil, http.StatusOK)
}

var benchProfile = []byte(`{"schemes":["EIA"],"max_level":"practitioner","languages":["en","nl"],"conflicts":[]}`)

func (s *usersScaleInstance) command(b *testing.B) {
	s.send(b, http.MethodPut, "/api/v1/users/"+s.id+"/assessor-profile", s.office, benchProfile, http.StatusOK)
}

func (s *usersScaleInstance) send(b *testing.B, method, path, tok string, body []byte, want int) {
	req, _ := http.NewRequest(method, s.in.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("%s %s: status %d, want %d", method, path, resp.StatusCode, want)
	}
}

// quiet waits (at most two minutes) until the process is idle: under 5 %
// of a core over half a second, so that no instance's background work
// left from its start (a snapshot written ahead, the search index, a
// follower) is counted in the requests measured next.
func quiet(b *testing.B) {
	const window = 500 * time.Millisecond
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		before := processCPU()
		time.Sleep(window)
		if processCPU()-before < window/20 {
			return
		}
	}
	b.Logf("the process was still busy after two minutes (load %s)", loadAverage())
}

// profileRequests writes a CPU profile of n requests made by do to file
// (ACCREDIT_BENCH_PROFILE=dir: where a size's extra cost goes, by
// go tool pprof -diff_base).
func profileRequests(b *testing.B, file string, n int, do func()) {
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	for range n {
		do()
	}
	pprof.StopCPUProfile()
}

// cost is one size's figures: latency p50 and mean, and the median over
// its blocks of the process's CPU per request, in µs.
type cost struct {
	p50, mean time.Duration
	cpuUS     float64
}

// alternate measures requests made by do on each of n targets, after a
// warm-up of per requests each. The latencies: blocks*per requests each,
// one target's then the next's in turn, the order reversed every other
// round (0, 1, 1, 0, ...), so that a change of load falls on all alike.
// The CPU: blocks rounds of a block of per requests on each target (in
// the same alternating order), the process's CPU per request of each
// block; a single request is too short for getrusage. settle(i) ends each
// block of target i: what its requests left to do in the background (a
// command's followers) is counted in the block.
func alternate(blocks, per, n int, do, settle func(i int)) []cost {
	order := func(round, k int) int {
		if round%2 == 1 {
			return n - 1 - k
		}
		return k
	}
	for i := range n {
		for range per {
			do(i)
		}
	}
	lat := make([][]time.Duration, n)
	for round := range blocks * per {
		for k := range n {
			i := order(round, k)
			t := time.Now()
			do(i)
			lat[i] = append(lat[i], time.Since(t))
		}
	}
	cpu := make([][]float64, n)
	for round := range blocks {
		for k := range n {
			i := order(round, k)
			before := processCPU()
			for range per {
				do(i)
			}
			settle(i)
			cpu[i] = append(cpu[i], float64((processCPU()-before).Nanoseconds())/1e3/float64(per))
		}
	}
	out := make([]cost, n)
	for i := range out {
		var total time.Duration
		for _, d := range lat[i] {
			total += d
		}
		slices.Sort(lat[i])
		slices.Sort(cpu[i])
		out[i] = cost{p50: lat[i][len(lat[i])/2], mean: total / time.Duration(len(lat[i])), cpuUS: cpu[i][len(cpu[i])/2]}
	}
	return out
}
