package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clientTimeout is how long a client waits for an answer: longer is a hang.
const clientTimeout = 15 * time.Second

// Kinds of answers a client can see.
const (
	kindOK          = "ok"
	kind503         = "503+Retry-After"
	kind503NoRetry  = "503 without Retry-After"
	kind500         = "500"
	kindConn        = "connection error"
	kindHang        = "timeout (hang)"
	kindUnavailable = "'event store unavailable' for a healthy store"
)

// knownGaps are answers that must not happen but whose fix is open work in
// another branch: they are printed in the table and logged, not failed.
// Delete an entry when its fix lands, and the suite enforces it.
var knownGaps = map[string]string{}

// acked is one acknowledged command.
type acked struct {
	Case    string
	Version uint64
	Seq     uint64
	Marker  string
	At      time.Time
}

// ledger records what clients were told.
type ledger struct {
	mu     sync.Mutex
	acks   []acked
	kinds  map[string]int
	sample map[string]string // one example body per kind
}

func newLedger() *ledger { return &ledger{kinds: map[string]int{}, sample: map[string]string{}} }

func (l *ledger) ack(a acked) {
	l.mu.Lock()
	l.acks = append(l.acks, a)
	l.mu.Unlock()
}

func (l *ledger) saw(kind, example string) {
	l.mu.Lock()
	l.kinds[kind]++
	if _, ok := l.sample[kind]; !ok && example != "" {
		l.sample[kind] = example
	}
	l.mu.Unlock()
}

// unsee takes back one answer of kind that the caller handled as expected.
func (l *ledger) unsee(kind string) {
	l.mu.Lock()
	l.kinds[kind]--
	if l.kinds[kind] <= 0 {
		delete(l.kinds, kind)
		delete(l.sample, kind)
	}
	l.mu.Unlock()
}

// api is a small JSON client that classifies every answer in a ledger.
type api struct {
	base string
	http *http.Client
	l    *ledger
	// healthy says the store is up: a 503 "event store unavailable" is
	// then a fault of accreditd, not of the store.
	healthy atomic.Bool
}

func newAPI(base string, l *ledger) *api {
	return &api{base: base, l: l, http: &http.Client{Timeout: clientTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request and classifies the outcome. err is set when there
// was no HTTP answer.
func (c *api) do(method, path, token string, body any, header map[string]string) (answer, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			c.l.saw(kindHang, method+" "+path+": "+err.Error())
		} else {
			c.l.saw(kindConn, "")
		}
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.l.saw(kindConn, "")
		return answer{}, err
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: b}
	switch {
	case a.status < 400:
		c.l.saw(kindOK, "")
	case a.status == 503 && c.healthy.Load() && strings.Contains(string(b), "event store unavailable"):
		c.l.saw(kindUnavailable, method+" "+path+": "+string(b))
	case a.status == 503 && resp.Header.Get("Retry-After") != "":
		c.l.saw(kind503, "")
	case a.status == 503:
		c.l.saw(kind503NoRetry, method+" "+path+": "+string(b))
	case a.status >= 500:
		c.l.saw(strconv.Itoa(a.status), method+" "+path+": "+string(b))
	default:
		c.l.saw(strconv.Itoa(a.status), method+" "+path+": "+string(b))
	}
	return a, nil
}

// retrying is what a client following the retry contract does: on a
// connection error or a 503 it sends the same request (same Idempotency-Key)
// again after Retry-After or a short backoff, for at most limit.
func (c *api) retrying(ctx context.Context, limit time.Duration, method, path, token string, body any, header map[string]string) (answer, bool) {
	deadline := time.Now().Add(limit)
	for attempt := 0; time.Now().Before(deadline) && attempt < 500; attempt++ {
		a, err := c.do(method, path, token, body, header)
		if err == nil && a.status != 503 {
			return a, true
		}
		wait := 200 * time.Millisecond
		if err == nil {
			if s, _ := strconv.Atoi(a.header.Get("Retry-After")); s > 0 {
				wait = time.Duration(min(s, 2)) * time.Second // the server's hint, kept short for the test
			}
		}
		if ctx.Err() != nil && time.Now().Add(wait).After(deadline) {
			break
		}
		time.Sleep(wait)
	}
	return answer{}, false
}

func (a answer) json() map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(a.body, &m)
	return m
}

// worker is one applicant writing to their own case.
type worker struct {
	id     int
	token  string
	caseID string
}

