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
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

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

func TestKubernetesStatefulSet(t *testing.T) {
	objs, _ := manifests(t)
	known := accreditdEnv(t)
	var dep doc
	for id, o := range objs {
		if strings.HasPrefix(id, "Deployment/") {
			t.Fatalf("%s: want accreditd as a StatefulSet, whose pods keep their data volume (and so their snapshots) when replaced", id)
		}
		if strings.HasPrefix(id, "StatefulSet/") {
			if dep != nil {
				t.Fatalf("more than one StatefulSet: want one accreditd StatefulSet")
			}
			dep = o
		}
	}
	if dep == nil {
		t.Fatal("StatefulSet: missing")
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
			if !known[name] && name != "GOMEMLIMIT" { // the Go runtime's, checked below
				t.Errorf("variable %s: got it in the StatefulSet, want one of %v", name, keys(known))
			}
		}
	})
	t.Run("GOMEMLIMIT below the memory limit", func(t *testing.T) {
		limit, ok1 := bytesOf(str(get(c, "resources", "limits", "memory")))
		soft, ok2 := bytesOf(env["GOMEMLIMIT"])
		// The soft limit is what running needs; above it, up to the
		// container's, is room for a rebuild's second generation of the
		// read models (1.20 GiB at 1M events against 0.97 otherwise).
		if !ok1 || !ok2 || soft < limit/2 || soft > limit*95/100 {
			t.Errorf("GOMEMLIMIT %q against limits.memory %q: want half to 95 %% of it (the runtime's soft limit, below the container's)",
				env["GOMEMLIMIT"], get(c, "resources", "limits", "memory"))
		}
	})
	t.Run("the data volume holds the snapshots and outlives the pod", func(t *testing.T) {
		// The read models' snapshot, the write side's and the read side's
		// scratch files are in ACCREDIT_DATA_DIR even with an external
		// NATS: up to 2.1 GB at 1M events, the memory limit's scale, with a
		// snapshot's new file written beside the old. On an emptyDir they
		// went with the pod, and every rollout's pods replayed the whole
		// store (25.0 s at 1.02M events against 3.1 s from the snapshots).
		cfg, err := parseEnv(env)
		if err != nil {
			t.Fatal(err)
		}
		var vol string
		for _, m := range list(get(c, "volumeMounts")) {
			if str(get(m, "mountPath")) == cfg.DataDir {
				vol = str(get(m, "name"))
			}
		}
		if vol == "" {
			t.Fatalf("no volume mounted at ACCREDIT_DATA_DIR %s: the root filesystem is read-only", cfg.DataDir)
		}
		for _, v := range list(get(pod, "volumes")) {
			if str(get(v, "name")) == vol {
				t.Fatalf("volume %s at %s: got a pod volume (%v), want a volumeClaimTemplate, kept when the pod is replaced", vol, cfg.DataDir, v)
			}
		}
		var claim doc
		for _, v := range list(get(dep, "spec", "volumeClaimTemplates")) {
			if str(get(v, "metadata", "name")) == vol {
				claim = dict(v)
			}
		}
		if claim == nil {
			t.Fatalf("volume %s at %s: no volumeClaimTemplate of that name", vol, cfg.DataDir)
		}
		size, ok := bytesOf(str(get(claim, "spec", "resources", "requests", "storage")))
		if !ok || size < 5<<29 {
			t.Errorf("volume %s at %s: storage %v, want at least 2.5Gi (the snapshots and scratch files at the memory limit's scale, 1M events)",
				vol, cfg.DataDir, get(claim, "spec", "resources", "requests", "storage"))
		}
		if modes := list(get(claim, "spec", "accessModes")); len(modes) != 1 || str(modes[0]) != "ReadWriteOnce" {
			t.Errorf("volume %s: accessModes %v, want [ReadWriteOnce] (one replica's own)", vol, modes)
		}
		// Caches only: they go with the StatefulSet and the replicas scaled away.
		for _, when := range []string{"whenDeleted", "whenScaled"} {
			if got := str(get(dep, "spec", "persistentVolumeClaimRetentionPolicy", when)); got != "Delete" {
				t.Errorf("persistentVolumeClaimRetentionPolicy.%s: got %q, want Delete (the volumes hold caches)", when, got)
			}
		}
		// The replicas do not wait on one another to start.
		if got := str(get(dep, "spec", "podManagementPolicy")); got != "Parallel" {
			t.Errorf("podManagementPolicy: got %q, want Parallel", got)
		}
		if got := str(get(dep, "spec", "serviceName")); objs["Service/"+got] == nil {
			t.Errorf("serviceName: got %q, want the Service of the manifests", got)
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
		// One public address for every replica (README: set it in
		// production): unset, links in mail, the DID and the status lists
		// name the pod's listen address.
		if u, err := url.Parse(cfg.PublicURL); cfg.PublicURL == "" || err != nil || u.Scheme != "https" {
			t.Errorf("ACCREDIT_PUBLIC_URL: got %q, want the Ingress's https address (a placeholder to set) in the ConfigMap", cfg.PublicURL)
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
		// The credential keys too: every replica signs with the same ones,
		// and an old key is never lost with a pod (README: the directory is
		// shared by every process of a cluster). Left at its default it is
		// <data>/keys/credentials on each pod's own emptyDir.
		if !secretMounts[filepath.Clean(cfg.CredentialKeyDir)] {
			t.Errorf("ACCREDIT_CREDENTIAL_KEY_DIR: got %q, want a mounted Secret's directory (%v), shared by the replicas and kept", cfg.CredentialKeyDir, keys(secretMounts))
		}
		for _, m := range list(get(c, "volumeMounts")) {
			if str(get(m, "mountPath")) == cfg.CredentialKeyDir && (get(m, "subPath") != nil || get(m, "readOnly") != true) {
				t.Errorf("credential key mount %v: want readOnly and no subPath (a rotated Secret then reaches running pods)", m)
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
	// Besides the configuration's variables, the Go runtime's soft memory
	// limit, under the container's.
	limit := str(containerEnv["GOMEMLIMIT"])
	delete(containerEnv, "GOMEMLIMIT")
	if nv := natsVars(t); !slices.Equal(refs, nv) || !slices.Equal(keys(containerEnv), nv) {
		t.Errorf("NATS variables: got references %v and container.env %v, want %v (as deploy/nats)", refs, keys(containerEnv), nv)
	}
	soft, okSoft := strings.CutSuffix(limit, "MiB")
	hard, okHard := strings.CutSuffix(str(get(v, "container", "merge", "resources", "limits", "memory")), "Gi")
	s, _ := strconv.Atoi(soft)
	h, _ := strconv.Atoi(hard)
	if !okSoft || !okHard || s <= 0 || s >= h*1024 {
		t.Errorf("NATS GOMEMLIMIT %q: want MiB below the container's memory limit (%vGi)", limit, hard)
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

// bytesOf reads a memory size as Kubernetes (2Gi, 512Mi) or GOMEMLIMIT
// (1843MiB, 2GiB, or bytes) writes it.
func bytesOf(v string) (int64, bool) {
	units := []struct {
		suffix string
		size   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}, {"B", 1}, {"", 1}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			x, err := strconv.ParseInt(n, 10, 64)
			return x * u.size, err == nil && x > 0
		}
	}
	return 0, false
}

// TestKubernetesOnlyTheTrustedProxyReachesAccreditd: the ConfigMap believes
// X-Forwarded-For from a whole pod network (ACCREDIT_TRUSTED_PROXIES), so
// accreditd's port 8080 must take connections from a chosen namespace
// only: a rule with no "from" would let any pod name any client address
// and so spread its login tries over addresses.
func TestKubernetesOnlyTheTrustedProxyReachesAccreditd(t *testing.T) {
	objs, _ := manifests(t)
	if str(get(objs["ConfigMap/accredit-config"], "data", "ACCREDIT_TRUSTED_PROXIES")) == "" {
		t.Fatal("the ConfigMap names no trusted proxies: the ingress's X-Forwarded-For would not name the client (this test is then to be rethought)")
	}
	pol := objs["NetworkPolicy/accredit"]
	if pol == nil {
		t.Fatal("no NetworkPolicy accredit")
	}
	reaches := 0
	for i, rule := range list(get(pol, "spec", "ingress")) {
		for _, p := range list(get(rule, "ports")) {
			if str(get(p, "port")) != "8080" {
				continue
			}
			from := list(get(rule, "from"))
			if len(from) == 0 {
				t.Fatalf("ingress rule %d takes port 8080 from anywhere, while X-Forwarded-For is believed from the pod network", i)
			}
			for _, f := range from {
				if str(get(f, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name")) == "" {
					t.Fatalf("ingress rule %d takes port 8080 from %v, not from one named namespace", i, f)
				}
			}
			reaches++
		}
	}
	if reaches == 0 {
		t.Fatal("no ingress rule takes port 8080: nothing reaches accreditd")
	}
}
