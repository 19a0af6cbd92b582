package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/eventstore"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// twoProcesses starts a team's accreditd, serving NATS on a port of its
// own, and a second accreditd on that NATS with the same keys, as on a
// cluster; each of mutate changes both configurations.
func twoProcesses(t *testing.T, mutate ...func(*app.Config)) (*team, *Instance) {
	t.Helper()
	natsAddr := freeAddr(t)
	tm := newTeam(t, append([]func(*app.Config){func(c *app.Config) { c.NATSListen = natsAddr }}, mutate...)...)
	cfg2 := Config(t.TempDir())
	for _, m := range mutate {
		m(&cfg2)
	}
	cfg2.NATSURL = "nats://" + natsAddr
	cfg2.MasterKeyFile, cfg2.SigningKeyFile = tm.in.Cfg.MasterKeyFile, tm.in.Cfg.SigningKeyFile
	return tm, StartWith(t, cfg2, app.Options{Now: tm.clock.Now})
}

// TestTwoProcessesOnOneNATS runs two accreditd on one JetStream (the second
// through the first's client port, as on a cluster): a write on one is read
// on the other, concurrent commands on the same case lose nothing, and the
// expiry job, run by both at once, expires the accreditation once.
func TestTwoProcessesOnOneNATS(t *testing.T) {
	tm, second := twoProcesses(t)

	id, accID := tm.awardedCase(t)
	// Read on the second what the first wrote (sessions are shared too).
	c := Expect(t, second.Get(t, "/api/v1/cases/"+id, tm.applicant.Token), 200).Map(t)
	if c["state"] != "awarded" {
		t.Fatalf("second process sees state %v", c["state"])
	}
	// awardedCase waited for the first process's read side; the second's
	// follows the store on its own.
	entry := fmt.Sprintf("/api/v1/register/%s?min_seq=%d", accID, lastSeq(t, tm.in))
	reg := Expect(t, Retry(t, func(map[string]string) Response { return second.Get(t, entry, "") }), 200).Map(t)
	if reg["valid"] != true {
		t.Fatalf("second process's register: %v", reg)
	}

	// Both processes write to one case at once: every write lands, versions
	// stay a line.
	other := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}, 201)["id"].(string)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := []*Instance{tm.in, second}[i%2]
			body := map[string]any{"categories": []map[string]any{{"category": 1 + i%8, "statement": "statement " + strings.Repeat("x", i)}}}
			Expect(t, in.Put(t, "/api/v1/cases/"+other+"/self-assessment", tm.applicant.Token, body), 200)
		}()
	}
	wg.Wait()
	h := Expect(t, tm.in.Get(t, "/api/v1/cases/"+other+"/history", tm.admin), 200).Map(t)["events"].([]any)
	if len(h) != 11 {
		t.Fatalf("history after 10 concurrent writes on two processes: %d events, want 11", len(h))
	}
	for i, e := range h {
		if v := e.(map[string]any)["version"].(float64); v != float64(i+1) {
			t.Fatalf("event %d has version %v", i, v)
		}
	}

	// A logout on the first process: the second, which has been answering
	// that token (its sessions are cached while it watches the bucket), is
	// told by its watch and refuses it too, well within a cached session's
	// 30 s.
	for range 3 {
		Expect(t, second.Get(t, "/api/v1/me", tm.applicant.Token), 200)
	}
	Expect(t, tm.in.Post(t, "/api/v1/auth/logout", tm.applicant.Token, nil), 204)
	Expect(t, tm.in.Get(t, "/api/v1/me", tm.applicant.Token), 401)
	for deadline := time.Now().Add(20 * time.Second); second.Get(t, "/api/v1/me", tm.applicant.Token).Status != 401; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a token logged out on the first process still works on the second after 20 s")
		}
	}

	// The expiry job, run by both at once after the date: one expiry.
	tm.setClock(t, tm.clock.Now().AddDate(5, 0, 1))
	var n1, n2 int
	var e1, e2 error
	wg.Add(2)
	go func() { defer wg.Done(); n1, e1 = tm.in.App.RunExpiry(context.Background()) }()
	go func() { defer wg.Done(); n2, e2 = second.App.RunExpiry(context.Background()) }()
	wg.Wait()
	if e1 != nil || e2 != nil {
		t.Fatalf("expiry: %v, %v", e1, e2)
	}
	if n1+n2 != 1 {
		t.Fatalf("expired %d + %d times, want once", n1, n2)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		hist := Expect(t, second.Get(t, "/api/v1/audit?type=accreditation.accreditation_expired", tm.in.AdminToken(t)), 200).Map(t)["events"].([]any)
		if len(hist) == 1 {
			break
		}
		if time.Now().After(deadline) || len(hist) > 1 {
			t.Fatalf("expired events: %d, want 1", len(hist))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A process started with another audit signing key than the one the
// store's checkpoints are signed with (here the default, a key of its own
// made in its data directory) would sign checkpoints every other
// process's audit reports as not verifying: it refuses to start, naming
// both keys and the setting, and the first process's audit stays intact.
func TestAProcessWithAnotherSigningKeyRefusesToStart(t *testing.T) {
	natsAddr := freeAddr(t)
	tm := newTeam(t, func(c *app.Config) { c.NATSListen = natsAddr })
	cp := tm.post(t, "/api/v1/audit/checkpoints", tm.admin, nil, 201)
	t.Logf("checkpoint %v", cp)
	cfg2 := Config(t.TempDir()) // its own signing key
	cfg2.NATSURL = "nats://" + natsAddr
	cfg2.MasterKeyFile = tm.in.Cfg.MasterKeyFile
	second, err := app.Start(context.Background(), cfg2, app.Options{Now: tm.clock.Now, ManualJobs: true, Log: slog.New(slog.DiscardHandler)})
	if err == nil {
		second.Close()
		t.Fatal("a process with another signing key started")
	}
	for _, want := range []string{"ACCREDIT_SIGNING_KEY_FILE", cfg2.SigningKeyFile, keyIDOf(t, tm.in.Cfg.SigningKeyFile), keyIDOf(t, cfg2.SigningKeyFile)} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("the refusal does not name %q: %v", want, err)
		}
	}
	if rep := Expect(t, tm.in.Get(t, "/api/v1/audit/verify", tm.admin), 200).Map(t); rep["intact"] != true {
		t.Fatalf("the first process's audit: intact=%v checkpoints=%v", rep["intact"], rep["checkpoints"])
	}
	// With the shared key it starts.
	cfg2.SigningKeyFile = tm.in.Cfg.SigningKeyFile
	StartWith(t, cfg2, app.Options{Now: tm.clock.Now})
}