// setupWorkers registers n applicants, logs them in and opens a case each.
func setupWorkers(t *testing.T, c *api, n int, prefix string) []*worker {
	t.Helper()
	var ws []*worker
	for i := range n {
		email := fmt.Sprintf("%s-%d@example.org", prefix, i)
		pw := "faults password " + email
		a, ok := c.retrying(context.Background(), time.Minute, "POST", "/api/v1/auth/register", "", map[string]string{"email": email, "password": pw, "name": "Worker " + strconv.Itoa(i)},
			map[string]string{"Idempotency-Key": "register-" + email})
		if !ok || a.status != 201 {
			t.Fatalf("register %s: %d %s", email, a.status, a.body)
		}
		a, ok = c.retrying(context.Background(), time.Minute, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": pw}, nil)
		if !ok || a.status != 200 {
			t.Fatalf("login %s: %d %s", email, a.status, a.body)
		}
		w := &worker{id: i, token: a.json()["token"].(string)}
		waitSession(t, c, w.token)
		a, ok = c.retrying(context.Background(), time.Minute, "POST", "/api/v1/cases", w.token, map[string]string{"scheme": "EIA", "level": "foundation", "language": "en"},
			map[string]string{"Idempotency-Key": "open-" + email})
		if !ok || a.status != 201 {
			t.Fatalf("open a case for %s: %d %s", email, a.status, a.body)
		}
		w.caseID = a.json()["id"].(string)
		ws = append(ws, w)
	}
	return ws
}

// runLoad makes each worker send self-assessment updates through its
// client, one after another, each retried with its Idempotency-Key until
// acknowledged, until ctx ends; pause is the wait between two commands.
// It returns when every worker has finished its last command.
func runLoad(ctx context.Context, clients func(w *worker) *api, ws []*worker, l *ledger, pause time.Duration) {
	var wg sync.WaitGroup
	var n atomic.Int64
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ctx.Err() == nil && k < 100000; k++ {
				c := clients(w)
				marker := fmt.Sprintf("op:%s-w%d-n%d;", w.caseID[len(w.caseID)-6:], w.id, k)
				body := map[string]any{"categories": []map[string]any{{"category": 1 + k%8, "statement": marker}}}
				a, ok := c.retrying(ctx, 60*time.Second, "PUT", "/api/v1/cases/"+w.caseID+"/self-assessment", w.token, body,
					map[string]string{"Idempotency-Key": marker})
				if ok && a.status == 200 {
					m := a.json()
					v, _ := m["version"].(float64)
					s, _ := m["seq"].(float64)
					l.ack(acked{Case: w.caseID, Version: uint64(v), Seq: uint64(s), Marker: marker, At: time.Now()})
					n.Add(1)
				}
				if pause > 0 {
					sleepOrDone(ctx, pause)
				}
			}
		}()
	}
	wg.Wait()
}

// auditRow is one line of the NDJSON audit export.
type auditRow struct {
	Seq     uint64          `json:"seq"`
	Index   int             `json:"index"`
	ID      string          `json:"id"`
	CaseID  string          `json:"case_id"`
	Type    string          `json:"type"`
	Version uint64          `json:"version"`
	Data    json.RawMessage `json:"data"`
}

// export reads the whole audit export of one process; it must say complete.
func export(t *testing.T, c *api, admin string) []auditRow {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/api/v1/audit", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Accept", "application/x-ndjson")
	hc := &http.Client{Timeout: 2 * time.Minute}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("audit export: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("audit export: %d %s", resp.StatusCode, b)
	}
	var rows []auditRow
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r auditRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit export line %q: %v", sc.Text(), err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("audit export: %v", err)
	}
	if resp.Trailer.Get("X-Accredit-Export-Complete") != "true" {
		t.Fatalf("audit export not complete: trailers %v after %d rows", resp.Trailer, len(rows))
	}
	return rows
}

