package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
)

// BenchmarkUsersScale measures what one request costs with 1k and with
// 100k users in the store, over a real HTTP listener with the real
// authentication in front: GET /api/v1/me and one command (an assessor's
// profile set by the office), serial, and the ratio between the two sizes
// (target: at most 1.2). The users are written through the store
// (accounts.Import, one password hash for all), not HTTP. fsync every
// second, so that the command's figure is its CPU and not the disk's.
// Run with -benchtime 1x.
func BenchmarkUsersScale(b *testing.B) {
	// ACCREDIT_BENCH_USERS_LARGE lowers the 100k for a quick run (make bench-quick).
	sizes := []int{1_000, 100_000}
	if n, err := strconv.Atoi(os.Getenv("ACCREDIT_BENCH_USERS_LARGE")); err == nil && n > 0 {
		sizes[1] = n
	}
	type figures struct{ me, cmd latency }
	got := make([]figures, len(sizes))
	for i, n := range sizes {
		got[i].me, got[i].cmd = usersScaleRun(b, n)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "\n| users | GET /api/v1/me p50 / mean | PUT assessor-profile p50 / mean |\n|---|---|---|\n")
	for i, n := range sizes {
		fmt.Fprintf(&out, "| %d | %v / %v | %v / %v |\n", n, got[i].me.p50, got[i].me.mean, got[i].cmd.p50, got[i].cmd.mean)
	}
	meRatio := float64(got[1].me.p50) / float64(got[0].me.p50)
	cmdRatio := float64(got[1].cmd.p50) / float64(got[0].cmd.p50)
	fmt.Fprintf(&out, "| ratio %d/%d users (p50; target <= 1.2 at 100k/1k) | %.2f | %.2f |\n", sizes[1], sizes[0], meRatio, cmdRatio)
	b.Log(out.String())
	// Both sizes and their p50s, for cmd/benchtable's table.
	b.ReportMetric(float64(sizes[0]), "users_small")
	b.ReportMetric(float64(sizes[1]), "users_large")
	b.ReportMetric(float64(got[0].me.p50.Nanoseconds())/1e3, "me_p50_us_small")
	b.ReportMetric(float64(got[1].me.p50.Nanoseconds())/1e3, "me_p50_us_large")
	b.ReportMetric(float64(got[0].cmd.p50.Nanoseconds())/1e3, "command_p50_us_small")
	b.ReportMetric(float64(got[1].cmd.p50.Nanoseconds())/1e3, "command_p50_us_large")
	b.ReportMetric(meRatio, "me_p50_ratio")
	b.ReportMetric(cmdRatio, "command_p50_ratio")
}

type latency struct{ p50, mean time.Duration }

func usersScaleRun(b *testing.B, n int) (me, cmd latency) {
	dir, err := os.MkdirTemp("", "accredit-users-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cfg := Config(dir)
	cfg.Sync = "1s"
	in := StartWith(b, cfg, app.Options{})
	defer in.App.Close()
	ctx := context.Background()
	users := make([]accounts.Imported, n)
	for i := range users {
		users[i] = accounts.Imported{Email: fmt.Sprintf("user%d@example.org", i), Name: fmt.Sprintf("User %d", i),
			Role: domain.RoleApplicant, PasswordHash: benchHash()}
	}
	users[0].Role = domain.RoleAssessor
	start := time.Now()
	ids, err := accounts.Import(ctx, in.App.Events, in.App.Vault, users, 64)
	if err != nil {
		b.Fatal(err)
	}
	last, err := in.App.Events.LastSeq(ctx)
	if err != nil {
		b.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := in.App.Feed.WaitFor(wctx, last); err != nil {
		b.Fatal(err)
	}
	if err := in.App.Reads.WaitFor(wctx, last); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d users written through the store and caught up in %v", n, time.Since(start).Round(time.Millisecond))

	token := in.Login(b, users[1].Email, benchPassword)
	admin := in.AdminToken(b)
	client := &http.Client{}
	send := func(method, path, tok string, body []byte, want int) {
		req, _ := http.NewRequest(method, in.URL+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			b.Fatalf("%s %s: status %d, want %d", method, path, resp.StatusCode, want)
		}
	}
	measure := func(count int, f func()) latency {
		for range count / 10 { // warm up
			f()
		}
		d := make([]time.Duration, count)
		var total time.Duration
		for i := range d {
			t := time.Now()
			f()
			d[i] = time.Since(t)
			total += d[i]
		}
		slices.Sort(d)
		return latency{p50: d[len(d)/2], mean: total / time.Duration(count)}
	}
	me = measure(3000, func() { send(http.MethodGet, "/api/v1/me", token, nil, http.StatusOK) })
	profile := []byte(`{"schemes":["EIA"],"max_level":"practitioner","languages":["en","nl"],"conflicts":[]}`)
	cmd = measure(1000, func() {
		send(http.MethodPut, "/api/v1/users/"+ids[0]+"/assessor-profile", admin, profile, http.StatusOK)
	})
	b.Logf("%d users: GET /api/v1/me p50 %v mean %v; PUT assessor-profile p50 %v mean %v", n, me.p50, me.mean, cmd.p50, cmd.mean)
	return me, cmd
}

const benchPassword = "a long password"

var benchHash = sync.OnceValue(func() string { return accounts.HashPassword(benchPassword) })
