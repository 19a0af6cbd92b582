package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// render is the whole Markdown: the machine and scale, then the table.
func render(res *results) string {
	var b strings.Builder
	b.WriteString("## `make bench`: every figure of issue 14\n\n")
	b.WriteString(header(res))
	b.WriteString("\n| figure | Accredit | raw JetStream | ratio | target (issue 14) | met? |\n|---|---|---|---|---|---|\n")
	for _, f := range figures {
		b.WriteString("| " + strings.Join(row(res, f), " | ") + " |\n")
	}
	if len(res.failed) > 0 {
		var names []string
		for n := range res.failed {
			names = append(names, n)
		}
		sort.Strings(names)
		b.WriteString("\nFailed: " + strings.Join(names, ", ") + " (their rows say so; see bin/bench.txt).\n")
	}
	return b.String()
}

// header names the machine, the load and the scale each figure ran at.
func header(res *results) string {
	var b strings.Builder
	s, e := res.start, res.end
	if s == nil {
		b.WriteString("Machine: not recorded (no `benchtable -mark start` line in the input).\n")
	} else {
		fmt.Fprintf(&b, "Machine: %s", s.CPU)
		if res.goCPU != "" && res.goCPU != s.CPU {
			fmt.Fprintf(&b, " (Go's `cpu:` line: %s)", res.goCPU)
		}
		fmt.Fprintf(&b, ", %d cores, %s. Load average (1, 5, 15 min) at the start %s", s.Cores, s.Go, s.Load)
		if e != nil {
			fmt.Fprintf(&b, ", at the end %s; run from %s to %s (%s)", e.Load, s.Time.Format("2006-01-02 15:04 UTC"),
				e.Time.Format("15:04 UTC"), e.Time.Sub(s.Time).String())
		} else {
			fmt.Fprintf(&b, "; started %s, no end mark (the run did not finish)", s.Time.Format("2006-01-02 15:04 UTC"))
		}
		b.WriteString(".\n")
	}
	b.WriteString("Scale: knobs " + knobsText(knobsOf(s)) + ".")
	if m, ok := res.metrics[readBench]; ok && m != nil {
		fmt.Fprintf(&b, " In process: %s cases.", count(float64(knobInt(s, "ACCREDIT_BENCH_CASES", 100_000))))
	}
	if m, ok := res.metrics[scaleBench]; ok {
		fmt.Fprintf(&b, " At scale (a real accreditd on a store made by `accredit seed`): %s cases, %s users, %s commits, %s events; 50 readers for %d s each.",
			count(m["cases"]), count(m["users"]), count(m["commits"]), count(m["events"]), knobInt(s, "ACCREDIT_BENCH_SECONDS", 10))
	}
	if _, ok := res.metrics[commandsBench]; ok {
		fmt.Fprintf(&b, " Commands: %d s per load, the median of %d rounds.", knobInt(s, "ACCREDIT_BENCH_SECONDS", 10), knobInt(s, "ACCREDIT_BENCH_ROUNDS", 3))
	}
	if m, ok := res.metrics[millionBench]; ok {
		fmt.Fprintf(&b, " At 1M events: %s cases and as many users, %s events.", count(m["cases"]), count(m["events"]))
	}
	b.WriteString("\n")
	return b.String()
}

func knobsOf(m *mark) map[string]string {
	if m == nil {
		return nil
	}
	return m.Knobs
}

func knobInt(m *mark, name string, def int) int {
	if m != nil {
		if n, err := strconv.Atoi(m.Knobs[name]); err == nil && n > 0 {
			return n
		}
	}
	return def
}

// row is one figure's cells; a benchmark that did not run or failed
// leaves that in every cell it would have filled.
func row(res *results, f figure) []string {
	cells := []string{f.name, "—", "—", "—", "—", "—"}
	if f.goal != nil {
		cells[4] = f.goal.text
	}
	m, ran := res.metrics[f.bench]
	missing := ""
	switch {
	case res.failed[f.bench]:
		missing = "failed"
	case !ran:
		missing = "not run"
	}
	if missing != "" {
		cells[1] = missing
		if f.raw != nil {
			cells[2] = missing
		}
		if f.raw != nil || f.ratio != nil {
			cells[3] = missing
		}
		if f.goal != nil {
			cells[5] = missing
		}
		return cells
	}
	cells[1] = f.ours.text(m)
	if f.raw != nil {
		cells[2] = f.raw.text(m)
	}
	ratio, haveRatio := math.NaN(), false
	switch {
	case f.ratio != nil:
		cells[3] = f.ratio.text(m)
		ratio, haveRatio = f.ratio.number(m)
	case f.raw != nil:
		o, ok1 := f.ours.number(m)
		r, ok2 := f.raw.number(m)
		if ok1 && ok2 && r != 0 {
			ratio, haveRatio = o/r, true
			cells[3] = ratioText(ratio)
		} else {
			cells[3] = "not reported"
		}
	}
	if f.goal != nil {
		cells[5] = f.goal.verdict(res, f, m, ratio, haveRatio)
	}
	return cells
}

// text shows the value, or "not reported" when one of its metrics is
// missing from the benchmark's line.
func (v value) text(m map[string]float64) string {
	vals := make([]float64, len(v.units))
	for i, u := range v.units {
		x, ok := m[u]
		if !ok {
			return "not reported (" + u + ")"
		}
		vals[i] = x
	}
	return v.show(vals...)
}

// number is a single-metric value's number.
func (v value) number(m map[string]float64) (float64, bool) {
	if len(v.units) != 1 {
		return 0, false
	}
	x, ok := m[v.units[0]]
	return x, ok
}

func (g *goal) verdict(res *results, f figure, m map[string]float64, ratio float64, haveRatio bool) string {
	v, ok := ratio, haveRatio
	// Several units: the worst of them is checked.
	for i, u := range g.units {
		x, have := m[u]
		if !have {
			return "not reported"
		}
		if i == 0 || (g.atLeast && x < v) || (!g.atLeast && x > v) {
			v = x
		}
		ok = true
	}
	if !ok {
		return "not reported"
	}
	met := v <= g.limit
	if g.atLeast {
		met = v >= g.limit
	}
	s := "no"
	if met {
		s = "yes"
	}
	if g.scaleUnit != "" {
		sm := m
		if g.scaleBench != "" {
			sm = res.metrics[g.scaleBench]
		}
		if at, ok := sm[g.scaleUnit]; ok && at < g.scaleAt {
			s += fmt.Sprintf(" (run at %s %s; the target is at %s)", count(at), strings.TrimSuffix(g.scaleUnit, "_large"), g.scaleText)
		}
	}
	return s
}

func ratioText(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func fixed(v float64, decimals int) string { return strconv.FormatFloat(v, 'f', decimals, 64) }

// thousands rounds to a whole number with thousands separators; below
// 10 it keeps one decimal.
func thousands(v float64) string {
	if math.Abs(v) < 10 {
		return fixed(v, 1)
	}
	return count(v)
}

func count(v float64) string {
	s := strconv.FormatInt(int64(math.Round(math.Abs(v))), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if v < 0 {
		s = "-" + s
	}
	return s
}

func ms(v float64) string {
	switch {
	case v < 1:
		return count(v*1000) + " µs"
	case v < 100:
		return fixed(v, 1) + " ms"
	}
	return count(v) + " ms"
}

func seconds(v float64) string {
	if v < 1 {
		return fixed(v, 2) + " s"
	}
	return fixed(v, 1) + " s"
}

func mib(v float64) string {
	if v < 100 {
		return fixed(v, 1) + " MiB"
	}
	return count(v) + " MiB"
}
