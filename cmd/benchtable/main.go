// Command benchtable turns the output of `make bench` into one Markdown
// table: every figure issue 14 asks for, its raw-JetStream counterpart
// where there is one, the ratio, the target and whether it is met.
//
//	benchtable -mark start >> bin/bench.txt   # machine, load, scale knobs
//	go test -bench ... | tee -a bin/bench.txt
//	benchtable -mark end >> bin/bench.txt
//	benchtable -o bin/bench.md < bin/bench.txt
//
// It reads the benchmarks' reported metrics (b.ReportMetric), never the
// free text around them, and a figure whose benchmark did not run says
// "not run": the table never shows a value that was not measured.
// It exits 1 when a benchmark failed, after printing the table.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mark := fs.String("mark", "", "print a mark line (start or end): time, load average, machine, ACCREDIT_BENCH_* knobs")
	out := fs.String("o", "", "also write the table to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *mark != "" {
		line, err := markLine(*mark, machineNow())
		if err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 2
		}
		fmt.Fprintln(stdout, line)
		return 0
	}
	res, err := parse(stdin)
	if err != nil {
		fmt.Fprintln(stderr, "benchtable:", err)
		return 1
	}
	table := render(res)
	fmt.Fprint(stdout, table)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(table), 0o644); err != nil {
			fmt.Fprintln(stderr, "benchtable:", err)
			return 1
		}
	}
	if len(res.failed) > 0 {
		return 1
	}
	return 0
}