// keyIDOf is the key id of the signing key in file.
func keyIDOf(t *testing.T, file string) string {
	t.Helper()
	s, err := audit.LoadOrCreateSigner(file)
	if err != nil {
		t.Fatal(err)
	}
	return audit.KeyID(s.Public())
}

// An erasure recorded on one process whose key is deleted only later (the
// process stopped between the two, and the retention job finished it), while
// another process read the person's data in between: that process must not
// keep the key it read then, or it would show their data in clear for as
// long as it runs.
func TestAnotherProcessForgetsTheKeyOfAnErasureFinishedLater(t *testing.T) {
	tm, second := twoProcesses(t)
	id := tm.openEIA(t)
	const statement = "How I work on category 3"

	// The first of Erase's writes, the event, as it records it; the process
	// stops before deleting the key.
	ctx := context.Background()
	stream := accounts.UserPrefix + "." + tm.applicant.ID
	head, err := tm.in.App.Events.Head(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tm.in.App.Events.Append(ctx, eventstore.AppendRequest{Stream: stream, Expected: head, Events: []eventstore.Event{{
		ID: ulid.Make().String(), Type: accounts.EventUserErased, SchemaVersion: 1, OccurredAt: tm.clock.Now(),
		Actor: domain.System, Data: json.RawMessage(`{"user_id":"` + tm.applicant.ID + `","ground":"data_subject_request"}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.App.Feed.WaitFor(ctx, res.Head.Seq); err != nil {
		t.Fatal(err)
	}
	admin2 := second.AdminToken(t)
	// The second process reads the case meanwhile: the key is still there.
	if body := string(Expect(t, second.Get(t, "/api/v1/cases/"+id, admin2), 200).Body); !strings.Contains(body, statement) {
		t.Fatal("the case does not show its statement before the key is deleted: the test proves nothing")
	}

	// The retention job finishes the erasure (on the first process).
	if _, err := tm.in.App.RunRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if !erasureDone(tm.in, tm.applicant.ID) {
		t.Fatal("the erasure is not recorded as completed")
	}
	if err := second.App.Feed.WaitFor(ctx, lastSeq(t, tm.in)); err != nil {
		t.Fatal(err)
	}
	if body := string(Expect(t, second.Get(t, "/api/v1/cases/"+id, admin2), 200).Body); strings.Contains(body, statement) {
		t.Fatal("the second process still shows the erased applicant's statement in clear: it kept the key it read before its deletion")
	}
}
