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
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/pii"
)

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
