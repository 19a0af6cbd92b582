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
