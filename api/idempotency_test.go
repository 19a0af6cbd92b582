package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/accreditation"
)

var eiaCase = map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}

func openWithKey(t *testing.T, in *Instance, token, key string, body any) Response {
	t.Helper()
	return in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/cases", Token: token, Body: body, Header: map[string]string{"Idempotency-Key": key}})
}

// caseIDs are the cases the applicant has, as the first process sees them.
func caseIDs(t *testing.T, tm *team) []string {
	t.Helper()
	if err := tm.in.App.Feed.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tm.in.App.Cases.IDsOfApplicant(tm.applicant.ID)
}

// TestARetriedCaseCreationAnswersTheFirstCase sends POST /api/v1/cases with
// one Idempotency-Key again, after the first answer and at the same moment,
// to one process and to two: every answer is 201 with the case the first
// attempt created, and each key made one case.
func TestARetriedCaseCreationAnswersTheFirstCase(t *testing.T) {
	tm, second := twoProcesses(t)
	token := tm.applicant.Token

	first := Expect(t, openWithKey(t, tm.in, token, "open-once", eiaCase), 201)
	again := Expect(t, openWithKey(t, tm.in, token, "open-once", eiaCase), 201)
	id := first.Map(t)["id"]
	if again.Map(t)["id"] != id || again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("retry: got case %v, want the first one %v", again.Map(t)["id"], id)
	}
	if other := Expect(t, openWithKey(t, second, token, "open-once", eiaCase), 201).Map(t)["id"]; other != id {
		t.Fatalf("retry on the other process: got case %v, want %v", other, id)
	}

	const pairs = 8
	for _, where := range []struct {
		name string
		a, b *Instance
	}{{"one process", tm.in, tm.in}, {"two processes", tm.in, second}} {
		t.Run(where.name, func(t *testing.T) {
			for i := range pairs {
				key := fmt.Sprintf("%s-%d", where.name, i)
				var got [2]Response
				var wg sync.WaitGroup
				for j, in := range []*Instance{where.a, where.b} {
					wg.Add(1)
					go func() { defer wg.Done(); got[j] = openWithKey(t, in, token, key, eiaCase) }()
				}
				wg.Wait()
				for j, r := range got {
					if r.Status != 201 {
						t.Fatalf("pair %d, request %d: got %d %s, want 201", i, j, r.Status, r.Body)
					}
				}
				if a, b := got[0].Map(t)["id"], got[1].Map(t)["id"]; a != b {
					t.Fatalf("pair %d: got cases %v and %v, want one", i, a, b)
				}
			}
		})
	}
	if n := len(caseIDs(t, tm)); n != 1+2*pairs {
		t.Fatalf("cases made: got %d, want %d (one per key)", n, 1+2*pairs)
	}
}

// TestIdempotencyKeyIsBoundToCallerAndRequest: a key is refused when it is
// not 1 to 255 printable ASCII characters (400 naming the header), and the
// same key with another request is 422, on a public route too.
func TestIdempotencyKeyIsBoundToCallerAndRequest(t *testing.T) {
	tm := newTeam(t)
	token := tm.applicant.Token
	t.Run("malformed keys are 400", func(t *testing.T) {
		for _, k := range []string{strings.Repeat("k", 256), "café", "tab\there"} {
			r := Expect(t, openWithKey(t, tm.in, token, k, eiaCase), 400)
			if !strings.Contains(string(r.Body), "Idempotency-Key") {
				t.Errorf("key %.20q: the problem does not name the header: %s", k, r.Body)
			}
		}
		Expect(t, openWithKey(t, tm.in, token, strings.Repeat("k", 255), eiaCase), 201)
	})
	t.Run("another body with the same key is 422", func(t *testing.T) {
		Expect(t, openWithKey(t, tm.in, token, "k-1", eiaCase), 201)
		r := Expect(t, openWithKey(t, tm.in, token, "k-1", map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 422)
		if !strings.Contains(string(r.Body), "Idempotency-Key") {
			t.Fatalf("the problem does not name the header: %s", r.Body)
		}
		id := Expect(t, openWithKey(t, tm.in, token, "k-1", eiaCase), 201).Map(t)["id"].(string)
		pf := func(hours int) Response {
			return tm.in.Do(t, Request{Method: http.MethodPut, Path: "/api/v1/cases/" + id + "/portfolio", Token: token,
				Body: map[string]any{"client_hours": hours}, Header: map[string]string{"Idempotency-Key": "k-2"}})
		}
		Expect(t, pf(60), 200)
		Expect(t, pf(61), 422)
		Expect(t, pf(60), 200)
	})
	t.Run("register: another's key gives nobody else's account", func(t *testing.T) {
		reg := func(email, password string) Response {
			return tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/auth/register",
				Body:   map[string]string{"email": email, "password": password, "name": "Dora Doe"},
				Header: map[string]string{"Idempotency-Key": "signup-1"}})
		}
		first := Expect(t, reg("dora@example.org", "dora's long password"), 201)
		Expect(t, reg("dora@example.org", "an attacker's password"), 422)
		Expect(t, reg("eve@example.org", "eve's own long password"), 422)
		if again := Expect(t, reg("dora@example.org", "dora's long password"), 201); again.Map(t)["id"] != first.Map(t)["id"] {
			t.Fatalf("the registrant's own retry: got %v, want %v", again.Map(t)["id"], first.Map(t)["id"])
		}
	})
	t.Run("keys are per caller", func(t *testing.T) {
		other := tm.in.CreateUser(t, tm.admin, "applicant", "olga@example.org", "Olga Other")
		a := Expect(t, openWithKey(t, tm.in, token, "shared-key", eiaCase), 201).Map(t)["id"]
		b := Expect(t, openWithKey(t, tm.in, other.Token, "shared-key", eiaCase), 201).Map(t)["id"]
		if a == b {
			t.Fatal("two callers with one key got one case")
		}
	})
}

