// Package deploy_test checks the deployment files under deploy/ mechanically:
// the NATS cluster configs parse with nats-server's own parser and form one
// JetStream cluster (which then runs two accreditd replicas with R3 streams),
// the systemd unit is hardened, the Kubernetes manifests, Helm values and
// compose file are consistent with each other and with the NATS configs, the
// Dockerfile builds static binaries for a non-root image, and every
// environment variable they hand to accreditd is one accreditd reads (asked
// of accreditd's own config parser), so a typo fails here and not in
// production.
package deploy_test

import (
	"bufio"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
)

// unit is a systemd unit file: section -> key -> values in order.
type unit map[string]map[string][]string

func parseUnit(t *testing.T, path string) unit {
	t.Helper()
	u := unit{}
	section := ""
	var cont strings.Builder
	sc := bufio.NewScanner(strings.NewReader(readFile(t, path)))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if cont.Len() > 0 || strings.HasSuffix(line, `\`) {
			cont.WriteString(strings.TrimSuffix(line, `\`) + " ")
			if strings.HasSuffix(line, `\`) {
				continue
			}
			line = strings.TrimSpace(cont.String())
			cont.Reset()
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				t.Fatalf("%s:%d: bad section header %q", path, n, line)
			}
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: got %q, want key=value inside a section", path, n, line)
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

func TestSystemdUnit(t *testing.T) {
	u := parseUnit(t, filepath.Join("systemd", "accreditd.service"))
	for _, s := range []string{"Unit", "Service", "Install"} {
		if u[s] == nil {
			t.Fatalf("section [%s]: missing", s)
		}
	}
	svc := u["Service"]
	first := func(k string) (string, bool) {
		v, ok := svc[k]
		if !ok {
			return "", false
		}
		return v[0], true
	}
	words := func(s string) string {
		f := strings.Fields(s)
		sort.Strings(f)
		return strings.Join(f, " ")
	}
	want := []struct {
		key, value string
		norm       func(string) string
	}{
		{"DynamicUser", "no", nil},
		{"User", "accredit", nil},
		{"StateDirectory", "accredit", nil},
		{"ProtectSystem", "strict", nil},
		{"ProtectHome", "yes", nil},
		{"PrivateTmp", "yes", nil},
		{"NoNewPrivileges", "yes", nil},
		{"CapabilityBoundingSet", "", nil},
		{"RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX", words},
		{"SystemCallFilter", "@system-service", nil},
		{"Restart", "on-failure", nil},
		{"EnvironmentFile", "/etc/accredit/accreditd.env", nil},
	}
	for _, w := range want {
		t.Run(w.key, func(t *testing.T) {
			got, ok := first(w.key)
			if !ok {
				t.Fatalf("%s: missing, want %s=%s", w.key, w.key, w.value)
			}
			if w.norm != nil {
				got, w.value = w.norm(got), w.norm(w.value)
			}
			if got != w.value {
				t.Errorf("%s: got %q, want %q", w.key, got, w.value)
			}
		})
	}
	for _, k := range []string{"RestartSec", "TimeoutStopSec"} {
		t.Run(k, func(t *testing.T) {
			v, ok := first(k)
			if !ok {
				t.Fatalf("%s: missing", k)
			}
			d, err := time.ParseDuration(v)
			if err != nil {
				if n, nerr := strconv.Atoi(v); nerr == nil {
					d, err = time.Duration(n)*time.Second, nil
				}
			}
			if err != nil || d <= 0 {
				t.Fatalf("%s: got %q, want a positive duration", k, v)
			}
			// accreditd waits up to its shutdown timeout for in-flight
			// requests, then drains NATS: leave it at least 2x that.
			if least := 2 * app.Defaults().ShutdownTimeout; k == "TimeoutStopSec" && d < least {
				t.Errorf("%s: got %v, want at least %v (twice accreditd's shutdown timeout)", k, d, least)
			}
		})
	}
	t.Run("ExecStart", func(t *testing.T) {
		v, _ := first("ExecStart")
		if filepath.Base(strings.Fields(v + " x")[0]) != "accreditd" {
			t.Errorf("ExecStart: got %q, want the accreditd binary", v)
		}
	})
	t.Run("Environment", func(t *testing.T) {
		known := accreditdEnv(t)
		for _, e := range svc["Environment"] {
			name, _, _ := strings.Cut(strings.Trim(e, `"`), "=")
			if !known[name] {
				t.Errorf("Environment=%s: got variable %s, want one of %v", e, name, keys(known))
			}
		}
	})
}

// envAssign matches KEY=value lines of an env file, commented out or not.
var envAssign = regexp.MustCompile(`^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$`)

func TestSystemdEnvFile(t *testing.T) {
	known := accreditdEnv(t)
	path := filepath.Join("systemd", "accreditd.env")
	active, all := map[string]string{}, map[string]string{}
	for n, line := range strings.Split(readFile(t, path), "\n") {
		m := envAssign.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		name, value := m[2], m[3]
		if !known[name] {
			t.Errorf("%s:%d: got variable %s, want one of %v", path, n+1, name, keys(known))
		}
		all[name] = value
		if m[1] == "" {
			active[name] = value
		}
	}
	// Both the file as shipped and the file with every example line enabled
	// (the external-cluster block last) must be a valid configuration.
	for _, c := range []struct {
		name string
		env  map[string]string
	}{{"as shipped", active}, {"every line enabled", all}} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.env) == 0 {
				t.Fatal("no assignments")
			}
			if _, err := parseEnv(c.env); err != nil {
				t.Errorf("accreditd config: got error %v, want none", err)
			}
		})
	}
	if all["ACCREDIT_REPLICAS"] != "3" || all["ACCREDIT_NATS_URL"] == "" {
		t.Errorf("cluster example: got ACCREDIT_REPLICAS=%q ACCREDIT_NATS_URL=%q, want 3 and a URL", all["ACCREDIT_REPLICAS"], all["ACCREDIT_NATS_URL"])
	}
	// Every accreditd of a cluster shares the three keys (README, "Running
	// on a NATS cluster"): a process left to make its own credential key
	// publishes a DID document the others' credentials do not verify with.
	for _, k := range []string{"ACCREDIT_MASTER_KEY_FILE", "ACCREDIT_SIGNING_KEY_FILE", "ACCREDIT_CREDENTIAL_KEY_DIR"} {
		if all[k] == "" {
			t.Errorf("cluster example: got no %s, want the shared one", k)
		}
	}
}

// ---------------------------------------------------------------------- YAML
