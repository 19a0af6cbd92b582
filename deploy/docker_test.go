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
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// interpolate does compose's ${VAR}, ${VAR:-default} and ${VAR:?error}.
func interpolate(s string, env map[string]string) string {
	return composeVar.ReplaceAllStringFunc(s, func(m string) string {
		p := composeVar.FindStringSubmatch(m)
		if v := env[p[1]]; v != "" {
			return v
		}
		if strings.HasSuffix(p[2], "-") {
			return p[3]
		}
		return ""
	})
}

func TestDockerCompose(t *testing.T) {
	known := accreditdEnv(t)
	nv := natsVars(t)
	path := filepath.Join("docker", "docker-compose.yml")
	text := readFile(t, path)
	c := loadYAML(t, path)[0]
	services := dict(c["services"])
	secrets := dict(c["secrets"])

	// Variables compose interpolates: the NATS passwords and accreditd's own.
	t.Run("interpolated variables", func(t *testing.T) {
		for _, m := range composeVar.FindAllStringSubmatch(text, -1) {
			if !known[m[1]] && !slices.Contains(nv, m[1]) {
				t.Errorf("${%s}: got an unknown variable, want a NATS config variable %v or one of accreditd's", m[1], nv)
			}
		}
	})
	shell := map[string]string{}
	for _, v := range nv {
		shell[v] = randomHex(t)
	}

	var natsServices, accreditd []string
	for _, name := range keys(services) {
		if strings.HasPrefix(str(get(services, name, "image")), "nats:") {
			natsServices = append(natsServices, name)
		} else {
			accreditd = append(accreditd, name)
		}
	}
	if want := []string{"nats-0", "nats-1", "nats-2"}; !slices.Equal(natsServices, want) {
		t.Fatalf("NATS services: got %v, want %v (the host names in the route URLs)", natsServices, want)
	}
	if len(accreditd) < 2 {
		t.Fatalf("accreditd services: got %v, want at least 2", accreditd)
	}

	for _, name := range natsServices {
		s := dict(services[name])
		t.Run(name, func(t *testing.T) {
			if tag := strings.TrimPrefix(str(s["image"]), "nats:"); !natsVersionOK(tag) {
				t.Errorf("image: got %v, want nats:2.12 or newer", s["image"])
			}
			// --config <dir>/<name>.conf with <dir> the mounted deploy/nats.
			args := list(s["command"])
			i := slices.IndexFunc(args, func(a any) bool { return str(a) == "--config" || str(a) == "-c" })
			if i < 0 || i+1 >= len(args) {
				t.Fatalf("command: got %v, want --config <file>", args)
			}
			conf := str(args[i+1])
			if filepath.Base(conf) != name+".conf" {
				t.Errorf("config file: got %s, want %s.conf", conf, name)
			}
			mounted := false
			for _, vol := range list(s["volumes"]) {
				src, dst, _ := strings.Cut(str(vol), ":")
				dst, _, _ = strings.Cut(dst, ":")
				if filepath.Clean(filepath.Join("docker", src)) == natsDir && dst == filepath.Dir(conf) {
					mounted = true
				}
			}
			if !mounted {
				t.Errorf("volumes: got %v, want ../nats mounted at %s", s["volumes"], filepath.Dir(conf))
			}
			if h := str(s["hostname"]); h != "" && h != name {
				t.Errorf("hostname: got %s, want %s", h, name)
			}
			env := dict(s["environment"])
			if !slices.Equal(keys(env), nv) {
				t.Errorf("environment: got %v, want exactly the NATS config variables %v", keys(env), nv)
			}
		})
	}

	for _, name := range accreditd {
		s := dict(services[name])
		t.Run(name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range dict(s["environment"]) {
				if !known[k] {
					t.Errorf("environment %s: got an unknown variable, want one of %v", k, keys(known))
				}
				env[k] = interpolate(str(v), shell)
			}
			cfg, err := parseEnv(env)
			if err != nil {
				t.Fatalf("accreditd config: got error %v, want none", err)
			}
			if cfg.Replicas != 3 {
				t.Errorf("ACCREDIT_REPLICAS: got %d, want 3", cfg.Replicas)
			}
			var hosts []string
			for _, u := range strings.Split(cfg.NATSURL, ",") {
				pu, err := url.Parse(u)
				if err != nil {
					t.Fatalf("ACCREDIT_NATS_URL %q: %v", u, err)
				}
				hosts = append(hosts, pu.Hostname())
				if p, _ := pu.User.Password(); pu.User.Username() != accreditUser || p != shell["ACCREDIT_NATS_PASSWORD"] {
					t.Errorf("ACCREDIT_NATS_URL %s: got user %q, want %s with $ACCREDIT_NATS_PASSWORD", pu.Redacted(), pu.User.Username(), accreditUser)
				}
			}
			sort.Strings(hosts)
			if !slices.Equal(hosts, natsServices) {
				t.Errorf("ACCREDIT_NATS_URL hosts: got %v, want %v", hosts, natsServices)
			}
			var mine []string
			for _, sec := range list(s["secrets"]) {
				mine = append(mine, str(sec))
				if get(secrets, str(sec), "file") == nil {
					t.Errorf("secret %v: got no top-level secret with a file, want one", sec)
				}
			}
			for k, f := range map[string]string{"ACCREDIT_MASTER_KEY_FILE": cfg.MasterKeyFile, "ACCREDIT_SIGNING_KEY_FILE": cfg.SigningKeyFile} {
				if dir, sec := filepath.Split(f); dir != "/run/secrets/" || !slices.Contains(mine, sec) {
					t.Errorf("%s: got %q, want /run/secrets/<one of %v>", k, f, mine)
				}
			}
			if cfg.PublicURL == "" {
				t.Errorf("ACCREDIT_PUBLIC_URL: unset, want one address for both replicas (each would name its own listen address)")
			}
			// One credential key directory for every replica, kept on the
			// host (gen-keys.sh's secrets/credentials), not each replica's
			// own /data volume.
			mounted := false
			for _, vol := range list(s["volumes"]) {
				parts := strings.Split(str(vol), ":")
				if len(parts) >= 2 && parts[1] == cfg.CredentialKeyDir && strings.HasPrefix(parts[0], "./secrets/") {
					mounted = true
				}
			}
			if !mounted {
				t.Errorf("ACCREDIT_CREDENTIAL_KEY_DIR %q: got volumes %v, want it bind-mounted from ./secrets/ (gen-keys.sh), the same for every replica", cfg.CredentialKeyDir, s["volumes"])
			}
			for dep := range dict(s["depends_on"]) {
				if get(s, "depends_on", dep, "condition") != "service_healthy" {
					t.Errorf("depends_on %s: got %v, want condition service_healthy", dep, get(s, "depends_on", dep))
				}
			}
			if len(dict(s["depends_on"])) != len(natsServices) {
				t.Errorf("depends_on: got %v, want every NATS service %v", keys(dict(s["depends_on"])), natsServices)
			}
		})
	}
}

