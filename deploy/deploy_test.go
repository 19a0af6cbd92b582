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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gopkg.in/yaml.v3"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/pii"
)

// JetStream resources accreditd creates; their names may appear in docs and
// comments beside the environment variables.
var jetStreamNames = []string{
	"ACCREDIT_EVENTS", "ACCREDIT_CHECKPOINTS", "ACCREDIT_KEYS",
	"ACCREDIT_SESSIONS", "ACCREDIT_LEASES", "ACCREDIT_EVIDENCE",
}

// The NATS cluster as deploy/nats describes it.
const (
	natsDir         = "nats"
	clusterName     = "accredit"
	systemAccount   = "SYS"
	accreditAccount = "ACCREDIT"
	accreditUser    = "accredit"
	routePort       = 6222
)

// accreditdEnv is every environment variable accreditd reads, found by
// running its configuration parser with a recording getenv.
func accreditdEnv(t *testing.T) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	var mu sync.Mutex
	_, _ = app.Parse(nil, func(name string) string {
		mu.Lock()
		defer mu.Unlock()
		seen[name] = true
		return ""
	})
	if len(seen) == 0 {
		t.Fatal("accreditd's config parser read no environment variable: cannot check names")
	}
	return seen
}

// parseEnv runs accreditd's configuration parser over env alone.
func parseEnv(env map[string]string) (app.Config, error) {
	return app.Parse(nil, func(name string) string { return env[name] })
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(b)
}

// ---------------------------------------------------------------- NATS configs

// natsVarRef matches a NATS variable reference used as a value.
var natsVarRef = regexp.MustCompile(`:\s*\$([A-Za-z_][A-Za-z0-9_]*)`)

// natsVars are the variables the NATS configs take from the environment.
func natsVars(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(natsDir, "*.conf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no NATS configs in %s: %v", natsDir, err)
	}
	set := map[string]bool{}
	for _, f := range files {
		for _, line := range strings.Split(readFile(t, f), "\n") {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//") {
				continue
			}
			for _, m := range natsVarRef.FindAllStringSubmatch(line, -1) {
				set[m[1]] = true
			}
		}
	}
	return keys(set)
}

// setNATSEnv gives every NATS variable a fresh hex value, as the README says.
func setNATSEnv(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, v := range natsVars(t) {
		env[v] = randomHex(t)
		t.Setenv(v, env[v])
	}
	return env
}

func nodeFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(natsDir, "nats-*.conf"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func TestNATSConfigVariables(t *testing.T) {
	got := natsVars(t)
	want := []string{"ACCREDIT_NATS_PASSWORD", "NATS_SYSTEM_PASSWORD"}
	if !slices.Equal(got, want) {
		t.Fatalf("variables referenced by the NATS configs: got %v, want %v", got, want)
	}
}

func TestNATSConfigs(t *testing.T) {
	env := setNATSEnv(t)
	files := nodeFiles(t)
	if len(files) != 3 {
		t.Fatalf("node configs in %s: got %d (%v), want 3", natsDir, len(files), files)
	}
	opts := map[string]*server.Options{}
	names := map[string]string{} // server name -> file
	for _, f := range files {
		o, err := server.ProcessConfigFile(f)
		if err != nil {
			t.Fatalf("%s does not parse: %v", f, err)
		}
		opts[f] = o
		if prev, dup := names[o.ServerName]; dup {
			t.Errorf("%s: server_name %q already used by %s, want 3 distinct names", f, o.ServerName, prev)
		}
		names[o.ServerName] = f
	}
	if len(names) != 3 {
		t.Fatalf("distinct server names: got %d (%v), want 3", len(names), keys(names))
	}
	for _, f := range files {
		o := opts[f]
		t.Run(filepath.Base(f), func(t *testing.T) {
			checks := []struct {
				name      string
				got, want any
			}{
				{"server_name from file name", o.ServerName, strings.TrimSuffix(filepath.Base(f), ".conf")},
				{"jetstream enabled", o.JetStream, true},
				{"jetstream sync_interval always", o.SyncAlways, true},
				{"jetstream store_dir set", o.StoreDir != "", true},
				{"max_file_store set", o.JetStreamMaxStore > 0, true},
				{"cluster name", o.Cluster.Name, clusterName},
				{"cluster port", o.Cluster.Port, routePort},
				{"client port", o.Port, 4222},
				{"monitoring port", o.HTTPPort, 8222},
				{"system account", o.SystemAccount, systemAccount},
				{"no anonymous user", o.NoAuthUser, ""},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
				}
			}

			var routeHosts []string
			for _, r := range o.Routes {
				routeHosts = append(routeHosts, r.Hostname())
				if p := r.Port(); p != strconv.Itoa(routePort) {
					t.Errorf("route %s: port got %s, want %d", r, p, routePort)
				}
			}
			sort.Strings(routeHosts)
			var others []string
			for n := range names {
				if n != o.ServerName {
					others = append(others, n)
				}
			}
			sort.Strings(others)
			if !slices.Equal(routeHosts, others) {
				t.Errorf("routes: got hosts %v, want the two other nodes %v", routeHosts, others)
			}

			users := map[string]*server.User{}
			for _, u := range o.Users {
				users[u.Username] = u
			}
			for _, want := range []struct{ user, account, envVar string }{
				{accreditUser, accreditAccount, "ACCREDIT_NATS_PASSWORD"},
				{"system", systemAccount, "NATS_SYSTEM_PASSWORD"},
			} {
				u := users[want.user]
				if u == nil {
					t.Errorf("user %q: missing, want one in account %s", want.user, want.account)
					continue
				}
				if u.Account == nil || u.Account.Name != want.account {
					t.Errorf("user %q: account got %v, want %s", want.user, u.Account, want.account)
				}
				if u.Password != env[want.envVar] {
					t.Errorf("user %q: password got %q, want the value of $%s", want.user, u.Password, want.envVar)
				}
			}
		})
	}

	t.Run("refuses to start without the passwords", func(t *testing.T) {
		for _, v := range natsVars(t) {
			t.Run(v, func(t *testing.T) {
				t.Setenv(v, "")
				os.Unsetenv(v)
				if _, err := server.ProcessConfigFile(files[0]); err == nil {
					t.Errorf("%s parsed without $%s: got no error, want one", files[0], v)
				}
			})
		}
	})
}

// ----------------------------------------------------- NATS cluster, for real

