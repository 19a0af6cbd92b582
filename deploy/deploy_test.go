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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
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

	"github.com/emcc/accredit/cmd/accreditd/app"
)

// JetStream resources accreditd creates; their names may appear in docs and
// comments beside the environment variables.
var jetStreamNames = []string{
	"ACCREDIT_EVENTS", "ACCREDIT_CHECKPOINTS", "ACCREDIT_DATA_KEYS", "ACCREDIT_KEYS",
	"ACCREDIT_SESSIONS", "ACCREDIT_LOGIN_FAILURES", "ACCREDIT_LEASES", "ACCREDIT_EVIDENCE", "ACCREDIT_MAIL",
	"ACCREDIT_REPLAYS",
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
	// Both replicas start at the same moment, as the StatefulSet's and the
	// compose file's do: streams are created concurrently on a cluster that
	// has just formed, and the first office user must be made once.
	instances := make([]*app.App, 2)
	cfgs := make([]app.Config, 2)
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
		cfgs[i] = cfg
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
			t.Cleanup(func() { // the replica as it then is (a subtest replaces one)
				if err := instances[i].Close(); err != nil {
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
			users, err := a.Accounts.Users(ctx)
			if err != nil {
				t.Fatalf("replica %d: users: %v", i, err)
			}
			for _, u := range users {
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

	// What the StatefulSet's volume is for (kubernetes/statefulset.yaml):
	// a replica's successor on the same data directory resumes both sides
	// from the snapshots it wrote on stop, on the cluster, rather than
	// replaying the store.
	t.Run("a replaced replica resumes from the snapshots on its volume", func(t *testing.T) {
		if err := instances[1].Close(); err != nil {
			t.Fatalf("replica 1: close: %v", err)
		}
		logs[1] = &lockedBuffer{}
		a, err := app.Start(ctx, cfgs[1], app.Options{Log: slog.New(slog.NewTextHandler(logs[1], nil))})
		if err != nil {
			t.Fatalf("replica 1 again: %v\nlogs:\n%s", err, logs[1])
		}
		instances[1] = a
		started := logs[1].String()
		for _, want := range []string{`msg="aggregates loaded from their snapshot"`, `msg="read models resumed from snapshot"`} {
			if !strings.Contains(started, want) {
				t.Errorf("replica 1 again: no %s in its log:\n%s", want, started)
			}
		}
		if strings.Contains(started, "replaying the store") {
			t.Errorf("replica 1 again replayed the store:\n%s", started)
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

// ------------------------------------------------------------------- systemd

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
