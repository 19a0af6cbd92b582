package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/pii"
)

// fresh starts an empty JetStream server on a loopback port: a fresh
// cluster of one, which several accreditd share.
func fresh(t *testing.T) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(30 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	return s.ClientURL()
}

// startTogether starts n accreditd on url at the same moment, sharing one
// pair of keys (as replicas do), and returns them once all have started.
func startTogether(t *testing.T, url string, n int, admin func(*app.Config)) ([]*app.App, []*bytes.Buffer) {
	t.Helper()
	keys := t.TempDir()
	master, signing := filepath.Join(keys, "master.key"), filepath.Join(keys, "audit.pem")
	if _, err := pii.LoadOrCreateKeyFile(master); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.LoadOrCreateSigner(signing); err != nil {
		t.Fatal(err)
	}
	apps := make([]*app.App, n)
	outs := make([]*bytes.Buffer, n)
	errs := make([]error, n)
	logs := make([]*apptest.LockedBuffer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		cfg := apptest.Config(t.TempDir())
		cfg.NATSURL = url
		cfg.MasterKeyFile, cfg.SigningKeyFile = master, signing
		admin(&cfg)
		logs[i], outs[i] = &apptest.LockedBuffer{}, &bytes.Buffer{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			apps[i], errs[i] = app.Start(context.Background(), cfg, app.Options{Log: slog.New(slog.NewTextHandler(logs[i], nil)), AdminPasswordOut: outs[i]})
		}()
	}
	close(start)
	wg.Wait()
	for i, a := range apps {
		if a != nil {
			t.Cleanup(func() { _ = a.Close() })
		}
		if errs[i] != nil {
			t.Errorf("process %d of %d: start: %v\nlogs:\n%s", i, n, errs[i], logs[i])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return apps, outs
}

// offices lists, as process a sees it once caught up, the office users.
func offices(t *testing.T, a *app.App) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Feed.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range usersOf(t, a) {
		if u.Role == domain.RoleOffice {
			out = append(out, u.Email)
		}
	}
	return out
}

// TestProcessesStartingTogetherCreateOneOfficeUser starts three accreditd
// at the same moment on one fresh JetStream: all come up (streams and
// buckets created concurrently), and the first office user exists once,
// whether it is configured or generated.
func TestProcessesStartingTogetherCreateOneOfficeUser(t *testing.T) {
	t.Run("configured admin", func(t *testing.T) {
		apps, _ := startTogether(t, fresh(t), 3, func(*app.Config) {})
		for i, a := range apps {
			if got := offices(t, a); len(got) != 1 || got[0] != apptest.AdminEmail {
				t.Errorf("process %d: office users got %v, want exactly [%s]", i, got, apptest.AdminEmail)
			}
		}
	})
	t.Run("generated admin", func(t *testing.T) {
		apps, outs := startTogether(t, fresh(t), 3, func(c *app.Config) { c.AdminEmail, c.AdminPassword = "", "" })
		var generated []string
		for i, a := range apps {
			if got := offices(t, a); len(got) != 1 || got[0] != "admin@localhost" {
				t.Errorf("process %d: office users got %v, want exactly [admin@localhost]", i, got)
			}
			if p := strings.TrimSpace(outs[i].String()); p != "" {
				generated = append(generated, p)
			}
		}
		// One process created it and wrote its password; that password logs in.
		if len(generated) != 1 {
			t.Fatalf("processes that report a generated password: got %d, want 1", len(generated))
		}
		in := &apptest.Instance{App: apps[0], URL: "http://" + apps[0].Addr()}
		in.Login(t, "admin@localhost", generated[0])
	})
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }

// usersOf lists every user of a's directory.
func usersOf(t *testing.T, a *app.App) []accounts.UserView {
	t.Helper()
	users, err := a.Accounts.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return users
}
