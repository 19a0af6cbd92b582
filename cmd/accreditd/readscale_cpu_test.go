package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
