package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// Profiler serves Go's pprof handlers on an address of its own
// (ACCREDIT_PPROF_ADDR), never on the public listener: a profile shows
// the program's inner workings and costs CPU, so it is opt-in and meant
// for a loopback address. main starts it before Start, so that a start
// can be profiled too.
type Profiler struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// ServeProfiler listens on addr and serves /debug/pprof/ there.
func ServeProfiler(addr string, log *slog.Logger) (*Profiler, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ACCREDIT_PPROF_ADDR: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// A CPU profile or trace runs for the seconds asked (30 by default).
	p := &Profiler{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, addr: l.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if err := p.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof server", "err", err)
		}
	}()
	log.Info("pprof serving", "addr", p.addr)
	return p, nil
}

// Addr is the address the profiler listens on.
func (p *Profiler) Addr() string { return p.addr }

// Close stops the listener; a profile still being taken is cut short.
func (p *Profiler) Close() {
	_ = p.srv.Close()
	<-p.done
}
