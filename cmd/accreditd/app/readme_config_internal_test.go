package app

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/projections"
)

// configRow is one row of README's configuration table.
type configRow struct {
	line    int
	envs    []string // one or more ACCREDIT_ variables
	flag    string   // "" where the row has none
	deflt   string   // the default cell as written
	literal string   // the default's literal value, "" when the cell is not one
}

var (
	backticked = regexp.MustCompile("`([^`]*)`")
	// A default is a literal when the cell is one backticked value with no
	// placeholder in it, optionally followed by a note in parentheses:
	// "`20971520` (20 MiB)". "`<data>/keys/master.key`" and "`http://` and
	// the listen address" are descriptions, not values.
	literalDefault = regexp.MustCompile("^`([^`<>]+)`(?: \\([^)]*\\))?$")
)

// readmeConfigTable reads the table under "| variable | flag | default |
// meaning |" in the repository's README.
func readmeConfigTable(t *testing.T) []configRow {
	t.Helper()
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []configRow
	in := false
	for i, l := range strings.Split(string(b), "\n") {
		if !in {
			in = strings.HasPrefix(l, "| variable | flag | default | meaning |")
			continue
		}
		if !strings.HasPrefix(l, "|") {
			break
		}
		if strings.HasPrefix(l, "|---") {
			continue
		}
		cells := strings.Split(l, "|")
		if len(cells) < 5 {
			t.Fatalf("README.md:%d: %q: want | variable | flag | default | meaning |", i+1, l)
		}
		r := configRow{line: i + 1, deflt: strings.TrimSpace(cells[3])}
		for _, m := range backticked.FindAllStringSubmatch(cells[1], -1) {
			r.envs = append(r.envs, m[1])
		}
		if fl := backticked.FindAllStringSubmatch(cells[2], -1); len(fl) > 1 {
			t.Errorf("README.md:%d: %d flags in one row, want at most one", i+1, len(fl))
		} else if len(fl) == 1 {
			r.flag = fl[0][1]
		}
		if m := literalDefault.FindStringSubmatch(r.deflt); m != nil {
			r.literal = m[1]
		}
		if len(r.envs) == 0 {
			t.Errorf("README.md:%d: no variable in %q", i+1, cells[1])
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		t.Fatal("README.md: no configuration table (| variable | flag | default | meaning |)")
	}
	return rows
}

// codeConfig is what accreditd accepts, asked of its own parser: the
// variables Parse reads and the flags it defines.
func codeConfig(t *testing.T) (envs []string, flags map[string]*flag.Flag) {
	t.Helper()
	seen := map[string]bool{}
	_, fs, _ := parse(nil, func(name string) string {
		if !seen[name] {
			seen[name] = true
			envs = append(envs, name)
		}
		return ""
	})
	flags = map[string]*flag.Flag{}
	fs.VisitAll(func(f *flag.Flag) { flags["-"+f.Name] = f })
	sort.Strings(envs)
	return envs, flags
}

// effective fills in the defaults a Config leaves to the packages it is
// handed to (0 there means "the package's default").
func effective(c Config) Config {
	for _, f := range []struct {
		v   *int64
		def int64
	}{{&c.MaxUpload, evidence.DefaultMaxSize}, {&c.MaxCaseBytes, evidence.DefaultMaxCaseBytes}, {&c.MaxApplicantBytes, evidence.DefaultMaxApplicantBytes}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	for _, f := range []struct {
		v   *int
		def int
	}{{&c.MaxCaseFiles, evidence.DefaultMaxCaseFiles}, {&c.UploadsInFlight, evidence.DefaultUploadsInFlight},
		{&c.UploadsPerUser, evidence.DefaultUploadsPerUser}, {&c.AggregateCache, aggregate.DefaultCacheSize},
		{&c.ReadSnapshotAfter, projections.DefaultSnapshotAfter}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	return c
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// README's configuration table is what operators set accreditd up with: it
// must name exactly the variables and flags accreditd accepts, pair each flag
// with the variable it overrides, and give the code's defaults.
//
// What it compares: the set of variables (those Parse reads) and of flags
// (those its flag set defines); the pairing, by giving a value once as the
// variable and once as the flag and getting the same Config; a default
// written as one literal value ("`1h`", "`20971520` (20 MiB)"), by giving
// that value and getting the Config of no value at all (after the defaults
// the Config leaves to the evidence, aggregate and projections packages are
// filled in); a "(none…)" default, by the flag's default being empty.
// What it does not compare: defaults written as descriptions (placeholders
// such as `<data>/keys/master.key`, "`http://` and the listen address",
// `EMCC Accredit <accredit@<public URL's host>>`), the parenthesised notes
// after a literal ("(20 MiB)"), and the meaning column.
func TestREADMEConfigurationTableMatchesParse(t *testing.T) {
	rows := readmeConfigTable(t)
	codeEnvs, codeFlags := codeConfig(t)

	var readmeEnvs []string
	readmeFlags := map[string]string{} // flag → its row's variable
	for _, r := range rows {
		readmeEnvs = append(readmeEnvs, r.envs...)
		if r.flag != "" {
			if len(r.envs) != 1 {
				t.Errorf("README.md:%d: flag %s on a row of %d variables, want one", r.line, r.flag, len(r.envs))
				continue
			}
			if other, dup := readmeFlags[r.flag]; dup {
				t.Errorf("README.md:%d: flag %s for %s, and for %s on another row", r.line, r.flag, r.envs[0], other)
			}
			readmeFlags[r.flag] = r.envs[0]
		}
	}
	for _, e := range codeEnvs {
		if !slices.Contains(readmeEnvs, e) {
			t.Errorf("accreditd reads %s: README's configuration table does not name it", e)
		}
	}
	for _, e := range readmeEnvs {
		if !slices.Contains(codeEnvs, e) {
			t.Errorf("README's configuration table names %s: accreditd does not read it (it reads %v)", e, codeEnvs)
		}
	}
	for name := range codeFlags {
		if _, ok := readmeFlags[name]; !ok {
			t.Errorf("accreditd defines flag %s: README's configuration table does not name it", name)
		}
	}

	getenv := func(env map[string]string) func(string) string {
		return func(name string) string { return env[name] }
	}
	none, _, _ := parse(nil, getenv(nil))
	for _, r := range rows {
		for _, env := range r.envs {
			if !slices.Contains(codeEnvs, env) {
				continue // reported above
			}
			if r.flag != "" {
				if _, ok := codeFlags[r.flag]; !ok {
					t.Errorf("README.md:%d: flag %s (for %s): accreditd defines no such flag", r.line, r.flag, env)
				} else {
					checkPairing(t, r, env, getenv, none)
				}
			}
			switch {
			case r.literal != "":
				got, _, err := parse(nil, getenv(map[string]string{env: r.literal}))
				if err != nil {
					t.Errorf("README.md:%d: default of %s %q: accreditd refuses it: %v", r.line, env, r.literal, err)
				} else if !reflect.DeepEqual(effective(got), effective(none)) {
					t.Errorf("README.md:%d: default of %s: README says %q, but setting it changes the configuration: %s",
						r.line, env, r.literal, configDiff(effective(got), effective(none)))
				}
			case strings.HasPrefix(r.deflt, "(none"):
				if f, ok := codeFlags[r.flag]; ok && f.DefValue != "" {
					t.Errorf("README.md:%d: default of %s: README says %s, flag %s defaults to %q", r.line, env, r.deflt, r.flag, f.DefValue)
				}
			}
		}
	}
}

// checkPairing gives a value as env, then as r.flag, and wants the same
// configuration (and the same complaint, if any) both ways.
func checkPairing(t *testing.T, r configRow, env string, getenv func(map[string]string) func(string) string, none Config) {
	t.Helper()
	for _, v := range []string{"3", "10.0.0.0/8"} {
		byEnv, _, envErr := parse(nil, getenv(map[string]string{env: v}))
		if reflect.DeepEqual(byEnv, none) {
			continue // the value changes nothing: try the next
		}
		byFlag, _, flagErr := parse([]string{r.flag + "=" + v}, getenv(nil))
		// The same error, naming the flag where the value was given as one.
		if !reflect.DeepEqual(byFlag, byEnv) || errText(flagErr) != strings.ReplaceAll(errText(envErr), env, r.flag) {
			t.Errorf("README.md:%d: %s and %s are not one setting: %s=%s then %s=%s: %s (errors %v; %v)",
				r.line, env, r.flag, r.flag, v, env, v, configDiff(byFlag, byEnv), flagErr, envErr)
		}
		return
	}
	t.Errorf("README.md:%d: %s: no value tried changes the configuration", r.line, env)
}

// configDiff names the fields in which got and want differ.
func configDiff(got, want Config) string {
	var out []string
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			out = append(out, fmt.Sprintf("%s: got %v, want %v", g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface()))
		}
	}
	return strings.Join(out, "; ")
}