// TestRequestIDIsBounded: a sane X-Request-Id is kept, answered and becomes
// the events' correlation id; any other is replaced by a generated one.
func TestRequestIDIsBounded(t *testing.T) {
	tm := newTeam(t)
	open := func(rid string) (Response, string) {
		r := Expect(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/cases", Token: tm.applicant.Token, Body: eiaCase,
			Header: map[string]string{"X-Request-Id": rid}}), 201)
		id := r.Map(t)["id"].(string)
		evs, err := tm.in.App.Events.Load(context.Background(), accreditation.StreamPrefix+"."+id)
		if err != nil || len(evs) == 0 {
			t.Fatalf("load %s: %v", id, err)
		}
		return r, evs[0].CorrelationID
	}
	ok := "trace-01:abc_DEF.9-" + strings.Repeat("x", 128-19) // 128 characters
	r, corr := open(ok)
	if got := r.Header.Get("X-Request-Id"); got != ok || corr != ok {
		t.Fatalf("a valid id: answered %q, correlation %q, want %q for both", got, corr, ok)
	}
	for _, bad := range []string{ok + "y", "has space", "<script>", "naïve"} {
		r, corr := open(bad)
		got := r.Header.Get("X-Request-Id")
		if got == bad || got == "" || len(got) > 128 || corr != got {
			t.Errorf("id %.20q: answered %q with correlation %q, want a generated id used for both", bad, got, corr)
		}
	}
}

// TestARetryWhileBehindIsAnsweredNotRefused: a command stored but not
// applied here in time answers 503 "retry it with the same
// Idempotency-Key". Its retry with that key, while this process is still
// behind, decides on a state that already holds its own effect: it must
// answer 503 again (or the recorded answer), never a refusal of that
// effect (the evidence item gone: 404; the case submitted: 409; the email
// taken: 409), which tells a client that retries on 503 that its recorded
// command failed.
func TestARetryWhileBehindIsAnsweredNotRefused(t *testing.T) {
	in, tm := heldTeam(t)
	id := tm.openEIA(t)
	evID := Expect(t, in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Extra", "categories": "1", "indicators": "31"}, "x.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")
	for _, r := range []Request{
		{Method: http.MethodDelete, Path: "/api/v1/cases/" + id + "/evidence/" + evID, Token: tm.applicant.Token},
		{Method: http.MethodPost, Path: "/api/v1/cases/" + id + "/submit", Token: tm.applicant.Token, Body: declared},
		{Method: http.MethodPost, Path: "/api/v1/auth/register", Body: map[string]string{"email": "dora@example.org", "password": "dora's long password", "name": "Dora"}},
		{Method: http.MethodPost, Path: "/api/v1/users", Token: tm.admin, Body: map[string]string{"email": "olga@example.org", "password": "olga's long password", "name": "Olga", "role": "assessor"}},
	} {
		r.Header = keyed("retry-" + r.Path)
		in.gate.Hold()
		Expect(t, in.Do(t, r), 503)
		again := in.Do(t, r) // the careful client's retry, same key, still behind
		in.caughtUp(t)
		if again.Status != 503 && again.Status/100 != 2 {
			t.Errorf("%s %s retried with its key while behind: got %d %s, want 503 or the recorded answer", r.Method, r.Path, again.Status, again.Body)
		}
		if after := in.Do(t, r); after.Status/100 != 2 {
			t.Errorf("%s %s retried once caught up: got %d %s, want the recorded answer", r.Method, r.Path, after.Status, after.Body)
		}
	}
}

// TestAKeyReusedForAnotherFileIsRefused: an upload's key is bound to its
// file's content too: the same key with another file under the same name
// is another request, refused 422 naming the header (not answered as the
// first while the new file is dropped); the same file again is the first
// answer.
func TestAKeyReusedForAnotherFileIsRefused(t *testing.T) {
	in := StartInMemory(t)
	carla := in.CreateUser(t, in.AdminToken(t), "applicant", "carla@example.org", "Carla")
	id := Expect(t, in.Post(t, "/api/v1/cases", carla.Token, eiaCase), 201).Map(t)["id"].(string)
	up := func(content []byte) Response {
		return in.Upload(t, id, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Log", "categories": "1", "indicators": "2"}, "log.pdf", content, keyed("up-1"))
	}
	first := Expect(t, up(pdf), 201)
	other := append(append([]byte(nil), pdf...), "% another version of the file\n"...)
	if r := Expect(t, up(other), 422); !strings.Contains(string(r.Body), "Idempotency-Key") {
		t.Fatalf("the problem does not name the header: %s", r.Body)
	}
	if again := Expect(t, up(pdf), 201); again.Header.Get("X-Evidence-Id") != first.Header.Get("X-Evidence-Id") {
		t.Fatalf("the same file again names %s, the first %s", again.Header.Get("X-Evidence-Id"), first.Header.Get("X-Evidence-Id"))
	}
}
