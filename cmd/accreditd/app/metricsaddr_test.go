package app_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// A metrics address that cannot be listened on (in use, or mistyped) fails
// the start, naming ACCREDIT_METRICS_ADDR, and leaves nothing serving: it
// once hung the start with the main listener serving and SIGTERM unheard.
func TestAStartWhoseMetricsAddressIsTakenFailsAndServesNothing(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	main, err := net.Listen("tcp", "127.0.0.1:0") // a free port the failed start must give back
	if err != nil {
		t.Fatal(err)
	}
	addr := main.Addr().String()
	main.Close()

	cfg := apptest.Config(t.TempDir())
	cfg.Addr, cfg.MetricsAddr = addr, taken.Addr().String()
	done := make(chan error, 1)
	go func() {
		a, err := app.Start(context.Background(), cfg, app.Options{Log: slog.New(slog.DiscardHandler)})
		if a != nil {
			_ = a.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "ACCREDIT_METRICS_ADDR") {
			t.Fatalf("start: %v, want an error naming ACCREDIT_METRICS_ADDR", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("start with a metrics address in use did not return in 2 minutes")
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the failed start left %s taken: %v", addr, err)
	}
	l.Close()
}

// An address in use fails the start before the store is opened, naming its
// variable: it was found only after the catch-up, minutes into the start of
// a large store, because the port opens once the replica has caught up.
func TestAnAddressInUseFailsTheStartBeforeTheStoreIsOpened(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, name := range []string{"ACCREDIT_ADDR", "ACCREDIT_METRICS_ADDR"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := apptest.Config(dir)
			if name == "ACCREDIT_ADDR" {
				cfg.Addr = taken.Addr().String()
			} else {
				cfg.MetricsAddr = taken.Addr().String()
			}
			a, err := app.Start(context.Background(), cfg, app.Options{Log: slog.New(slog.DiscardHandler)})
			if a != nil {
				_ = a.Close()
			}
			if err == nil || !strings.HasPrefix(err.Error(), name+": listen on "+taken.Addr().String()) {
				t.Fatalf("start: %v, want an error naming %s and the address", err, name)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("the store was opened before the address was tried: the data directory holds %v", entries)
			}
		})
	}
}
