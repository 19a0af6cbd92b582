package app

import (
	"bytes"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// TestTheSoftMemoryLimitFollowsTheCgroup: with no GOMEMLIMIT the runtime's
// soft limit is 90 % of the cgroup's (AUTOMEMLIMIT another share, or off),
// and said in the log; GOMEMLIMIT, or no limit, leaves it as it is. The
// cgroup's limit is given here (a test cannot set the process's own).
func TestTheSoftMemoryLimitFollowsTheCgroup(t *testing.T) {
	const cgroup = 1000 << 20
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	for _, c := range []struct {
		name, gomemlimit, automemlimit string
		from                           memlimit.Provider
		want                           int64
	}{
		{"the cgroup's limit", "", "", memlimit.Limit(cgroup), cgroup * 9 / 10},
		{"another share", "", "0.5", memlimit.Limit(cgroup), cgroup / 2},
		{"turned off", "", "off", memlimit.Limit(cgroup), before},
		{"GOMEMLIMIT given", "700MiB", "", memlimit.Limit(cgroup), before},
		{"no limit", "", "", func() (uint64, error) { return 0, memlimit.ErrNoLimit }, math.MaxInt64},
		{"no cgroup", "", "", func() (uint64, error) { return 0, memlimit.ErrNoCgroup }, before},
	} {
		t.Run(c.name, func(t *testing.T) {
			debug.SetMemoryLimit(before)
			t.Setenv("GOMEMLIMIT", c.gomemlimit)
			if c.automemlimit == "" {
				unsetenv(t, "AUTOMEMLIMIT")
			} else {
				t.Setenv("AUTOMEMLIMIT", c.automemlimit)
			}
			var out bytes.Buffer
			setMemoryLimit(slog.New(slog.NewTextHandler(&out, nil)), c.from)
			if got := debug.SetMemoryLimit(-1); got != c.want {
				t.Fatalf("soft limit %d, want %d", got, c.want)
			}
			said := strings.Contains(out.String(), "soft memory limit")
			if set := c.want != before && c.want != math.MaxInt64; said != set {
				t.Fatalf("log %q: want the limit said %v", out.String(), set)
			}
		})
	}
}

// unsetenv unsets name for the test (t.Setenv first, so that it is put back).
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "")
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}
