package api_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
)

// consumers counts the consumers on the events stream.
func consumers(t *testing.T, in *Instance) int { return natstest.Consumers(t, in.App.Events) }

func TestHistoryReadsLeaveNoConsumerBehind(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	// A history, an audit export and a verify first, so whatever they keep
	// for good (the feeds' own consumers) is in the baseline.
	hist := tm.get(t, "/api/v1/cases/"+id+"/history", tm.applicant.Token)["events"].([]any)
	if len(hist) < 2 {
		t.Fatalf("history of a submitted case: %v", hist)
	}
	baseline := consumers(t, tm.in)

	const reads, workers = 5000, 8
	var next, bad atomic.Int64
	var firstBad atomic.Value
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= reads {
				req, _ := http.NewRequest(http.MethodGet, tm.in.URL+"/api/v1/cases/"+id+"/history", nil)
				req.Header.Set("Authorization", "Bearer "+tm.applicant.Token)
				resp, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, err.Error())
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, resp.Status)
				}
			}
		}()
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d of %d history reads failed, first: %v", n, reads, firstBad.Load())
	}
	if got := consumers(t, tm.in); got > baseline {
		t.Fatalf("consumers after %d history reads: got %d, want at most the baseline %d", reads, got, baseline)
	}

	// The audit export and verify still work, and leave nothing behind either.
	all := tm.get(t, "/api/v1/audit?limit=1000", tm.admin)["events"].([]any)
	nd := Expect(t, tm.in.Do(t, Request{Method: "GET", Path: "/api/v1/audit", Token: tm.admin, Header: map[string]string{"Accept": "application/x-ndjson"}}), 200)
	if lines := strings.Count(string(nd.Body), "\n"); nd.Trailer.Get("X-Accredit-Export-Complete") != "true" || lines != len(all) || nd.Trailer.Get("X-Accredit-Rows") != fmt.Sprint(len(all)) {
		t.Fatalf("export: %d lines, trailers %v; want complete with %d rows", lines, nd.Trailer, len(all))
	}
	if v := tm.get(t, "/api/v1/audit/verify", tm.admin); v["intact"] != true {
		t.Fatalf("verify: %v", v)
	}
	if got := consumers(t, tm.in); got > baseline {
		t.Fatalf("consumers after export and verify: got %d, want at most %d", got, baseline)
	}
}

// failingStore makes Read fail, at once or after some commits.
type failingStore struct {
	eventstore.Store
	after atomic.Int64 // -1: never fail; n: fail after n commits
}

var errInjected = errors.New("injected store failure")

func (f *failingStore) Read(ctx context.Context, from, to uint64, fn func(eventstore.Commit) error) error {
	n := f.after.Load()
	if n == 0 {
		return errInjected
	}
	seen := int64(0)
	return f.Store.Read(ctx, from, to, func(c eventstore.Commit) error {
		if n > 0 && seen >= n {
			return errInjected
		}
		seen++
		return fn(c)
	})
}

func TestAuditExportThatCannotFinishNeverSaysComplete(t *testing.T) {
	fs := &failingStore{}
	fs.after.Store(-1)
	clock := NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	in := StartWith(t, Config(t.TempDir()), app.Options{Now: clock.Now, AuditStore: func(s eventstore.Store) eventstore.Store {
		fs.Store = s
		return fs
	}})
	admin := in.AdminToken(t)
	for i := range 3 {
		in.CreateUser(t, admin, "assessor", fmt.Sprintf("a%d@example.org", i), fmt.Sprintf("Assessor %d", i))
	}
	export := func(accept string) Response {
		return in.Do(t, Request{Method: "GET", Path: "/api/v1/audit", Token: admin, Header: map[string]string{"Accept": accept}})
	}
	full := Expect(t, export("application/x-ndjson"), 200)
	if full.Trailer.Get("X-Accredit-Export-Complete") != "true" {
		t.Fatalf("healthy export trailers: %v", full.Trailer)
	}

	t.Run("a store failing before the first row gives a 503 problem", func(t *testing.T) {
		fs.after.Store(0)
		defer fs.after.Store(-1)
		for _, accept := range []string{"application/x-ndjson", "text/csv"} {
			r := Expect(t, export(accept), 503)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Fatalf("%s: content type %q, want a problem", accept, ct)
			}
			if r.Trailer.Get("X-Accredit-Export-Complete") != "" {
				t.Fatalf("%s: a failed export carries trailers %v", accept, r.Trailer)
			}
		}
		r := Expect(t, in.Get(t, "/api/v1/audit/verify", admin), 503)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Fatalf("verify: content type %q, want a problem", ct)
		}
	})
	t.Run("a store failing part way says incomplete", func(t *testing.T) {
		fs.after.Store(2)
		defer fs.after.Store(-1)
		r := Expect(t, export("application/x-ndjson"), 200)
		rows := 0
		for sc := bufio.NewScanner(strings.NewReader(string(r.Body))); sc.Scan(); {
			rows++
		}
		if r.Trailer.Get("X-Accredit-Export-Complete") != "false" || r.Trailer.Get("X-Accredit-Rows") != fmt.Sprint(rows) {
			t.Fatalf("trailers %v after %d rows, want incomplete", r.Trailer, rows)
		}
		if full := strings.Count(string(full.Body), "\n"); rows >= full {
			t.Fatalf("a failed export has %d rows, the full one %d", rows, full)
		}
	})
}