// TestNATSClusterRunsAccreditd starts the three servers from the config files
// (ports and store directories moved to the loopback and a temporary
// directory, everything else as written), then two accreditd replicas with
// ACCREDIT_REPLICAS=3 and one pair of keys from gen-keys.sh.
func TestNATSClusterRunsAccreditd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node JetStream cluster and two accreditd")
	}
	began := time.Now()
	env := setNATSEnv(t)
	files := nodeFiles(t)
	// Route ports are picked up front, so that each node routes to the two
	// others, as in the files. Another process may take a picked port
	// before its node binds it (then that node never accepts connections):
	// the cluster is started again on fresh ports.
	var servers []*server.Server
	for attempt := 1; servers == nil; attempt++ {
		servers = startCluster(t, files)
		if servers == nil && attempt == 3 {
			t.Fatal("the 3-node cluster did not start in 3 attempts")
		}
	}

	// The monitoring port answers /healthz 200 once JetStream is current on
	// every node: what compose's healthcheck and the chart's probes ask.
	deadline := time.Now().Add(90 * time.Second)
	for _, s := range servers {
		u := "http://" + s.MonitorAddr().String() + "/healthz"
		for {
			code := 0
			if resp, err := http.Get(u); err == nil {
				code = resp.StatusCode
				resp.Body.Close()
			}
			if code == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s: got status %d, want 200 within 90s", s.Name(), u, code)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	t.Logf("cluster healthy after %s", time.Since(began).Round(time.Millisecond))
	clientURL := func(user, password string) string {
		var urls []string
		for _, s := range servers {
			a := s.Addr().(*net.TCPAddr)
			urls = append(urls, (&url.URL{Scheme: "nats", User: url.UserPassword(user, password), Host: a.String()}).String())
		}
		return strings.Join(urls, ",")
	}

	t.Run("auth", func(t *testing.T) {
		cases := []struct {
			name, user, password string
			ok                   bool
		}{
			{"accredit user", accreditUser, env["ACCREDIT_NATS_PASSWORD"], true},
			{"system user", "system", env["NATS_SYSTEM_PASSWORD"], true},
			{"wrong password", accreditUser, "not-" + env["ACCREDIT_NATS_PASSWORD"], false},
			{"anonymous", "", "", false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				u := servers[0].ClientURL()
				if c.user != "" {
					u = clientURL(c.user, c.password)
				}
				nc, err := nats.Connect(u, nats.MaxReconnects(0), nats.Timeout(5*time.Second))
				if nc != nil {
					nc.Close()
				}
				if got := err == nil; got != c.ok {
					t.Errorf("connect: got ok=%v (err %v), want ok=%v", got, err, c.ok)
				}
			})
		}
	})

	keyDir := genKeys(t)
	ctx := context.Background()
	// Both replicas start at the same moment, as the Deployment's and the
	// compose file's do: streams are created concurrently on a cluster that
	// has just formed, and the first office user must be made once.
	instances := make([]*app.App, 2)
	errs := make([]error, 2)
	logs := make([]*lockedBuffer, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		e := map[string]string{
			"ACCREDIT_ADDR":             "127.0.0.1:0",
			"ACCREDIT_DATA_DIR":         t.TempDir(),
			"ACCREDIT_NATS_URL":         clientURL(accreditUser, env["ACCREDIT_NATS_PASSWORD"]),
			"ACCREDIT_REPLICAS":         "3",
			"ACCREDIT_MASTER_KEY_FILE":  filepath.Join(keyDir, "master.key"),
			"ACCREDIT_SIGNING_KEY_FILE": filepath.Join(keyDir, "audit-ed25519.pem"),
			"ACCREDIT_ADMIN_EMAIL":      "office@example.org",
			"ACCREDIT_ADMIN_PASSWORD":   "office-password-" + randomHex(t)[:8],
			"ACCREDIT_LOG_FORMAT":       "text",
		}
		cfg, err := parseEnv(e)
		if err != nil {
			t.Fatalf("replica %d: config: %v", i, err)
		}
		logs[i] = &lockedBuffer{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			instances[i], errs[i] = app.Start(ctx, cfg, app.Options{Log: slog.New(slog.NewTextHandler(logs[i], nil))})
		}()
	}
	wg.Wait()
	t.Logf("replicas started after %s", time.Since(began).Round(time.Millisecond))
	for i, a := range instances {
		if a != nil {
			t.Cleanup(func() {
				if err := a.Close(); err != nil {
					t.Errorf("replica %d: close: %v", i, err)
				}
			})
		}
		if errs[i] != nil {
			t.Errorf("replica %d: start accreditd on the cluster: %v\nlogs:\n%s", i, errs[i], logs[i])
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	t.Run("one office user", func(t *testing.T) {
		for i, a := range instances {
			cctx, cancel := context.WithTimeout(ctx, time.Minute)
			err := a.Feed.CatchUp(cctx)
			cancel()
			if err != nil {
				t.Fatalf("replica %d: catch up: %v", i, err)
			}
			var offices []string
			for _, u := range a.Accounts.Users(ctx) {
				if u.Role == "office" {
					offices = append(offices, u.Email)
				}
			}
			if len(offices) != 1 || offices[0] != "office@example.org" {
				t.Errorf("replica %d: office users got %v, want exactly [office@example.org]", i, offices)
			}
		}
	})

	for i, a := range instances {
		for _, path := range []string{"/healthz", "/readyz"} {
			t.Run(fmt.Sprintf("replica %d %s", i, path), func(t *testing.T) {
				u := "http://" + a.Addr() + path
				var code int
				for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
					resp, err := http.Get(u)
					if err == nil {
						code = resp.StatusCode
						resp.Body.Close()
					}
					if code == http.StatusOK || time.Now().After(deadline) {
						break
					}
				}
				if code != http.StatusOK {
					t.Errorf("GET %s: got %d, want 200", u, code)
				}
			})
		}
	}

	// One command sent to both replicas at the same moment, with one
	// Idempotency-Key (a client retrying through the other replica while
	// the first write is still being replicated): both answer 201 with the
	// same case, never 503 and never a case that does not exist.
	t.Run("one command sent to both replicas at once", func(t *testing.T) {
		call := func(a *app.App, path, token, key string, body any) (int, map[string]any) {
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest(http.MethodPost, "http://"+a.Addr()+path, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("POST %s: %v", path, err)
			}
			defer resp.Body.Close()
			out := map[string]any{}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		user := map[string]string{"email": "carla@example.org", "password": "carla's long password", "name": "Carla Coach"}
		if code, body := call(instances[0], "/api/v1/auth/register", "", "", user); code != http.StatusCreated {
			t.Fatalf("register: got %d %v, want 201", code, body)
		}
		code, login := call(instances[0], "/api/v1/auth/login", "", "", map[string]string{"email": user["email"], "password": user["password"]})
		token, _ := login["token"].(string)
		if code != http.StatusOK || token == "" {
			t.Fatalf("login: got %d %v, want 200", code, login)
		}
		// Both replicas know the user once their feeds have the registration
		// and every node serves the new session (a session read is a direct
		// get, which a lagging node may answer): asked until 5 in a row pass.
		for _, a := range instances {
			for ok, deadline := 0, time.Now().Add(60*time.Second); ok < 5; time.Sleep(20 * time.Millisecond) {
				req, _ := http.NewRequest(http.MethodGet, "http://"+a.Addr()+"/api/v1/me", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				if err == nil && resp.StatusCode == http.StatusOK {
					ok++
				} else {
					ok = 0
				}
				if time.Now().After(deadline) {
					t.Fatal("a replica does not accept the new user's token after 60s")
				}
			}
		}
		for i := range 10 {
			key := fmt.Sprintf("open-%d", i)
			var codes [2]int
			var ids [2]any
			var bodies [2]map[string]any
			var wg sync.WaitGroup
			for j, a := range instances {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var body map[string]any
					codes[j], body = call(a, "/api/v1/cases", token, key, map[string]string{"scheme": "EIA", "level": "foundation", "language": "en"})
					ids[j], bodies[j] = body["id"], body
				}()
			}
			wg.Wait()
			if codes != [2]int{201, 201} || ids[0] != ids[1] || ids[0] == nil {
				t.Fatalf("pair %d: got %v with cases %v, want 201 twice with one case; answers %v", i, codes, ids, bodies)
			}
		}
	})

	t.Run("every stream replicated 3 times", func(t *testing.T) {
		nc, err := nats.Connect(clientURL(accreditUser, env["ACCREDIT_NATS_PASSWORD"]))
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		var names []string
		lister := js.ListStreams(sctx)
		for info := range lister.Info() {
			names = append(names, info.Config.Name)
			if info.Config.Replicas != 3 {
				t.Errorf("stream %s: replicas got %d, want 3", info.Config.Name, info.Config.Replicas)
			}
			if info.Config.Storage != jetstream.FileStorage {
				t.Errorf("stream %s: storage got %v, want file", info.Config.Name, info.Config.Storage)
			}
		}
		if err := lister.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(names, "ACCREDIT_EVENTS") {
			t.Errorf("streams in account %s: got %v, want ACCREDIT_EVENTS among them", accreditAccount, names)
		}
	})
}

// startCluster starts the three nodes of files on loopback ports and
// temporary store directories; nil (the nodes stopped) when one of them
// does not accept connections within 30 s.
func startCluster(t *testing.T, files []string) []*server.Server {
	t.Helper()
	clusterPorts := make([]int, len(files))
	for i := range files {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		clusterPorts[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	var servers []*server.Server
	for i, f := range files {
		o, err := server.ProcessConfigFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		o.Host, o.Port = "127.0.0.1", -1
		o.HTTPHost, o.HTTPPort = "127.0.0.1", -1
		o.Cluster.Host, o.Cluster.Port = "127.0.0.1", clusterPorts[i]
		o.Routes = nil
		for j, p := range clusterPorts {
			if j != i {
				o.Routes = append(o.Routes, &url.URL{Scheme: "nats-route", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(p))})
			}
		}
		o.StoreDir = t.TempDir()
		o.NoLog, o.NoSigs = true, true
		s, err := server.NewServer(o)
		if err != nil {
			t.Fatalf("%s: new server: %v", f, err)
		}
		s.Start()
		t.Cleanup(s.Shutdown)
		servers = append(servers, s)
	}
	for i, s := range servers {
		if !s.ReadyForConnections(30 * time.Second) {
			t.Logf("%s: not accepting connections after 30s; starting the cluster again", files[i])
			for _, s := range servers {
				s.Shutdown()
			}
			return nil
		}
	}
	return servers
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// genKeys runs docker/gen-keys.sh into a temporary directory.
func genKeys(t *testing.T) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no bash to run docker/gen-keys.sh, and CI must run every test")
		}
		t.Skip("no bash to run docker/gen-keys.sh")
	}
	dir := filepath.Join(t.TempDir(), "keys")
	out, err := exec.Command(bash, filepath.Join("docker", "gen-keys.sh"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("gen-keys.sh: %v\n%s", err, out)
	}
	return dir
}

func TestGenKeys(t *testing.T) {
	dir := genKeys(t)
	master := filepath.Join(dir, "master.key")
	signing := filepath.Join(dir, "audit-ed25519.pem")
	before := map[string]string{master: readFile(t, master), signing: readFile(t, signing)}

	if k, err := pii.LoadOrCreateKeyFile(master); err != nil || len(k) != 32 {
		t.Errorf("master.key: accreditd got %d bytes, err %v; want 32 bytes, no error", len(k), err)
	}
	if _, err := audit.LoadOrCreateSigner(signing); err != nil {
		t.Errorf("audit-ed25519.pem: accreditd got err %v, want a signing key", err)
	}
	for _, f := range []string{master, signing} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s: mode got %v, want no group or other access", filepath.Base(f), perm)
		}
	}
	// A second run keeps the keys: overwriting them would lose the data.
	if out, err := exec.Command("bash", filepath.Join("docker", "gen-keys.sh"), dir).CombinedOutput(); err != nil {
		t.Fatalf("second gen-keys.sh: %v\n%s", err, out)
	}
	for f, b := range before {
		if got := readFile(t, f); got != b {
			t.Errorf("%s: changed by a second run, want it kept", filepath.Base(f))
		}
	}
}

