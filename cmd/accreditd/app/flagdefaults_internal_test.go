package app

import (
	"flag"
	"strings"
	"testing"
)

// accreditd -h says every flag's default, as README's configuration table
// does: a flag with a value for default shows it ("(default ...)"), and
// any other names it in its text ("default ...", or "none"/"off").
func TestEveryFlagsHelpSaysItsDefault(t *testing.T) {
	_, fs, err := parse(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	fs.VisitAll(func(f *flag.Flag) {
		if f.DefValue != "" {
			return
		}
		u := strings.ToLower(f.Usage)
		if !strings.Contains(u, "default") && !strings.Contains(u, "none") && !strings.Contains(u, "off") {
			t.Errorf("-%s: help %q says no default", f.Name, f.Usage)
		}
	})
}
