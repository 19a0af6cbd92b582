package api_test

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// awardedCase takes an EIA case to an award and returns its id and accreditation id.
func (tm *team) awardedCase(t *testing.T) (string, string) {
	t.Helper()
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Well evidenced throughout."}, 200)
	// The read side has the award before the caller reads it: a read that
	// gives no min_seq waits for nothing, and on a busy machine the
	// register or the decisions could be read a commit behind.
	// readAt retries a 503: the read side more than its wait bound behind.
	tm.readAt(t, "/api/v1/register", "", d["seq"].(float64))
	return id, d["accreditation"].(map[string]any)["id"].(string)
}

func TestACommandsSeqAsMinSeqShowsTheChangeAtOnce(t *testing.T) {
	tm := newTeam(t)
	c := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "nl"}, 201)
	seq := int(c["seq"].(float64))
	mine := tm.get(t, fmt.Sprintf("/api/v1/me/cases?min_seq=%d", seq), tm.applicant.Token)
	cs := mine["cases"].([]any)
	if len(cs) != 1 || cs[0].(map[string]any)["case_id"] != c["id"] || mine["seq"].(float64) < float64(seq) {
		t.Fatalf("my cases after open with min_seq: %v", mine)
	}
	// A seq no command returned (past the store's end) is the client's
	// mistake: asked again it would wait for ever.
	wantField(t, tm.in.Get(t, fmt.Sprintf("/api/v1/me/cases?min_seq=%d", seq+1000), tm.applicant.Token), "min_seq", "past the store's last position")
	Expect(t, tm.in.Get(t, "/api/v1/me/cases?min_seq=soon", tm.applicant.Token), 400)
}

func TestQueueForAssessorsAndOffice(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	sub := tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	office := tm.readAt(t, "/api/v1/queue?state=submitted", tm.admin, sub["seq"].(float64))["cases"].([]any)
	if len(office) != 1 || office[0].(map[string]any)["case_id"] != id {
		t.Fatalf("office queue of submitted cases: %v", office)
	}
	if n := len(tm.get(t, "/api/v1/queue", tm.assessor.Token)["available"].([]any)); n != 0 {
		t.Fatalf("assessor sees %d cases before screening", n)
	}
	s := tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "accepted"}, 200)
	q := tm.get(t, fmt.Sprintf("/api/v1/queue?min_seq=%d", int(s["seq"].(float64))), tm.assessor.Token)
	avail := q["available"].([]any)
	if len(avail) != 1 {
		t.Fatalf("assessor queue after screening: %v", q)
	}
	it := avail[0].(map[string]any)
	for _, k := range []string{"case_id", "scheme", "level", "language", "submitted_at", "waiting_days", "due_at", "overdue"} {
		if _, ok := it[k]; !ok {
			t.Fatalf("queue item lacks %s: %v", k, it)
		}
	}
	if it["overdue"] != false {
		t.Fatalf("fresh case overdue: %v", it)
	}
	// A conflicted assessor is not offered the case.
	conflicted := tm.newAssessor(t, "cleo@example.org", "Cleo Conflicted", tm.applicant.ID)
	if n := len(tm.get(t, "/api/v1/queue", conflicted.Token)["available"].([]any)); n != 0 {
		t.Fatalf("conflicted assessor offered %d cases", n)
	}
	c := tm.post(t, "/api/v1/cases/"+id+"/claim", tm.assessor.Token, map[string]string{"role": "assessor"}, 200)
	q = tm.get(t, fmt.Sprintf("/api/v1/queue?min_seq=%d", int(c["seq"].(float64))), tm.assessor.Token)
	if len(q["mine"].([]any)) != 1 || len(q["available"].([]any)) != 0 {
		t.Fatalf("after claiming: %v", q)
	}
	// After the service level, the case is overdue.
	tm.setClock(t, tm.clock.Now().Add(92*24*time.Hour)) // the default service level is 91 days
	over := tm.get(t, "/api/v1/queue?overdue=true", tm.admin)["cases"].([]any)
	if len(over) != 1 || over[0].(map[string]any)["overdue"] != true {
		t.Fatalf("overdue filter: %v", over)
	}
	Expect(t, tm.in.Get(t, "/api/v1/queue?level=grand", tm.admin), 400)
	Expect(t, tm.in.Get(t, "/api/v1/queue", tm.applicant.Token), 403)
}

