package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
)

// ACCREDIT_READ_WAIT (-read-wait) is a Go duration, 2s by default, positive
// and at most app.MaxReadWait.
func TestTheReadWaitIsADurationUpToAMinute(t *testing.T) {
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "ACCREDIT_READ_WAIT" {
				return v
			}
			return ""
		}
	}
	if c, err := app.Parse(nil, env("")); err != nil || c.ReadWait != 2*time.Second {
		t.Errorf("default: got %s (%v), want 2s", c.ReadWait, err)
	}
	if c, err := app.Parse(nil, env("750ms")); err != nil || c.ReadWait != 750*time.Millisecond {
		t.Errorf("ACCREDIT_READ_WAIT=750ms: got %s (%v)", c.ReadWait, err)
	}
	if c, err := app.Parse([]string{"-read-wait", "30s"}, env("750ms")); err != nil || c.ReadWait != 30*time.Second {
		t.Errorf("-read-wait 30s over ACCREDIT_READ_WAIT=750ms: got %s (%v), want the flag's", c.ReadWait, err)
	}
	for _, v := range []string{"0", "0s", "-1s", "3", "soon", "61s"} {
		if _, err := app.Parse(nil, env(v)); err == nil || !strings.Contains(err.Error(), "ACCREDIT_READ_WAIT") {
			t.Errorf("ACCREDIT_READ_WAIT=%s: got %v, want it refused by name", v, err)
		}
	}
}

// An argument that is not a flag is refused, not dropped with every flag
// after it: `accreditd data-dir /srv/accredit -addr :80` would otherwise
// start on ./data and 127.0.0.1:8080.
func TestAnArgumentThatIsNotAFlagIsRefused(t *testing.T) {
	none := func(string) string { return "" }
	for _, args := range [][]string{{"data-dir", "/srv/accredit"}, {"-addr", "127.0.0.1:8081", "serve", "-data-dir", "/srv/accredit"}} {
		_, err := app.Parse(args, none)
		if err == nil || !strings.Contains(err.Error(), "unexpected argument") {
			t.Errorf("%q: got %v, want the argument refused", args, err)
		}
	}
	if _, err := app.Parse([]string{"-data-dir", "/srv/accredit", "-addr=127.0.0.1:8081"}, none); err != nil {
		t.Errorf("flags only: %v", err)
	}
}

// ACCREDIT_NATS_LISTEN is refused at parse, by name, when it is not a
// host:port, as every other variable is; the embedded server named only
// "embedded nats: listen address", after the data directory was locked.
func TestANATSListenAddressThatIsNotHostPortIsRefusedByName(t *testing.T) {
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "ACCREDIT_NATS_LISTEN" {
				return v
			}
			return ""
		}
	}
	for _, v := range []string{"127.0.0.1:4222", ":4222", "localhost:0", "[::1]:4222"} {
		if _, err := app.Parse(nil, env(v)); err != nil {
			t.Errorf("ACCREDIT_NATS_LISTEN=%s: got %v, want it taken", v, err)
		}
	}
	for _, v := range []string{"4222", "127.0.0.1", "127.0.0.1:port", "127.0.0.1:70000", "127.0.0.1:-1"} {
		if _, err := app.Parse(nil, env(v)); err == nil || !strings.Contains(err.Error(), "ACCREDIT_NATS_LISTEN") {
			t.Errorf("ACCREDIT_NATS_LISTEN=%s: got %v, want it refused by name", v, err)
		}
	}
}

// A bad value given as a flag is refused naming the flag; the same from
// the environment names its variable. Both named the variable, which an
// operator who typed `accreditd -sla-days 0` never set.
func TestABadValueIsRefusedByTheNameItWasGivenUnder(t *testing.T) {
	none := func(string) string { return "" }
	for _, c := range []struct{ flag, variable, value string }{
		{"sla-days", "ACCREDIT_SLA_DAYS", "0"},
		{"replicas", "ACCREDIT_REPLICAS", "9"},
		{"replicas", "ACCREDIT_REPLICAS", "3"}, // refused for want of a cluster
		{"max-case-files", "ACCREDIT_MAX_CASE_FILES", "lots"},
		{"sync", "ACCREDIT_SYNC", "never"},
		{"log-format", "ACCREDIT_LOG_FORMAT", "xml"},
		{"nats-listen", "ACCREDIT_NATS_LISTEN", "4222"},
		{"public-url", "ACCREDIT_PUBLIC_URL", "accredit.example.org"},
	} {
		_, err := app.Parse([]string{"-" + c.flag, c.value}, none)
		if err == nil || !names(err, "-"+c.flag) || strings.Contains(err.Error(), c.variable) {
			t.Errorf("-%s %s: got %v, want it refused naming -%s only", c.flag, c.value, err, c.flag)
		}
		_, err = app.Parse(nil, func(name string) string {
			if name == c.variable {
				return c.value
			}
			return ""
		})
		if err == nil || !names(err, c.variable) {
			t.Errorf("%s=%s: got %v, want it refused naming %s", c.variable, c.value, err, c.variable)
		}
	}
}

// names reports whether err begins with name, then ": " or " > 1".
func names(err error, name string) bool {
	rest, ok := strings.CutPrefix(err.Error(), name)
	return ok && (strings.HasPrefix(rest, ": ") || strings.HasPrefix(rest, " > 1"))
}
