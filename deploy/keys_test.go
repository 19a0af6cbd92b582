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
	"time"

	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/credential"
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
	// The first credential key, so that replicas sharing the directory
	// read-only (a Kubernetes Secret, a read-only bind mount) have one.
	creds := filepath.Join(dir, "credentials")
	ring := credential.KeyRing{Dir: creds}
	if ks, err := ring.Keys(); err != nil || len(ks) != 1 {
		t.Errorf("credentials/: accreditd read %d keys, err %v; want 1 key, no error", len(ks), err)
	} else {
		before[filepath.Join(creds, ks[0].ID+".pem")] = readFile(t, filepath.Join(creds, ks[0].ID+".pem"))
		// A key accreditd's own rotation adds later sorts after it.
		if k, err := ring.Rotate(time.Now()); err != nil || k.ID <= ks[0].ID {
			t.Errorf("rotate after gen-keys.sh's key %s: got %q, err %v; want a newer key", ks[0].ID, k.ID, err)
		}
	}

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
	if ks, _ := ring.Keys(); len(ks) != 2 {
		t.Errorf("credentials/: %d keys after a second run, want the 2 there (none added to a directory holding keys)", len(ks))
	}
	for f, b := range before {
		if got := readFile(t, f); got != b {
			t.Errorf("%s: changed by a second run, want it kept", filepath.Base(f))
		}
	}
}
