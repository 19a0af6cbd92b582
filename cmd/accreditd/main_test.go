package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryStartsOnDefaultsAndStopsCleanlyOnSIGTERM builds accreditd, runs
// it with no configuration but its address and data directory, waits for it
// to serve, interrupts an in-flight request with SIGTERM and checks the
// request still finishes and the process exits 0 having drained NATS.
func TestBinaryStartsOnDefaultsAndStopsCleanlyOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "accreditd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "-log-format", "text")
	cmd.Env = append(os.Environ(), "ACCREDIT_ADDR="+addr, "ACCREDIT_DATA_DIR="+filepath.Join(dir, "data"))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
		}
		close(done)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("not ready within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// An in-flight request: the framework, read slowly by a client that
	// holds the connection while the signal arrives.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v1/framework", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(body), "emcc-cf-v3") {
		t.Fatalf("in-flight request cut off: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, logs.String())
	}
	<-done
	if !strings.Contains(logs.String(), "accreditd stopped") {
		t.Fatalf("no clean stop in the log:\n%s", logs.String())
	}
	// Each start phase's duration is logged, and the whole start's: how an
	// operator sees where a slow start went.
	for _, want := range []string{"phase=nats", `phase="stores and keys"`, `phase="erasures and office user"`, "phase=outbox", `phase="notifier and mail jobs"`, "started_in_ms="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the start did not log %s:\n%s", want, logs.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "admin-password")); err != nil {
		t.Fatalf("first start did not write the admin password file: %v", err)
	}
	if !strings.Contains(logs.String(), "127.0.0.1") || strings.Contains(logs.String(), "nats_client_url=nats://") {
		t.Fatalf("the embedded server opened a client port without being told to:\n%s", logs.String())
	}
}

// accreditd -h lists the flags and exits 0 (asked for, not a usage error);
// an argument that is not a flag exits 2 naming it, before anything starts.
func TestHelpExitsZeroAndAStrayArgumentTwo(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "accreditd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "-h").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "-data-dir") || strings.Contains(string(out), "help requested") {
		t.Errorf("accreditd -h: %v, want exit 0 and the flags\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a start that ignores it serves until killed
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "data-dir", filepath.Join(dir, "data"))
	cmd.Env = append(os.Environ(), "ACCREDIT_DATA_DIR="+filepath.Join(dir, "data"), "ACCREDIT_ADDR=127.0.0.1:0")
	out, err = cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), `unexpected argument "data-dir"`) {
		t.Errorf("accreditd data-dir DIR: exit %d (%v), want 2 naming the argument\n%s", code, err, out)
	}
}