// ------------------------------------------------------------------- systemd

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
}

// ---------------------------------------------------------------------- YAML

type doc = map[string]any

func loadYAML(t *testing.T, path string) []doc {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(readFile(t, path)))
	var docs []doc
	for {
		var d doc
		err := dec.Decode(&d)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("%s does not parse as YAML: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no YAML document", path)
	}
	return docs
}

// get walks a decoded YAML tree by map keys and list indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(doc)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func list(v any) []any { l, _ := v.([]any); return l }

func dict(v any) doc { m, _ := v.(doc); return m }

// ---------------------------------------------------------------- Kubernetes

const k8sDir = "kubernetes"

// manifests returns every Kubernetes object in deploy/kubernetes by kind/name,
// and the files they came from.
func manifests(t *testing.T) (map[string]doc, []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs := map[string]doc{}
	var manifestFiles []string
	for _, f := range files {
		base := filepath.Base(f)
		if base == "nats-values.yaml" || base == "kustomization.yaml" {
			loadYAML(t, f)
			continue
		}
		manifestFiles = append(manifestFiles, base)
		for _, d := range loadYAML(t, f) {
			kind, name := str(d["kind"]), str(get(d, "metadata", "name"))
			if kind == "" || name == "" || str(d["apiVersion"]) == "" {
				t.Fatalf("%s: got apiVersion %q kind %q name %q, want all three", f, d["apiVersion"], kind, name)
			}
			objs[kind+"/"+name] = d
		}
	}
	return objs, manifestFiles
}

