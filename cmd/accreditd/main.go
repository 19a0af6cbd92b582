// Command accreditd is the Accredit server: with no configuration it starts an
// embedded NATS JetStream under ./data and serves HTTP on 127.0.0.1:8080.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/emcc/accredit/cmd/accreditd/app"
)

func main() {
	cfg, err := app.FromOS()
	if errors.Is(err, flag.ErrHelp) { // -h: the flags were listed
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "accreditd:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := app.NewLogger(cfg.LogFormat, os.Stderr)
	app.SetMemoryLimit(log)
	if cfg.PprofAddr != "" { // before Start, so that a start can be profiled
		p, err := app.ServeProfiler(cfg.PprofAddr, log)
		if err != nil {
			fmt.Fprintln(os.Stderr, "accreditd:", err)
			os.Exit(1)
		}
		defer p.Close()
	}
	a, err := app.Start(ctx, cfg, app.Options{Log: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, "accreditd:", err)
		os.Exit(1)
	}
	<-ctx.Done()
	if err := a.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "accreditd: shutdown:", err)
		os.Exit(1)
	}
}
