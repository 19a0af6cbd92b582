package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/emcc/accredit/domain/limits"
)

// jsonOut reports whether the answer should be JSON.
func (c *cli) jsonOut() bool { return c.output == "json" }

// printJSON writes raw JSON indented, or v marshalled when raw is nil.
func (c *cli) printJSON(raw []byte, v any) error {
	if raw == nil {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		_, err = c.stdout.Write(raw)
		return err
	}
	b.WriteByte('\n')
	_, err := c.stdout.Write(b.Bytes())
	return err
}

// table writes rows under a header, aligned; each cell as shown.
func table(w io.Writer, header []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = shown(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

// fields writes "name: value" lines, aligned, skipping empty values; each
// value as shown.
func fields(w io.Writer, kv ...string) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", kv[i], shown(kv[i+1]))
		}
	}
	tw.Flush()
}

// shown is a value from the server as the terminal is given it: a
// character a name may not hold (limits.NotOneLine: an escape, a line
// break, a tab, a bidi override), which one recorded before names were
// held to one line still may, becomes U+FFFD, so that it neither runs as
// an escape sequence, breaks the table, nor reorders what follows.
func shown(s string) string {
	return strings.Map(func(r rune) rune {
		if limits.NotOneLine(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// when shows a time as a date and minutes, UTC; "" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// humanBytes is a size for people.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// splitList splits "a,b, c" into its non-empty parts.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// plural writes n with its noun, singular for one: "1 case", "3 cases".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