func TestKubernetesKustomization(t *testing.T) {
	_, files := manifests(t)
	k := loadYAML(t, filepath.Join(k8sDir, "kustomization.yaml"))[0]
	var listed []string
	for _, r := range list(k["resources"]) {
		listed = append(listed, str(r))
	}
	sort.Strings(listed)
	sort.Strings(files)
	if !slices.Equal(listed, files) {
		t.Errorf("kustomization resources: got %v, want every manifest %v", listed, files)
	}
}

func TestKubernetesDeployment(t *testing.T) {
	objs, _ := manifests(t)
	known := accreditdEnv(t)
	var dep doc
	for id, o := range objs {
		if strings.HasPrefix(id, "Deployment/") {
			if dep != nil {
				t.Fatalf("more than one Deployment: want one accreditd Deployment")
			}
			dep = o
		}
	}
	if dep == nil {
		t.Fatal("Deployment: missing")
	}
	pod := get(dep, "spec", "template", "spec")
	podLabels := dict(get(dep, "spec", "template", "metadata", "labels"))
	containers := list(get(pod, "containers"))
	if len(containers) != 1 {
		t.Fatalf("containers: got %d, want 1", len(containers))
	}
	c := containers[0]

	replicas, _ := get(dep, "spec", "replicas").(int)
	ports := map[string]int{}
	for _, p := range list(get(c, "ports")) {
		n, _ := get(p, "containerPort").(int)
		ports[str(get(p, "name"))] = n
	}
	nonRoot := get(pod, "securityContext", "runAsNonRoot") == true || get(c, "securityContext", "runAsNonRoot") == true
	selector := dict(get(dep, "spec", "selector", "matchLabels"))

	checks := []struct {
		name string
		ok   bool
		got  any
		want string
	}{
		{"replicas", replicas >= 2, get(dep, "spec", "replicas"), "2 or more"},
		{"readinessProbe path", get(c, "readinessProbe", "httpGet", "path") == "/readyz", get(c, "readinessProbe", "httpGet", "path"), "/readyz"},
		{"livenessProbe path", get(c, "livenessProbe", "httpGet", "path") == "/healthz", get(c, "livenessProbe", "httpGet", "path"), "/healthz"},
		{"startupProbe path", get(c, "startupProbe", "httpGet", "path") == "/healthz", get(c, "startupProbe", "httpGet", "path"), "/healthz"},
		{"readinessProbe port", str(get(c, "readinessProbe", "httpGet", "port")) == "http", get(c, "readinessProbe", "httpGet", "port"), "http"},
		{"livenessProbe port", str(get(c, "livenessProbe", "httpGet", "port")) == "http", get(c, "livenessProbe", "httpGet", "port"), "http"},
		{"http containerPort", ports["http"] == 8080, ports["http"], "8080"},
		{"runAsNonRoot", nonRoot, get(pod, "securityContext", "runAsNonRoot"), "true (pod or container)"},
		{"readOnlyRootFilesystem", get(c, "securityContext", "readOnlyRootFilesystem") == true, get(c, "securityContext", "readOnlyRootFilesystem"), "true"},
		{"allowPrivilegeEscalation", get(c, "securityContext", "allowPrivilegeEscalation") == false, get(c, "securityContext", "allowPrivilegeEscalation"), "false"},
		{"capabilities dropped", str(get(c, "securityContext", "capabilities", "drop", 0)) == "ALL", get(c, "securityContext", "capabilities", "drop"), "[ALL]"},
		{"selector matches pod labels", labelsMatch(selector, podLabels), selector, fmt.Sprintf("a subset of %v", podLabels)},
	}
	for _, ch := range checks {
		t.Run(ch.name, func(t *testing.T) {
			if !ch.ok {
				t.Errorf("%s: got %v, want %s", ch.name, ch.got, ch.want)
			}
		})
	}

	// The environment accreditd gets: ConfigMaps by envFrom, then env.
	// Secret values are stand-ins of the right shape.
	env := map[string]string{}
	for _, ef := range list(get(c, "envFrom")) {
		name := str(get(ef, "configMapRef", "name"))
		if name == "" {
			t.Errorf("envFrom %v: got no configMapRef, want ConfigMaps only (Secrets by name in env)", ef)
			continue
		}
		cm := objs["ConfigMap/"+name]
		if cm == nil {
			t.Fatalf("envFrom ConfigMap %s: missing from the manifests", name)
		}
		for k, v := range dict(cm["data"]) {
			env[k] = str(v)
		}
	}
	secretStandIns := map[string]string{
		"ACCREDIT_NATS_URL":       "nats://accredit:0123abcd@nats:4222",
		"ACCREDIT_ADMIN_EMAIL":    "office@example.org",
		"ACCREDIT_ADMIN_PASSWORD": "a-long-password",
	}
	for _, e := range list(get(c, "env")) {
		name := str(get(e, "name"))
		switch {
		case get(e, "valueFrom", "secretKeyRef") != nil:
			env[name] = secretStandIns[name]
			if env[name] == "" {
				env[name] = "stand-in"
			}
		default:
			env[name] = str(get(e, "value"))
		}
	}
	t.Run("env names", func(t *testing.T) {
		for _, name := range keys(env) {
			if !known[name] {
				t.Errorf("variable %s: got it in the Deployment, want one of %v", name, keys(known))
			}
		}
	})
	t.Run("env is a valid cluster configuration", func(t *testing.T) {
		cfg, err := parseEnv(env)
		if err != nil {
			t.Fatalf("accreditd config: got error %v, want none", err)
		}
		if cfg.Replicas != 3 || cfg.NATSURL == "" {
			t.Errorf("got replicas %d, NATS URL %q; want 3 and the cluster's URL", cfg.Replicas, cfg.NATSURL)
		}
		host, port, err := net.SplitHostPort(cfg.Addr)
		if err != nil || host != "0.0.0.0" || port != "8080" {
			t.Errorf("ACCREDIT_ADDR: got %q, want 0.0.0.0:8080", cfg.Addr)
		}
		// Both keys come from a mounted Secret, the same on every replica.
		secretMounts := map[string]bool{}
		vols := map[string]bool{}
		for _, v := range list(get(pod, "volumes")) {
			if get(v, "secret", "secretName") != nil {
				vols[str(get(v, "name"))] = true
			}
		}
		for _, m := range list(get(c, "volumeMounts")) {
			if vols[str(get(m, "name"))] {
				secretMounts[str(get(m, "mountPath"))] = true
			}
		}
		for name, f := range map[string]string{"ACCREDIT_MASTER_KEY_FILE": cfg.MasterKeyFile, "ACCREDIT_SIGNING_KEY_FILE": cfg.SigningKeyFile} {
			if !secretMounts[filepath.Dir(f)] {
				t.Errorf("%s: got %q, want a file in a mounted Secret (%v)", name, f, keys(secretMounts))
			}
		}
	})

	for kind, sel := range map[string]doc{
		"Service":             dict(get(firstOfKind(t, objs, "Service"), "spec", "selector")),
		"PodDisruptionBudget": dict(get(firstOfKind(t, objs, "PodDisruptionBudget"), "spec", "selector", "matchLabels")),
	} {
		t.Run(kind+" selects the pods", func(t *testing.T) {
			if !labelsMatch(sel, podLabels) {
				t.Errorf("selector: got %v, want a non-empty subset of the pod labels %v", sel, podLabels)
			}
		})
	}
	t.Run("Service targets the http port", func(t *testing.T) {
		for _, p := range list(get(firstOfKind(t, objs, "Service"), "spec", "ports")) {
			tp := str(get(p, "targetPort"))
			if _, named := ports[tp]; !named && tp != "8080" {
				t.Errorf("Service targetPort: got %q, want a container port (%v)", tp, ports)
			}
		}
	})
	t.Run("PodDisruptionBudget keeps one", func(t *testing.T) {
		pdb := firstOfKind(t, objs, "PodDisruptionBudget")
		minAvailable, _ := get(pdb, "spec", "minAvailable").(int)
		if minAvailable < 1 || minAvailable >= replicas {
			t.Errorf("minAvailable: got %v, want 1 to %d", get(pdb, "spec", "minAvailable"), replicas-1)
		}
	})
}

