package main

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// results is what one bench run measured: each benchmark's metrics by
// unit, keyed by its name without the -GOMAXPROCS suffix.
type results struct {
	metrics    map[string]map[string]float64
	failed     map[string]bool // benchmarks (or packages, "FAIL pkg") that failed
	start, end *mark
	goCPU      string // go test's own "cpu:" line
}

// procsSuffix is the -N go test appends to a benchmark's name.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads `go test -bench` output. A benchmark that prints to stdout
// while it runs splits its result line: go test writes the name first,
// then the benchmark's own lines, then the iterations and metrics on a
// line of their own; that line is joined to the name before it.
func parse(r io.Reader) (*results, error) {
	res := &results{metrics: map[string]map[string]float64{}, failed: map[string]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	pending := "" // a name whose result line has not come yet
	for sc.Scan() {
		line := sc.Text()
		if m, ok := parseMark(line); ok {
			if m.At == "start" {
				res.start = &m
			} else {
				res.end = &m
			}
			continue
		}
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			res.goCPU = strings.TrimSpace(cpu)
			continue
		}
		if name, ok := strings.CutPrefix(line, "--- FAIL: "); ok {
			if f := strings.Fields(name); len(f) > 0 && strings.HasPrefix(f[0], "Benchmark") {
				res.failed[procsSuffix.ReplaceAllString(f[0], "")] = true
			}
			continue
		}
		if rest, ok := strings.CutPrefix(line, "FAIL\t"); ok {
			res.failed["FAIL "+strings.Fields(rest)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "Benchmark") {
			f := strings.Fields(line)
			name := procsSuffix.ReplaceAllString(f[0], "")
			if m, ok := resultFields(f[1:]); ok {
				res.add(name, m)
				pending = ""
			} else {
				pending = name
			}
			continue
		}
		// The tail of a split result line: it may follow the benchmark's
		// own output on the same line ("  stop: 1s; load 3\n" never
		// parses as a result, "       1\t 5 ns/op\t..." does).
		if pending != "" {
			f := strings.Fields(line)
			for i := range f {
				if m, ok := resultFields(f[i:]); ok {
					res.add(pending, m)
					pending = ""
					break
				}
			}
		}
	}
	return res, sc.Err()
}

func (r *results) add(name string, m map[string]float64) {
	r.metrics[name] = m
}

// resultFields parses "N v1 unit1 v2 unit2 ...": the iterations, then at
// least one value and unit (the first ns/op).
func resultFields(f []string) (map[string]float64, bool) {
	if len(f) < 3 || len(f)%2 == 0 {
		return nil, false
	}
	if _, err := strconv.ParseInt(f[0], 10, 64); err != nil {
		return nil, false
	}
	m := map[string]float64{}
	for i := 1; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return nil, false
		}
		m[f[i+1]] = v
	}
	if _, ok := m["ns/op"]; !ok {
		return nil, false
	}
	return m, true
}
