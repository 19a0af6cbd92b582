package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

func TestMetricsAfterAJourney(t *testing.T) {
	tm := newTeam(t, func(c *app.Config) { c.MetricsAddr = "127.0.0.1:0" })
	tm.awardedCase(t)
	body := string(Expect(t, tm.in.Get(t, "/metrics", tm.admin), 200).Body)
	for _, series := range []string{
		`accredit_http_requests_total{method="POST",route="/api/v1/cases/:id/decision",status="200"}`,
		`accredit_http_request_duration_seconds_bucket{method="GET",route="/api/v1/cases/:id"`,
		`accredit_commands_total{command="decide",outcome="accepted"}`,
		`accredit_events_appended_total`,
		`accredit_projection_position{read_model="cases"}`,
		`accredit_projection_lag{read_model="cases"}`,
		`accredit_jetstream_messages{stream="ACCREDIT_EVENTS"}`,
		`accredit_projection_decode_errors_total 0`,
		`accredit_session_cache_on `,
		`accredit_session_cache_hits_total `,
		`accredit_session_server_reads_total `,
		`go_goroutines`,
		`go_gc_duration_seconds_count `,
		`go_cpu_classes_gc_total_cpu_seconds_total `,
	} {
		if !strings.Contains(body, series) {
			t.Fatalf("/metrics lacks %s", series)
		}
	}
	// A refused command is counted as such.
	Expect(t, tm.in.Post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "english"}), 400)
	id := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}, 201)["id"].(string)
	Expect(t, tm.in.Post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared), 422)
	body = string(Expect(t, tm.in.Get(t, "/metrics", tm.admin), 200).Body)
	if !strings.Contains(body, `accredit_commands_total{command="submit",outcome="rejected"}`) {
		t.Fatal("a refused submission is not counted as rejected")
	}
	// Not for applicants on the main address; open on the metrics address.
	Expect(t, tm.in.Get(t, "/metrics", tm.applicant.Token), 403)
	resp, err := http.Get("http://" + tm.in.App.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "accredit_events_appended_total") {
		t.Fatalf("separate metrics address: %d", resp.StatusCode)
	}
}

func TestOneLogLinePerRequestWithoutSecrets(t *testing.T) {
	in := Start(t)
	tok := in.AdminToken(t)
	r := in.Do(t, Request{Method: "GET", Path: "/api/v1/me", Token: tok, Header: map[string]string{"X-Request-Id": "trace-me-123"}})
	if r.Header.Get("X-Request-Id") != "trace-me-123" {
		t.Fatalf("request id not honoured: %q", r.Header.Get("X-Request-Id"))
	}
	if gen := in.Get(t, "/healthz", "").Header.Get("X-Request-Id"); len(gen) < 16 {
		t.Fatalf("no request id generated: %q", gen)
	}
	logs := in.Log.String()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 3 { // login, me, healthz
		t.Fatalf("request log lines: got %d, want 3:\n%s", len(lines), logs)
	}
	me := lines[1]
	if me["request_id"] != "trace-me-123" || me["route"] != "/api/v1/me" || me["status"].(float64) != 200 || me["user_id"] == "" || me["duration_ms"] == nil {
		t.Fatalf("request line: %v", me)
	}
	for _, secret := range []string{AdminPassword, tok} {
		if strings.Contains(logs, secret) {
			t.Fatal("a password or token is in the log")
		}
	}
}

// The group commit's series are the store's own figures: on with the
// default fsync (always), and counting the batches concurrent commands make.
func TestGroupCommitMetrics(t *testing.T) {
	tm := newTeam(t)
	const writers = 24
	body := `{"scheme":"EIA","level":"practitioner","language":"en"}`
	var wg sync.WaitGroup
	statuses := make([]int, writers)
	for w := range writers {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, tm.in.URL+"/api/v1/cases", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tm.applicant.Token)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				statuses[w] = resp.StatusCode
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	for w, s := range statuses {
		if s != http.StatusCreated {
			t.Fatalf("case %d: status %d", w, s)
		}
	}
	metrics := string(Expect(t, tm.in.Get(t, "/metrics", tm.admin), 200).Body)
	f := tm.in.App.Events.GroupCommitFigures() // nothing writes meanwhile: the jobs are manual
	for _, want := range []string{
		"accredit_group_commit_on 1\n",
		"accredit_group_commit_batches_total " + strconv.FormatInt(f.Batches, 10) + "\n",
		"accredit_group_commit_batched_commits_total " + strconv.FormatInt(f.Batched, 10) + "\n",
		"accredit_group_commit_refused_batches_total " + strconv.FormatInt(f.Refused, 10) + "\n",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if !f.On || f.Batched < 2*f.Batches {
		t.Fatalf("figures %+v: want on, and at least two commits a batch", f)
	}
	t.Logf("%d concurrent commands: %+v", writers, f)

	// Off where the server does not fsync every write: batches would cost
	// more than they save there (README, group commit).
	lazy := newTeam(t, func(c *app.Config) { c.Sync = "1s" })
	if metrics := string(Expect(t, lazy.in.Get(t, "/metrics", lazy.admin), 200).Body); !strings.Contains(metrics, "accredit_group_commit_on 0\n") {
		t.Fatal("/metrics does not say the group commit is off with ACCREDIT_SYNC=1s")
	}
}