func TestDecisionsAuditStatsAndRegister(t *testing.T) {
	tm := newTeam(t)
	id, accID := tm.awardedCase(t)

	ds := tm.get(t, "/api/v1/decisions?outcome=awarded", tm.admin)["decisions"].([]any)
	if len(ds) != 1 {
		t.Fatalf("decisions: %v", ds)
	}
	d := ds[0].(map[string]any)
	if d["rationale"] != "Well evidenced throughout." || len(d["assessments"].([]any)) != 2 || d["level_awarded"] != "practitioner" {
		t.Fatalf("decision record: %v", d)
	}
	if n := len(tm.get(t, "/api/v1/decisions?outcome=not_awarded", tm.admin)["decisions"].([]any)); n != 0 {
		t.Fatalf("outcome filter: %d", n)
	}
	Expect(t, tm.in.Get(t, "/api/v1/decisions", tm.assessor.Token), 403)
	// A page at a time (the paging itself is proven in projections): the
	// one decision on a page of one, no next page; a cursor past it gives
	// an empty page; a cursor or limit that is not one is a 400 naming it.
	if p := tm.get(t, "/api/v1/decisions?limit=1", tm.admin); len(p["decisions"].([]any)) != 1 || p["next_cursor"] != nil {
		t.Fatalf("a page of one: %v", p)
	}
	at, err := time.Parse(time.RFC3339Nano, d["decided_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	after := fmt.Sprintf("%d.%d.%s", at.UnixNano(), int(d["number"].(float64)), id)
	if p := tm.get(t, "/api/v1/decisions?cursor="+after, tm.admin); len(p["decisions"].([]any)) != 0 || p["next_cursor"] != nil {
		t.Fatalf("the page after the only decision: %v", p)
	}
	for q, name := range map[string]string{"cursor=nonsense": "cursor", "limit=0": "limit", "limit=1001": "limit"} {
		if body := string(Expect(t, tm.in.Get(t, "/api/v1/decisions?"+q, tm.admin), 400).Body); !strings.Contains(body, name) {
			t.Fatalf("%s: %s", q, body)
		}
	}

	// Audit: pages by cursor, filters, CSV and JSON lines.
	p1 := tm.get(t, "/api/v1/audit?case_id="+id+"&limit=5", tm.admin)
	if len(p1["events"].([]any)) != 5 || p1["next_cursor"] == nil {
		t.Fatalf("audit page 1: %v", p1)
	}
	p2 := tm.get(t, "/api/v1/audit?case_id="+id+"&limit=5&cursor="+p1["next_cursor"].(string), tm.admin)
	if p2["events"].([]any)[0].(map[string]any)["id"] == p1["events"].([]any)[4].(map[string]any)["id"] {
		t.Fatal("page 2 repeats page 1")
	}
	all := tm.get(t, "/api/v1/audit?limit=1000", tm.admin)["events"].([]any)
	byType := tm.get(t, "/api/v1/audit?type=accreditation.decision_made", tm.admin)["events"].([]any)
	if len(byType) != 1 || byType[0].(map[string]any)["data"].(map[string]any)["rationale"] != "Well evidenced throughout." {
		t.Fatalf("audit by type: %v", byType)
	}
	csvResp := Expect(t, tm.in.Do(t, Request{Method: "GET", Path: "/api/v1/audit", Token: tm.admin, Header: map[string]string{"Accept": "text/csv"}}), 200)
	if csvResp.Trailer.Get("X-Accredit-Export-Complete") != "true" || csvResp.Trailer.Get("X-Accredit-Rows") != fmt.Sprint(len(all)) {
		t.Fatalf("export trailers: %v, want complete with %d rows", csvResp.Trailer, len(all))
	}
	rows, err := csv.NewReader(strings.NewReader(string(csvResp.Body))).ReadAll()
	if err != nil || len(rows) != len(all)+1 || rows[0][0] != "seq" {
		t.Fatalf("csv: %d rows (want %d + header), %v", len(rows), len(all), err)
	}
	nd := Expect(t, tm.in.Do(t, Request{Method: "GET", Path: "/api/v1/audit?actor_id=" + tm.applicant.ID, Token: tm.admin, Header: map[string]string{"Accept": "application/x-ndjson"}}), 200)
	sc := bufio.NewScanner(strings.NewReader(string(nd.Body)))
	lines := 0
	for sc.Scan() {
		var row map[string]any
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil || row["actor"].(map[string]any)["id"] != tm.applicant.ID {
			t.Fatalf("ndjson line %q: %v", sc.Text(), err)
		}
		lines++
	}
	if lines == 0 {
		t.Fatal("no ndjson lines for the applicant")
	}
	Expect(t, tm.in.Get(t, "/api/v1/audit?cursor=x", tm.admin), 400)
	// The history holds every password's hash (registrations, changes): no
	// view of it shows one.
	views := map[string]string{
		"JSON":       string(Expect(t, tm.in.Get(t, "/api/v1/audit?limit=1000", tm.admin), 200).Body),
		"CSV":        string(csvResp.Body),
		"JSON lines": string(Expect(t, tm.in.Do(t, Request{Method: "GET", Path: "/api/v1/audit", Token: tm.admin, Header: map[string]string{"Accept": "application/x-ndjson"}}), 200).Body),
	}
	for name, body := range views {
		if strings.Contains(body, "argon2id") || !strings.Contains(body, `password_hash`) || !strings.Contains(body, "[withheld]") {
			t.Errorf("audit as %s: a password's hash shown, or its field not withheld", name)
		}
	}

	st := tm.get(t, "/api/v1/stats", tm.admin)["stats"].(map[string]any)
	if st["total"].(float64) != 1 || st["decided"].(float64) != 1 || st["by_state"].(map[string]any)["awarded"].(float64) != 1 {
		t.Fatalf("stats: %v", st)
	}

	// Register: public, searchable, and gone after revocation.
	reg := tm.get(t, "/api/v1/register?q=carla&scheme=EIA", "")["accreditations"].([]any)
	if len(reg) != 1 || reg[0].(map[string]any)["holder"] != "Carla Coach" {
		t.Fatalf("register search: %v", reg)
	}
	if n := len(tm.get(t, "/api/v1/register?q=nobody", "")["accreditations"].([]any)); n != 0 {
		t.Fatalf("register search for nobody: %d", n)
	}
	v := tm.get(t, "/api/v1/register/"+accID, "")
	if v["valid"] != true {
		t.Fatalf("verify: %v", v)
	}
	r := tm.post(t, "/api/v1/accreditations/"+accID+"/revocation", tm.admin, map[string]string{"reason": "Ethics complaint upheld."}, 200)
	seq := int(r["seq"].(float64))
	if n := len(tm.get(t, fmt.Sprintf("/api/v1/register?min_seq=%d", seq), "")["accreditations"].([]any)); n != 0 {
		t.Fatalf("revoked accreditation still in the register")
	}
	v = tm.get(t, "/api/v1/register/"+accID, "")
	if v["valid"] != false || v["accreditation"].(map[string]any)["status"] != "revoked" {
		t.Fatalf("verify after revocation: %v", v)
	}
	Expect(t, tm.in.Get(t, "/api/v1/register/nope", ""), 404)
}

func TestProjectionStatusAndRebuild(t *testing.T) {
	tm := newTeam(t)
	tm.awardedCase(t)
	before := tm.get(t, "/api/v1/stats", tm.admin)["stats"]
	st := tm.get(t, "/api/v1/projections", tm.admin)
	if len(st["read_models"].([]any)) < 4 || st["last_rebuild"] != nil || st["rebuild_failures"] != 0.0 {
		t.Fatalf("projection status before any rebuild: %v", st)
	}
	rb := tm.post(t, "/api/v1/projections/rebuild", tm.admin, nil, 200)
	if rb["replayed"].(float64) < 10 || rb["position"].(float64) != st["store_seq"].(float64) {
		t.Fatalf("rebuild: %v (store at %v)", rb, st["store_seq"])
	}
	st = tm.get(t, "/api/v1/projections", tm.admin)
	if last, _ := st["last_rebuild"].(map[string]any); last == nil || last["error"] != nil || last["position"] != rb["position"] {
		t.Fatalf("last_rebuild after a rebuild: got %v, want no error at %v", st["last_rebuild"], rb["position"])
	}
	metrics := string(Expect(t, tm.in.Get(t, "/metrics", tm.admin), 200).Body)
	for _, want := range []string{"accredit_projection_rebuild_failures_total 0", "accredit_projection_last_rebuild_failed 0"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	after := tm.get(t, "/api/v1/stats", tm.admin)["stats"]
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("stats changed by a rebuild:\n%v\n%v", before, after)
	}
	ready := tm.get(t, "/readyz", "")
	if len(ready["projections"].([]any)) < 4 { // the write model, cases, decisions, register
		t.Fatalf("readyz lacks read-model positions: %v", ready)
	}
	Expect(t, tm.in.Post(t, "/api/v1/projections/rebuild", tm.assessor.Token, nil), 403)
}

// TestRegisterIsValidUntilItsDate: the verification answer's "valid" is the
// domain's rule (accreditation.InForce), read at the server's clock: valid
// up to the instant before valid_until, not at it, even before the expiry
// job has recorded the expiry.
func TestRegisterIsValidUntilItsDate(t *testing.T) {
	tm := newTeam(t)
	_, accID := tm.awardedCase(t)
	v := tm.get(t, "/api/v1/register/"+accID, "")
	until, err := time.Parse(time.RFC3339Nano, v["accreditation"].(map[string]any)["valid_until"].(string))
	if err != nil {
		t.Fatal(err)
	}
	tm.setClock(t, until.Add(-time.Second))
	if v := tm.get(t, "/api/v1/register/"+accID, ""); v["valid"] != true {
		t.Fatalf("a second before valid_until: got %v, want valid", v)
	}
	tm.setClock(t, until)
	v = tm.get(t, "/api/v1/register/"+accID, "")
	if st := v["accreditation"].(map[string]any)["status"]; v["valid"] != false || (st != "active" && st != "expired") {
		t.Fatalf("at valid_until: got %v, want not valid (active until the expiry job runs, or expired)", v)
	}
}

// TestTheAuditAnswersInTheFormatTheClientPrefers: GET /api/v1/audit picks
// CSV, JSON lines or a JSON page by Accept with its q-values; a type
// refused (q=0) or preferred less than application/json was streamed all
// the same, as its name alone was looked for.
func TestTheAuditAnswersInTheFormatTheClientPrefers(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	for accept, want := range map[string]string{
		"text/csv":                         "text/csv",
		"application/x-ndjson":             "application/x-ndjson",
		"application/json":                 "application/json",
		"*/*":                              "application/json",
		"text/csv, application/json":       "text/csv",
		"text/csv;q=0":                     "application/json",
		"application/json, text/csv;q=0.5": "application/json",
		"application/json;q=0.5, application/x-ndjson": "application/x-ndjson",
		"text/csv;q=0.2, application/x-ndjson;q=0.9":   "application/x-ndjson",
	} {
		r := Expect(t, in.Do(t, Request{Method: "GET", Path: "/api/v1/audit", Token: admin, Header: map[string]string{"Accept": accept}}), 200)
		if got, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); got != want {
			t.Errorf("Accept: %s: got %s, want %s", accept, got, want)
		}
	}
}
