package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

// markPrefix starts a mark line in the bench output; the rest is JSON.
const markPrefix = "benchtable-mark "

// mark is what a run records at its start and end: issue 14 wants the
// machine named, and every figure is read beside the load it ran under.
type mark struct {
	At    string            `json:"at"` // start or end
	Time  time.Time         `json:"time"`
	Load  string            `json:"load"` // /proc/loadavg's 1, 5 and 15 minute averages
	CPU   string            `json:"cpu"`
	Cores int               `json:"cores"`
	Go    string            `json:"go"`
	Knobs map[string]string `json:"knobs,omitempty"` // ACCREDIT_BENCH_* set for the run
}

func markLine(at string, m mark) (string, error) {
	if at != "start" && at != "end" {
		return "", fmt.Errorf("-mark %q: want start or end", at)
	}
	m.At = at
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return markPrefix + string(b), nil
}

// machineNow reads the machine as it is now.
func machineNow() mark {
	m := mark{Time: time.Now().UTC().Truncate(time.Second), Load: "unknown", CPU: "unknown", Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.Load = strings.Join(f[:3], " ")
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "ACCREDIT_BENCH_") {
			if m.Knobs == nil {
				m.Knobs = map[string]string{}
			}
			m.Knobs[k] = v
		}
	}
	return m
}

func parseMark(line string) (mark, bool) {
	rest, ok := strings.CutPrefix(line, markPrefix)
	if !ok {
		return mark{}, false
	}
	var m mark
	if json.Unmarshal([]byte(rest), &m) != nil {
		return mark{}, false
	}
	return m, true
}

// knobsText lists the knobs in a stable order, or says there were none.
func knobsText(k map[string]string) string {
	if len(k) == 0 {
		return "none (the full scale: each benchmark's defaults)"
	}
	var parts []string
	for name, v := range k {
		parts = append(parts, "`"+name+"="+v+"`")
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
