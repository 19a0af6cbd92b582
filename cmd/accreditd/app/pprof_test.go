package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// The profiler answers on its own address only: the public listener has
// no /debug/pprof/, with or without a login, and the configuration
// refuses to put the profiler on the public address.
func TestProfilesOnlyOnTheirOwnAddress(t *testing.T) {
	p, err := app.ServeProfiler("127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	resp, err := http.Get("http://" + p.Addr() + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("profiler index: %s\n%s", resp.Status, body)
	}

	in := apptest.Start(t)
	for _, token := range []string{"", in.AdminToken(t)} {
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/profile?seconds=1", "/debug/pprof/goroutine"} {
			if r := in.Get(t, path, token); r.Status == http.StatusOK || strings.Contains(string(r.Body), "goroutine profile") {
				t.Errorf("public listener served %s (login %v): %d", path, token != "", r.Status)
			}
		}
	}

	if _, err := app.Parse([]string{"-addr", "127.0.0.1:8080", "-pprof-addr", "127.0.0.1:8080"}, func(string) string { return "" }); err == nil {
		t.Error("pprof on the public address accepted")
	}
	cfg, err := app.Parse(nil, func(string) string { return "" })
	if err != nil || cfg.PprofAddr != "" {
		t.Errorf("default pprof address %q (%v), want none", cfg.PprofAddr, err)
	}
}
