package natsstore

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// EmbeddedConfig configures the in-process nats-server.
type EmbeddedConfig struct {
	// DataDir holds the JetStream store (DataDir/jetstream) and the lock file.
	DataDir string
	// SyncInterval is how often JetStream fsyncs; 0 means on every write.
	SyncInterval time.Duration
	// Listen, when set (host:port), opens a client port so NATS tools can
	// inspect the server; empty means no network port at all.
	Listen string
}

// Embedded is a running in-process nats-server holding the data directory lock.
type Embedded struct {
	Server *server.Server
	lock   *os.File
	// syncAlways: the server fsyncs every write (SyncInterval 0).
	syncAlways bool
}

// ErrDataDirLocked is returned when another process holds the data directory.
var ErrDataDirLocked = errors.New("data directory is in use by another accreditd")

// StartEmbedded locks the data directory and starts a JetStream-enabled
// nats-server in this process.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("embedded nats: no data directory")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded nats: data directory: %w", err)
	}
	lock, err := lockDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: "accredit-embedded",
		JetStream:  true,
		StoreDir:   filepath.Join(cfg.DataDir, "jetstream"),
		DontListen: cfg.Listen == "",
		NoSigs:     true,
		NoLog:      true,
		Host:       "127.0.0.1",
		Port:       -1,
	}
	if cfg.SyncInterval <= 0 {
		opts.SyncAlways = true
		opts.SyncInterval = 2 * time.Minute // ignored with SyncAlways, but must be set
	} else {
		opts.SyncInterval = cfg.SyncInterval
	}
	if cfg.Listen != "" {
		host, port, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			lock.Close()
			return nil, fmt.Errorf("embedded nats: listen address %q: %w", cfg.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			lock.Close()
			return nil, fmt.Errorf("embedded nats: listen port %q: %w", port, err)
		}
		opts.Host, opts.Port = host, p
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		lock.Close()
		return nil, errors.New("embedded nats: not ready after 30s")
	}
	return &Embedded{Server: ns, lock: lock, syncAlways: opts.SyncAlways}, nil
}

// Connect opens a client connection to the embedded server, in process.
func (e *Embedded) Connect() (*nats.Conn, error) {
	return nats.Connect("", nats.InProcessServer(e.Server), nats.Name("accreditd"), nats.MaxReconnects(-1))
}

// ClientURL is the URL of the server's client port ("" without one).
func (e *Embedded) ClientURL() string {
	if e.Server.Addr() == nil {
		return ""
	}
	return e.Server.ClientURL()
}

// Shutdown stops the server (after the caller drained its connections) and
// releases the lock.
func (e *Embedded) Shutdown() {
	e.Server.Shutdown()
	e.Server.WaitForShutdown()
	if e.lock != nil {
		e.lock.Close()
		e.lock = nil
	}
}

// lockDir takes an exclusive, non-blocking lock on DataDir/LOCK, so that a
// second process on the same directory fails clearly instead of corrupting it.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s (stop the other process or choose another ACCREDIT_DATA_DIR)", ErrDataDirLocked, dir)
		}
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	return f, nil
}