func adminToken(t *testing.T, c *api) string {
	t.Helper()
	a, ok := c.retrying(context.Background(), time.Minute, "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword}, nil)
	if !ok || a.status != 200 {
		t.Fatalf("admin login: %d %s", a.status, a.body)
	}
	tok := a.json()["token"].(string)
	waitSession(t, c, tok)
	return tok
}

// waitSession waits until a new login's session is known on every read:
// on a cluster, a replica that has not got the session yet answers the
// read of it (a bug in the sessions' store, in the report of issue 10), so
// a token can be refused just after its login. Those 401s are not counted.
func waitSession(t *testing.T, c *api, token string) {
	t.Helper()
	for ok, try := 0, 0; ok < 3; try++ {
		if try == 100 {
			t.Fatal("a new session still refused after 100 tries")
		}
		a, err := c.do("GET", "/api/v1/me", token, nil, nil)
		switch {
		case err == nil && a.status == 200:
			ok++
		case err == nil && a.status == 401:
			c.l.unsee("401")
			ok = 0
			time.Sleep(50 * time.Millisecond)
		default:
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// result is what a scenario found.
type result struct {
	name        string
	acked       int
	found       int
	lost        []acked
	duplicated  []string
	intact      bool
	kinds       map[string]int
	samples     map[string]string
	recoveries  []time.Duration
	recoverNote string
}

// check exports the audit history from c, and checks every acknowledged
// command is there once, at its version and sequence, and that the chain
// verifies.
func check(t *testing.T, name string, c *api, l *ledger) *result {
	t.Helper()
	admin := adminToken(t, c)
	rows := export(t, c, admin)
	byMarker := map[string][]auditRow{}
	for _, r := range rows {
		if r.Type != "accreditation.self_assessment_updated" {
			continue
		}
		s := string(r.Data)
		for i := 0; i < len(s); {
			j := strings.Index(s[i:], "op:")
			if j < 0 {
				break
			}
			k := strings.IndexByte(s[i+j:], ';')
			if k < 0 {
				break
			}
			m := s[i+j : i+j+k+1]
			byMarker[m] = append(byMarker[m], r)
			i += j + k + 1
		}
	}
	a, ok := c.retrying(context.Background(), 2*time.Minute, "GET", "/api/v1/audit/verify", admin, nil, nil)
	if !ok || a.status != 200 {
		t.Fatalf("audit verify: %d %s", a.status, a.body)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	res := &result{name: name, acked: len(l.acks), kinds: map[string]int{}, samples: map[string]string{}}
	res.intact = a.json()["intact"] == true
	for k, v := range l.kinds {
		res.kinds[k] = v
	}
	for k, v := range l.sample {
		res.samples[k] = v
	}
	for _, a := range l.acks {
		got := byMarker[a.Marker]
		if len(got) == 0 || got[0].CaseID != a.Case || got[0].Version != a.Version || got[0].Seq != a.Seq {
			res.lost = append(res.lost, a)
			continue
		}
		res.found++
	}
	for m, rs := range byMarker {
		if len(rs) > 1 {
			res.duplicated = append(res.duplicated, m)
		}
	}
	sort.Strings(res.duplicated)
	return res
}

// report prints the table and fails the test on what must never happen.
func (r *result) report(t *testing.T, allowUnavailableBody bool) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "\n=== faults: %s\n", r.name)
	fmt.Fprintf(&b, "  %-34s %d\n", "acknowledged", r.acked)
	fmt.Fprintf(&b, "  %-34s %d\n", "found", r.found)
	fmt.Fprintf(&b, "  %-34s %d\n", "lost", len(r.lost))
	fmt.Fprintf(&b, "  %-34s %d\n", "duplicated", len(r.duplicated))
	fmt.Fprintf(&b, "  %-34s %v\n", "audit chain intact", r.intact)
	kinds := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-34s %d\n", "client answers: "+k, r.kinds[k])
	}
	for i, d := range r.recoveries {
		fmt.Fprintf(&b, "  %-34s %.1f s\n", fmt.Sprintf("time to recover #%d", i+1), d.Seconds())
	}
	if n := startRestarts.Swap(0); n > 0 {
		fmt.Fprintf(&b, "  %-34s %d\n", "start-up exits (restarted)", n)
	}
	if r.recoverNote != "" {
		fmt.Fprintf(&b, "  %-34s %s\n", "recovery", r.recoverNote)
	}
	fmt.Fprint(os.Stdout, b.String())
	if len(r.lost) > 0 {
		t.Errorf("%d acknowledged commands lost, e.g. %+v", len(r.lost), r.lost[0])
	}
	if len(r.duplicated) > 0 {
		t.Errorf("%d commands applied twice, e.g. %s", len(r.duplicated), r.duplicated[0])
	}
	if !r.intact {
		t.Error("the audit chain does not verify")
	}
	if r.acked == 0 {
		t.Error("no command was acknowledged: the load did not run")
	}
	for _, k := range kinds {
		if why, ok := knownGaps[k]; ok {
			t.Logf("KNOWN GAP, not failed: %d × %s (%s), e.g. %s", r.kinds[k], k, why, clip(r.samples[k], 300))
			continue
		}
		switch k {
		case kindOK, kind503, kindConn:
		case kindUnavailable:
			if !allowUnavailableBody {
				t.Errorf("%d × %s, e.g. %s", r.kinds[k], k, r.samples[k])
			}
		default:
			t.Errorf("clients saw %d × %s, e.g. %s", r.kinds[k], k, clip(r.samples[k], 300))
		}
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// longestGap is the longest time after from (and before to) during which no
// command was acknowledged: how long clients were held up.
func (l *ledger) longestGap(from, to time.Time) time.Duration {
	l.mu.Lock()
	var ts []time.Time
	for _, a := range l.acks {
		if a.At.After(from) && a.At.Before(to) {
			ts = append(ts, a.At)
		}
	}
	l.mu.Unlock()
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	prev, gap := from, time.Duration(0)
	for _, t := range ts {
		gap = max(gap, t.Sub(prev))
		prev = t
	}
	return max(gap, to.Sub(prev))
}

// firstAckAfter is when the first command sent after t was acknowledged,
// measured from t; -1 if none was.
func (l *ledger) firstAckAfter(t time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	best := time.Duration(-1)
	for _, a := range l.acks {
		if a.At.After(t) && (best < 0 || a.At.Sub(t) < best) {
			best = a.At.Sub(t)
		}
	}
	return best
}
