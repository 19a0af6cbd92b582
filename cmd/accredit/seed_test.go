package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	neturl "net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/emcc/accredit/cmd/accreditd/app"
	"github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/natsstore"
)

// TestSeedThenStartGivesEveryStateAndLogins: accredit seed fills a new
// data directory with 200 cases, refuses to do it twice, and accreditd
// started on it serves read models with cases in every state, the
// register, logins of the seeded office, assessor and applicant, and the
// evidence files.
func TestSeedThenStartGivesEveryStateAndLogins(t *testing.T) {
	dir := t.TempDir()
	const pw = "seeded demo password 7"
	h := &harness{t: t, env: map[string]string{"HOME": t.TempDir()}}
	r := h.must(0, "", "seed", "--data-dir", dir, "--cases", "200", "--users", "250", "--seed", "7", "--password", pw, "--output", "json")
	var out struct {
		Summary struct {
			Cases     int            `json:"cases"`
			States    map[string]int `json:"states"`
			Office    string         `json:"office_email"`
			Assessor  string         `json:"assessor_email"`
			Applicant string         `json:"applicant_email"`
		} `json:"summary"`
		PasswordHash string `json:"password_hash"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("seed output: %v\n%s", err, r.stdout)
	}
	if out.Summary.Cases != 200 || out.PasswordHash == "" {
		t.Fatalf("seed summary: %s", r.stdout)
	}
	r = h.must(exitFailed, "", "seed", "--data-dir", dir, "--cases", "10", "--users", "50")
	contains(t, "a second seed", r.stderr, "refused", "already holds", "Nothing was changed")

	cfg := apptest.Config(dir)
	cfg.AdminEmail, cfg.AdminPassword = "", "" // the seeded office is the office
	in := apptest.StartWith(t, cfg, app.Options{})
	office := in.Login(t, out.Summary.Office, pw)
	// The read models caught up before the start ended; the search index
	// (the office's list of cases below) builds after it.
	caughtUp(t, in, office)
	stats := apptest.Expect(t, in.Get(t, "/api/v1/stats", office), 200)
	var st struct {
		Stats struct {
			Total   int            `json:"total"`
			ByState map[string]int `json:"by_state"`
		} `json:"stats"`
	}
	stats.JSON(t, &st)
	if st.Stats.Total != 200 {
		t.Fatalf("stats count %d cases, seeded 200", st.Stats.Total)
	}
	for _, s := range accreditation.States {
		// The shipped rules set no fee: no seeded case awaits payment.
		seeded := s != accreditation.StateAwaitingPayment
		if (st.Stats.ByState[string(s)] == 0) == seeded || st.Stats.ByState[string(s)] != out.Summary.States[string(s)] {
			t.Errorf("state %s: %d in the read model, %d seeded", s, st.Stats.ByState[string(s)], out.Summary.States[string(s)])
		}
	}
	var queue struct {
		Cases []struct {
			State string `json:"state"`
		} `json:"cases"`
	}
	apptest.Expect(t, in.Get(t, "/api/v1/queue", office), 200).JSON(t, &queue)
	inProgress := 0
	for _, s := range []accreditation.State{accreditation.StateSubmitted, accreditation.StateAwaitingAssessment, accreditation.StateInAssessment,
		accreditation.StateInformationRequested, accreditation.StateModeration, accreditation.StateAwaitingDecision, accreditation.StateAppealed} {
		inProgress += out.Summary.States[string(s)]
	}
	if len(queue.Cases) == 0 || len(queue.Cases) > inProgress {
		t.Fatalf("office queue has %d cases; %d are in progress", len(queue.Cases), inProgress)
	}
	var reg struct {
		Accreditations []struct {
			ID string `json:"accreditation_id"`
		} `json:"accreditations"`
	}
	apptest.Expect(t, in.Get(t, "/api/v1/register", ""), 200).JSON(t, &reg)
	if len(reg.Accreditations) == 0 {
		t.Fatal("the register is empty")
	}
	if v := apptest.Expect(t, in.Get(t, "/api/v1/register/"+reg.Accreditations[0].ID, ""), 200).Map(t); v["valid"] != true {
		t.Fatalf("a seeded accreditation is not valid: %v", v)
	}
	assessor := in.Login(t, out.Summary.Assessor, pw)
	apptest.Expect(t, in.Get(t, "/api/v1/queue", assessor), 200)
	applicant := in.Login(t, out.Summary.Applicant, pw)
	var mine struct {
		Cases []any `json:"cases"`
	}
	apptest.Expect(t, in.Get(t, "/api/v1/me/cases", applicant), 200).JSON(t, &mine)
	if len(mine.Cases) == 0 {
		t.Fatalf("the seeded applicant %s has no case", out.Summary.Applicant)
	}
	// Every evidence link opens: the file is stored, as described.
	var page struct {
		Cases []struct {
			ID string `json:"case_id"`
		} `json:"cases"`
	}
	apptest.Expect(t, in.Get(t, "/api/v1/cases?limit=20", office), 200).JSON(t, &page)
	files := 0
	for _, c := range page.Cases {
		var cv struct {
			Evidence []struct {
				ID     string `json:"id"`
				Size   int    `json:"size"`
				SHA256 string `json:"sha256"`
			} `json:"evidence"`
		}
		apptest.Expect(t, in.Get(t, "/api/v1/cases/"+c.ID, office), 200).JSON(t, &cv)
		for _, ev := range cv.Evidence {
			f := apptest.Expect(t, in.Get(t, "/api/v1/cases/"+c.ID+"/evidence/"+ev.ID+"/file", office), 200)
			sum := sha256.Sum256(f.Body)
			if !bytes.HasPrefix(f.Body, []byte("%PDF-")) || len(f.Body) != ev.Size || hex.EncodeToString(sum[:]) != ev.SHA256 {
				t.Fatalf("case %s, evidence %s: %d bytes starting %q, recorded %d bytes", c.ID, ev.ID, len(f.Body), f.Body[:min(len(f.Body), 8)], ev.Size)
			}
			files++
		}
	}
	if files == 0 {
		t.Fatalf("no evidence in the first %d cases", len(page.Cases))
	}
	rep := apptest.Expect(t, in.Get(t, "/api/v1/audit/verify", office), 200).Map(t)
	if rep["intact"] != true {
		t.Fatalf("audit of the seeded store: %v", rep)
	}
}

// startCluster3 starts a 3-node JetStream cluster on loopback; it returns a
// client URL.
func startCluster3(t *testing.T) string {
	t.Helper()
	ports := make([]int, 3)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	var urls []string
	for i := range 3 {
		o := &server.Options{ServerName: fmt.Sprintf("n%d", i), Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true}
		o.Cluster.Name, o.Cluster.Host, o.Cluster.Port = "c", "127.0.0.1", ports[i]
		for j, p := range ports {
			if j != i {
				o.Routes = append(o.Routes, &neturl.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", p)})
			}
		}
		s, err := server.NewServer(o)
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		t.Cleanup(s.Shutdown)
		if !s.ReadyForConnections(20 * time.Second) {
			t.Fatal("not ready")
		}
		urls = append(urls, s.ClientURL())
	}
	return strings.Join(urls, ",")
}

// TestARefusedSeedChangesNothing: accredit seed --nats-url against a
// cluster whose store holds events (R3, as accreditd with
// ACCREDIT_REPLICAS=3 makes it) refuses, saying "Nothing was changed", and
// the event stream is still R3: the refusal is decided before the store is
// opened (which creates or updates the streams).
func TestARefusedSeedChangesNothing(t *testing.T) {
	url := startCluster3(t)
	ctx := context.Background()
	var conn *natsstore.Conn
	var es *natsstore.EventStore
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if conn, err = natsstore.Dial(url, natsstore.DialOptions{Timeout: 5 * time.Second}); err == nil {
			if es, err = conn.OpenEventStore(ctx, natsstore.Config{Replicas: 3}); err == nil {
				break
			}
			conn.Close(time.Second)
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer conn.Close(time.Second)
	js := es.JetStream()
	if _, err := js.Publish(ctx, "accredit.ev.user.x", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	replicas := func(name string) int {
		t.Helper()
		st, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.Config.Replicas
	}
	h := &harness{t: t, env: map[string]string{"HOME": t.TempDir()}}
	key := filepath.Join(t.TempDir(), "m.key")
	r := h.must(exitFailed, "", "seed", "--nats-url", url, "--master-key-file", key, "--cases", "1", "--users", "50")
	contains(t, "refused seed", r.stderr, "refused", "Nothing was changed")
	if n := replicas(natsstore.EventsStream); n != 3 {
		t.Fatalf("after a refused seed ACCREDIT_EVENTS has %d replicas, was 3", n)
	}
	if _, found, err := conn.LookupStream(ctx, "KV_"+natsstore.KeysBucket); err != nil || found {
		t.Errorf("after a refused seed the keys bucket: found %v, err %v; want none made", found, err)
	}
}

// TestSeedIntoANewClusterTakesReplicas: seed --replicas 3 into a new
// 3-node cluster makes the event stream and the keys bucket R3 (as
// accreditd with ACCREDIT_REPLICAS=3 would), and a second seed, refused,
// leaves them so.
func TestSeedIntoANewClusterTakesReplicas(t *testing.T) {
	url := startCluster3(t)
	h := &harness{t: t, env: map[string]string{"HOME": t.TempDir()}}
	key := filepath.Join(t.TempDir(), "m.key")
	args := []string{"seed", "--nats-url", url, "--master-key-file", key, "--cases", "0", "--users", "50", "--files=false"}
	if r := h.run("", append(args, "--replicas", "3")...); r.code != 0 {
		t.Fatalf("seed --replicas 3 into a new cluster:\n%s\n%s", r, r.stderr)
	}
	h.must(exitFailed, "", args...)
	conn, err := natsstore.Dial(url, natsstore.DialOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(time.Second)
	for _, name := range []string{natsstore.EventsStream, "KV_" + natsstore.KeysBucket} {
		st, found, err := conn.LookupStream(context.Background(), name)
		if err != nil || !found || st.Replicas != 3 {
			t.Errorf("%s after seed --replicas 3: %+v, found %v, err %v; want 3 replicas", name, st, found, err)
		}
	}
}