func firstOfKind(t *testing.T, objs map[string]doc, kind string) doc {
	t.Helper()
	for _, id := range keys(objs) {
		if strings.HasPrefix(id, kind+"/") {
			return objs[id]
		}
	}
	t.Fatalf("%s: missing from the manifests", kind)
	return nil
}

func labelsMatch(sel, labels doc) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if str(labels[k]) != str(v) {
			return false
		}
	}
	return true
}

// chartVarRef is the chart's way of writing a bare NATS variable reference.
var chartVarRef = regexp.MustCompile(`^<<\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*>>$`)

func TestHelmNATSValues(t *testing.T) {
	v := loadYAML(t, filepath.Join(k8sDir, "nats-values.yaml"))[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"config.cluster.enabled", get(v, "config", "cluster", "enabled"), true},
		{"config.cluster.replicas", get(v, "config", "cluster", "replicas"), 3},
		{"config.jetstream.enabled", get(v, "config", "jetstream", "enabled"), true},
		{"config.jetstream.fileStore.enabled", get(v, "config", "jetstream", "fileStore", "enabled"), true},
		{"config.jetstream.fileStore.pvc.enabled", get(v, "config", "jetstream", "fileStore", "pvc", "enabled"), true},
		{"config.jetstream.merge.sync_interval", get(v, "config", "jetstream", "merge", "sync_interval"), "always"},
		{"config.monitor.enabled", get(v, "config", "monitor", "enabled"), true},
		{"config.merge.system_account", get(v, "config", "merge", "system_account"), systemAccount},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
	t.Run("image 2.12 or newer", func(t *testing.T) {
		if tag := str(get(v, "container", "image", "tag")); !natsVersionOK(tag) {
			t.Errorf("container.image.tag: got %q, want 2.12 or newer", tag)
		}
	})

	// Accounts and users as in deploy/nats; each password a variable the
	// container gets from a Secret.
	accounts := dict(get(v, "config", "merge", "accounts"))
	var got []string
	for _, acc := range keys(accounts) {
		for _, u := range list(get(accounts, acc, "users")) {
			got = append(got, acc+"/"+str(get(u, "user")))
		}
	}
	want := []string{accreditAccount + "/" + accreditUser, systemAccount + "/system"}
	if !slices.Equal(got, want) {
		t.Errorf("accounts/users: got %v, want %v (as deploy/nats)", got, want)
	}
	if j := get(accounts, accreditAccount, "jetstream"); str(j) != "enabled" && j != true {
		t.Errorf("account %s jetstream: got %v, want enabled", accreditAccount, j)
	}
	containerEnv := dict(get(v, "container", "env"))
	var refs []string
	for _, acc := range keys(accounts) {
		for _, u := range list(get(accounts, acc, "users")) {
			p := str(get(u, "password"))
			m := chartVarRef.FindStringSubmatch(p)
			if m == nil {
				t.Errorf("%s/%s password: got %q, want << $VARIABLE >>", acc, get(u, "user"), p)
				continue
			}
			refs = append(refs, m[1])
			if get(containerEnv, m[1], "valueFrom", "secretKeyRef", "name") == nil {
				t.Errorf("container.env.%s: got %v, want it from a secretKeyRef", m[1], containerEnv[m[1]])
			}
		}
	}
	sort.Strings(refs)
	if nv := natsVars(t); !slices.Equal(refs, nv) || !slices.Equal(keys(containerEnv), nv) {
		t.Errorf("NATS variables: got references %v and container.env %v, want %v (as deploy/nats)", refs, keys(containerEnv), nv)
	}
}

var natsImageTag = regexp.MustCompile(`^(\d+)\.(\d+)`)

func natsVersionOK(tag string) bool {
	m := natsImageTag.FindStringSubmatch(tag)
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major > 2 || major == 2 && minor >= 12
}

// ------------------------------------------------------------ Docker compose

var composeVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}`)

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

// TestNamesEverywhere reads every file under deploy/ (docs included): an
// ACCREDIT_ name is one of accreditd's variables, a NATS config variable or
// one of accreditd's JetStream streams and buckets.
func TestNamesEverywhere(t *testing.T) {
	allowed := accreditdEnv(t)
	for _, v := range natsVars(t) {
		allowed[v] = true
	}
	for _, n := range jetStreamNames {
		allowed[n] = true
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".go") {
			return err
		}
		t.Run(path, func(t *testing.T) {
			for n, line := range strings.Split(readFile(t, path), "\n") {
				for _, tok := range accreditToken.FindAllString(line, -1) {
					if !allowed[tok] {
						t.Errorf("%s:%d: got %s, want one of %v", path, n+1, tok, keys(allowed))
					}
				}
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
