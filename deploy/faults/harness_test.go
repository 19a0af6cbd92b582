package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Binaries built once by TestMain.
var bins struct{ accreditd, natsServer string }

const (
	adminEmail    = "office@example.org"
	adminPassword = "faults-office-password"
)

func TestMain(m *testing.M) {
	if os.Getenv("ACCREDIT_FAULTS") == "" {
		fmt.Println("faults: skipped; run make faults (ACCREDIT_FAULTS=1)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "accredit-faults-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins.accreditd = filepath.Join(dir, "accreditd")
	bins.natsServer = filepath.Join(dir, "nats-server")
	for _, b := range []struct{ out, pkg string }{
		{bins.accreditd, "github.com/emcc/accredit/cmd/accreditd"},
		{bins.natsServer, "github.com/nats-io/nats-server/v2"},
	} {
		if out, err := exec.Command("go", "build", "-o", b.out, b.pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", b.pkg, err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort reserves nothing: it finds a port free now, on loopback.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
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

// proc is one process of the suite, restartable with the same arguments.
type proc struct {
	t    *testing.T
	name string
	path string
	args []string
	env  []string
	logs *lockedBuffer

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func newProc(t *testing.T, name, path string, args, env []string) *proc {
	p := &proc{t: t, name: name, path: path, args: args, env: env, logs: &lockedBuffer{}}
	v, loaded := procsOf.LoadOrStore(t, &procList{})
	list := v.(*procList)
	if !loaded {
		// Registered before any process's own cleanup, so it runs after
		// all of them (cleanups run last-in first-out), once every process
		// is stopped.
		t.Cleanup(func() {
			procsOf.Delete(t)
			if t.Failed() {
				list.report(t)
			}
		})
	}
	list.add(p)
	t.Cleanup(p.kill)
	return p
}

// procsOf holds each test's processes, for the report of a failed test.
var procsOf sync.Map // *testing.T -> *procList

type procList struct {
	mu    sync.Mutex
	procs []*proc
}

func (l *procList) add(p *proc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.procs = append(l.procs, p)
}

// report logs the tail of every process's output, the NATS servers first
// and the accreditd processes last: a CI log shows the end of the output,
// and why accreditd failed is what a reader needs first.
func (l *procList) report(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, last := range []bool{false, true} {
		for _, p := range l.procs {
			if strings.HasPrefix(p.name, "accreditd") == last {
				n := 1500
				if last {
					n = 6000
				}
				t.Logf("%s log (tail):\n%s", p.name, tail(p.logs.String(), n))
			}
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (p *proc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd := exec.Command(p.path, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	dieWithParent(cmd)
	fmt.Fprintf(p.logs, "--- start %s\n", time.Now().Format(time.RFC3339Nano))
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p.cmd, p.done = cmd, done
}

// signal sends sig and waits (up to 30 s) for the process to end.
func (p *proc) signal(sig syscall.Signal) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func (p *proc) kill() { p.signal(syscall.SIGKILL) }

// accreditd is one accreditd process and its address.
type accreditd struct {
	*proc
	url string
}

func startAccreditd(t *testing.T, name string, env map[string]string) *accreditd {
	t.Helper()
	port := freePort(t)
	e := []string{"ACCREDIT_ADDR=127.0.0.1:" + strconv.Itoa(port), "ACCREDIT_LOG_FORMAT=text",
		"ACCREDIT_ADMIN_EMAIL=" + adminEmail, "ACCREDIT_ADMIN_PASSWORD=" + adminPassword}
	for k, v := range env {
		e = append(e, k+"="+v)
	}
	a := &accreditd{proc: newProc(t, name, bins.accreditd, nil, e), url: "http://127.0.0.1:" + strconv.Itoa(port)}
	// As a supervisor would, start again a process that exits while
	// starting (on a cluster that is issue 10 item 1, open in another
	// branch); the restarts are reported.
	for try := 1; ; try++ {
		a.start()
		// Longer than accreditd's own 3-minute limit on creating its
		// streams, so that a process giving up is seen exiting (and is
		// started again) rather than timed out while it still tries.
		_, err := a.waitReady(4 * time.Minute)
		if err == nil {
			break
		}
		if !errors.Is(err, errExited) || try == 3 {
			t.Fatalf("%s: %v\n%s", name, err, tail(a.logs.String(), 4000))
		}
		startRestarts.Add(1)
		t.Logf("KNOWN GAP, not failed: %s exited while starting (issue 10 item 1), started again: %s", name, lastLine(a.logs.String()))
	}
	return a
}

// startRestarts counts processes started again after exiting at start-up.
var startRestarts atomic.Int64

var errExited = errors.New("the process exited")

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// waitReady polls /readyz until 200 and returns how long that took.
func (a *accreditd) waitReady(limit time.Duration) (time.Duration, error) {
	start := time.Now()
	c := &http.Client{Timeout: 5 * time.Second}
	a.mu.Lock()
	done := a.done
	a.mu.Unlock()
	for time.Since(start) < limit {
		select {
		case <-done:
			return 0, errExited
		default:
		}
		if resp, err := c.Get(a.url + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Since(start), nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, fmt.Errorf("not ready within %s", limit)
}

// natsNode is one nats-server process with JetStream on loopback.
type natsNode struct {
	*proc
	port, monitor int
	serverName    string
}

// startNATS starts n nats-server processes, clustered when n > 1, and
// waits until each answers /healthz.
func startNATS(t *testing.T, n int) []*natsNode {
	t.Helper()
	clusterPorts := make([]int, n)
	for i := range clusterPorts {
		clusterPorts[i] = freePort(t)
	}
	var nodes []*natsNode
	for i := range n {
		nd := &natsNode{port: freePort(t), monitor: freePort(t), serverName: fmt.Sprintf("n%d", i+1)}
		dir := t.TempDir()
		conf := fmt.Sprintf("server_name: %s\nlisten: 127.0.0.1:%d\nhttp: 127.0.0.1:%d\njetstream {\n  store_dir: %q\n  sync_interval: always\n}\n",
			nd.serverName, nd.port, nd.monitor, filepath.Join(dir, "js"))
		if n > 1 {
			var routes []string
			for j, p := range clusterPorts {
				if j != i {
					routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
				}
			}
			conf += fmt.Sprintf("cluster {\n  name: faults\n  listen: 127.0.0.1:%d\n  routes: [%s]\n}\n", clusterPorts[i], strings.Join(routes, ", "))
		}
		path := filepath.Join(dir, "nats.conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		nd.proc = newProc(t, nd.serverName, bins.natsServer, []string{"-c", path}, nil)
		nd.start()
		nodes = append(nodes, nd)
	}
	for _, nd := range nodes {
		if err := nd.waitHealthy(90 * time.Second); err != nil {
			t.Fatalf("%s: %v\n%s", nd.serverName, err, tail(nd.logs.String(), 3000))
		}
	}
	return nodes
}

func (nd *natsNode) waitHealthy(limit time.Duration) error {
	c := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	for time.Since(start) < limit {
		if resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", nd.monitor)); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no /healthz 200 within %s", limit)
}

func natsURLs(nodes []*natsNode) string {
	var us []string
	for _, nd := range nodes {
		us = append(us, fmt.Sprintf("nats://127.0.0.1:%d", nd.port))
	}
	return strings.Join(us, ",")
}

// proxy is a TCP proxy on loopback between accreditd and NATS that can add
// latency, drop every connection, or refuse all traffic for a while.
type proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	conns   map[net.Conn]bool
	down    bool
	latency func() time.Duration
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.dropAll()
	})
	return p
}

func (p *proxy) url() string { return "nats://" + p.ln.Addr().String() }

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *proxy) pipe(from, to net.Conn) {
	defer func() {
		from.Close()
		to.Close()
		p.mu.Lock()
		delete(p.conns, from)
		delete(p.conns, to)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			p.mu.Lock()
			lat := p.latency
			p.mu.Unlock()
			if lat != nil {
				time.Sleep(lat())
			}
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *proxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.dropAll()
	}
}

func (p *proxy) setLatency(f func() time.Duration) {
	p.mu.Lock()
	p.latency = f
	p.mu.Unlock()
}

// sleepOrDone waits d or until ctx ends.
func sleepOrDone(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
