package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/eventstore"
)

// startHeldReads starts accreditd with read-your-writes bounded by wait (0:
// the test instances' bound) and its read models following the store
// through a gate the test can hold.
func startHeldReads(t *testing.T, wait time.Duration) (*Instance, *Gate) {
	t.Helper()
	cfg := Config(t.TempDir())
	if wait > 0 {
		cfg.ReadWait = wait
	}
	var gate *Gate
	in := StartWith(t, cfg, app.Options{ReadStore: func(s eventstore.Store) eventstore.Store {
		gate = NewGate(s)
		return gate
	}})
	t.Cleanup(gate.Release) // first: a held read side would keep the stop waiting
	return in, gate
}

// rawAnswer is an answer read without the test client, which may not fail
// a test from another goroutine.
type rawAnswer struct {
	status int
	header http.Header
	body   string
	err    error
}

// getWithin sends GET path, giving up after timeout.
func getWithin(in *Instance, path, token string, timeout time.Duration) rawAnswer {
	req, err := http.NewRequest(http.MethodGet, in.URL+path, nil)
	if err != nil {
		return rawAnswer{err: err}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return rawAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: string(b), err: err}
}

// newUser makes an applicant through the office and returns the command's
// seq.
func newUser(t *testing.T, in *Instance, admin, email string) string {
	t.Helper()
	r := Expect(t, in.Post(t, "/api/v1/users", admin, map[string]string{"email": email,
		"name": "Late Comer", "role": "applicant", "password": "a password of the late comer"}), 201)
	seq := r.Header.Get("X-Accredit-Seq")
	if seq == "" {
		t.Fatalf("no X-Accredit-Seq on the command's answer: %v", r.Header)
	}
	return seq
}

// A read given min_seq waits as long as ACCREDIT_READ_WAIT says: on a busy
// machine the read side may be more than the old 2 s behind, and a read
// that waits is answered where one that gave up at 2 s was refused.
func TestAMinSeqWaitsAsLongAsTheReadWaitSays(t *testing.T) {
	in, gate := startHeldReads(t, app.MaxReadWait)
	admin := in.AdminToken(t)
	gate.Hold()
	seq := newUser(t, in, admin, "late@example.org")
	answered := make(chan rawAnswer, 1)
	go func() { answered <- getWithin(in, "/api/v1/register?limit=1&min_seq="+seq, "", 2*app.MaxReadWait) }()
	select {
	case a := <-answered:
		t.Fatalf("the read side held, a read waiting for seq %s was answered within 3 s: %d %s (err %v), want it still waiting (the bound is %s)",
			seq, a.status, a.body, a.err, app.MaxReadWait)
	case <-time.After(3 * time.Second):
	}
	gate.Release()
	if a := <-answered; a.err != nil || a.status != http.StatusOK {
		t.Fatalf("the read side released, the read waiting for seq %s: got %d %s (err %v), want 200", seq, a.status, a.body, a.err)
	}
}

// Past ACCREDIT_READ_WAIT a read given min_seq is 503 with Retry-After,
// saying how far the read models are.
func TestAMinSeqTheReadSideDoesNotReachInTheReadWaitIs503(t *testing.T) {
	in, gate := startHeldReads(t, 200*time.Millisecond)
	admin := in.AdminToken(t)
	gate.Hold()
	seq := newUser(t, in, admin, "late@example.org")
	r := Expect(t, in.Get(t, "/api/v1/register?limit=1&min_seq="+seq, ""), http.StatusServiceUnavailable)
	if r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "not yet at "+seq) {
		t.Fatalf("503 with the read side held: Retry-After %q, body %s; want Retry-After and how far the read models are", r.Header.Get("Retry-After"), r.Body)
	}
	gate.Release()
	Expect(t, Retry(t, func(map[string]string) Response { return in.Get(t, "/api/v1/register?limit=1&min_seq="+seq, "") }), 200)
}

// A min_seq past the store's last position, which no command returned, is
// refused at once, not after the wait (which would end in the same 400):
// the read models' lists and the search index alike.
func TestAMinSeqPastTheStoresEndIsRefusedAtOnce(t *testing.T) {
	in, _ := startHeldReads(t, app.MaxReadWait)
	admin := in.AdminToken(t)
	last, err := in.App.Events.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	past := strconv.FormatUint(last+1000, 10)
	for _, path := range []string{"/api/v1/register?min_seq=" + past, "/api/v1/audit?min_seq=" + past, "/api/v1/cases?q=carla&min_seq=" + past} {
		// Well inside the wait (a minute), however busy the machine.
		a := getWithin(in, path, admin, app.MaxReadWait/3)
		if a.err != nil {
			t.Fatalf("%s: %v; want 400 at once", path, a.err)
		}
		var p struct {
			Errors []struct{ Field, Reason string }
		}
		_ = json.Unmarshal([]byte(a.body), &p)
		if a.status != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "min_seq" ||
			!strings.Contains(p.Errors[0].Reason, fmt.Sprintf("past the store's last position, %d", last)) {
			t.Fatalf("%s: got %d %s, want 400 naming min_seq past the store's last position", path, a.status, a.body)
		}
	}
}

// A test instance waits TestReadWait (30 s) for its read side: a test that
// reads right after a command, on a machine busy enough that the read side
// is seconds behind, waits instead of failing on a 503.
func TestATestInstanceWaitsForASlowReadSide(t *testing.T) {
	in, gate := startHeldReads(t, 0)
	if in.Cfg.ReadWait != TestReadWait {
		t.Fatalf("a test instance's read wait: got %s, want %s", in.Cfg.ReadWait, TestReadWait)
	}
	admin := in.AdminToken(t)
	gate.Hold()
	seq := newUser(t, in, admin, "late@example.org")
	answered := make(chan rawAnswer, 1)
	go func() { answered <- getWithin(in, "/api/v1/register?limit=1&min_seq="+seq, "", 2*TestReadWait) }()
	select {
	case a := <-answered:
		t.Fatalf("the read side held 5 s, a read waiting for seq %s was answered: %d %s (err %v), want it still waiting", seq, a.status, a.body, a.err)
	case <-time.After(5 * time.Second):
	}
	gate.Release()
	if a := <-answered; a.err != nil || a.status != http.StatusOK {
		t.Fatalf("the read side released, the read waiting for seq %s: got %d %s (err %v), want 200", seq, a.status, a.body, a.err)
	}
}