// ----------------------------------------------------------------- Dockerfile

func TestDockerfile(t *testing.T) {
	known := accreditdEnv(t)
	path := filepath.Join("docker", "Dockerfile")
	// Instructions, with continuation lines joined and comments dropped.
	var instr []string
	var cur strings.Builder
	for _, line := range strings.Split(readFile(t, path), "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "#") || (l == "" && cur.Len() == 0) {
			continue
		}
		cur.WriteString(strings.TrimSuffix(l, `\`) + " ")
		if !strings.HasSuffix(l, `\`) {
			instr = append(instr, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	var stages [][]string // instructions per FROM stage
	for _, in := range instr {
		if strings.HasPrefix(strings.ToUpper(in), "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) < 2 {
		t.Fatalf("FROM stages: got %d, want at least 2 (build, then run)", len(stages))
	}
	build, final := strings.Join(stages[0], "\n"), stages[len(stages)-1]
	user := ""
	var envNames []string
	for _, in := range final {
		op, rest, _ := strings.Cut(in, " ")
		switch strings.ToUpper(op) {
		case "USER":
			user = strings.TrimSpace(rest)
		case "ENV":
			for _, f := range strings.Fields(rest) {
				if k, _, ok := strings.Cut(f, "="); ok {
					envNames = append(envNames, k)
				}
			}
		}
	}
	finalText := strings.Join(final, "\n")
	uid, _, _ := strings.Cut(user, ":")
	cgo := regexp.MustCompile(`\bCGO_ENABLED=\S*`).FindString(build)
	checks := []struct {
		name string
		ok   bool
		got  any
		want string
	}{
		{"build stage", strings.Contains(stages[0][0], "golang:"), stages[0][0], "FROM golang:..."},
		{"CGO_ENABLED in the build", cgo == "CGO_ENABLED=0", cgo, "CGO_ENABLED=0"},
		{"builds ./cmd/accreditd", strings.Contains(build, "./cmd/accreditd"), "no go build of it", "go build ./cmd/accreditd"},
		{"builds ./cmd/accredit", regexp.MustCompile(`\./cmd/accredit(\s|$)`).MatchString(build), "no go build of it", "go build ./cmd/accredit"},
		{"final stage", regexp.MustCompile(`^FROM\s+(scratch|\S*distroless/static\S*)`).MatchString(final[0]), final[0], "FROM scratch or distroless static"},
		{"final USER", user != "" && uid != "root" && uid != "0", fmt.Sprintf("%q", user), "a non-root user"},
		{"EXPOSE", regexp.MustCompile(`(?m)^EXPOSE\s+8080\b`).MatchString(finalText), "no EXPOSE 8080", "EXPOSE 8080"},
		{"VOLUME", regexp.MustCompile(`(?m)^VOLUME\b`).MatchString(finalText), "no VOLUME", "a data VOLUME"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("%s: got %v, want %s", c.name, c.got, c.want)
			}
		})
	}
	t.Run("ENV names", func(t *testing.T) {
		for _, k := range envNames {
			if !known[k] {
				t.Errorf("ENV %s: got an unknown variable, want one of %v", k, keys(known))
			}
		}
	})
}

// ------------------------------------------------------ names across deploy/

var accreditToken = regexp.MustCompile(`\bACCREDIT_[A-Z0-9_]*[A-Z0-9]\b`)
