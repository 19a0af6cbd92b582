package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/natsstore"
)

// rawStreamContains reports whether any message of the events stream, read
// directly from JetStream, holds any of the needles in clear text.
func rawStreamContains(t *testing.T, in *Instance, needles ...string) string {
	t.Helper()
	ctx := context.Background()
	js := in.App.Events.JetStream()
	st, err := js.Stream(ctx, natsstore.EventsStream)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := st.Info(ctx)
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		for _, n := range needles {
			if bytes.Contains(bytes.ToLower(m.Data), bytes.ToLower([]byte(n))) {
				return n + " in stream message " + m.Subject
			}
		}
	}
	return ""
}

// diskContains reports whether any file under dir holds a needle.
func diskContains(t *testing.T, dir string, needles ...string) string {
	t.Helper()
	found := ""
	_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || found != "" {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				found = n + " in " + path
			}
		}
		return nil
	})
	return found
}

func TestErasureShredsPersonalDataAndKeepsTheRecord(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	name, email := "Zebulon Quixotic", "zebulon.quixotic@example.org"
	r := Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": email, "password": "a long password", "name": name}), 201)
	id := r.Map(t)["id"].(string)
	in.Login(t, email, "a long password")

	if where := rawStreamContains(t, in, name, email, "Quixotic"); where != "" {
		t.Fatalf("clear text before erasure: %s", where)
	}
	// The scans can see clear text: the event type of the registration is there.
	if rawStreamContains(t, in, "accounts.user_registered") == "" || diskContains(t, in.Cfg.DataDir, "accounts.user_registered") == "" {
		t.Fatal("the scans do not see the stored events at all")
	}
	if where := diskContains(t, in.Cfg.DataDir, name, email, "Quixotic"); where != "" {
		t.Fatalf("clear text on disk before erasure: %s", where)
	}
	wantProblem(t, in.Post(t, "/api/v1/users/"+id+"/erasure", admin, map[string]string{"ground": "because", "reason": "asked"}), 400, "ground")
	// The office's note names the person: it is erased with them (the
	// scans below look for the name), and the ground stays.
	Expect(t, in.Post(t, "/api/v1/users/"+id+"/erasure", admin, map[string]string{"reason": "asked by phone by " + name}), 200)
	if hist := string(Expect(t, in.Get(t, "/api/v1/audit?type=accounts.user_erased", admin), 200).Body); !strings.Contains(hist, `"ground":"data_subject_request"`) || !strings.Contains(hist, `"note":"[erased]"`) {
		t.Fatalf("the audit history does not keep the ground, or shows the note: %s", hist)
	}
	Expect(t, in.Post(t, "/api/v1/users/"+id+"/erasure", admin, map[string]string{"reason": "again"}), 409)

	u := Expect(t, in.Get(t, "/api/v1/users/"+id, admin), 200).Map(t)
	if u["name"] != "[erased]" || u["email"] != "[erased]" || u["role"] != "applicant" || u["erased"] != true {
		t.Fatalf("erased user: got %v", u)
	}
	Expect(t, in.Post(t, "/api/v1/auth/login", "", map[string]string{"email": email, "password": "a long password"}), 401)
	if where := rawStreamContains(t, in, name, email, "Quixotic"); where != "" {
		t.Fatalf("clear text after erasure: %s", where)
	}
	// The email is free again, and the history still verifies.
	Expect(t, in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": email, "password": "another long one", "name": "Someone Else"}), 201)
	rep := Expect(t, in.Get(t, "/api/v1/audit/verify", admin), 200).Map(t)
	if rep["intact"] != true {
		t.Fatalf("audit after erasure: %v", rep)
	}
	// A rebuild from zero (restart) shows no personal data of the erased person.
	in.Restart(t)
	admin = in.AdminToken(t)
	u = Expect(t, in.Get(t, "/api/v1/users/"+id, admin), 200).Map(t)
	if u["name"] != "[erased]" || u["email"] != "[erased]" {
		t.Fatalf("after rebuild: got %v", u)
	}
	list := string(Expect(t, in.Get(t, "/api/v1/users", admin), 200).Body)
	if strings.Contains(list, "Zebulon") {
		t.Fatalf("user list after rebuild holds the erased name: %s", list)
	}
}

func TestAuditVerifyAndCheckpointOverHTTP(t *testing.T) {
	in := Start(t)
	admin := in.AdminToken(t)
	in.CreateUser(t, admin, "assessor", "a1@example.org", "A One")
	cp := Expect(t, in.Post(t, "/api/v1/audit/checkpoints", admin, nil), 201).Map(t)
	if cp["streams"].(float64) < 1 {
		t.Fatalf("checkpoint: got %v", cp)
	}
	rep := Expect(t, in.Get(t, "/api/v1/audit/verify", admin), 200).Map(t)
	if rep["intact"] != true || len(rep["checkpoints"].([]any)) != 1 || len(rep["streams"].([]any)) < 1 {
		t.Fatalf("verify: got %v", rep)
	}
}

func TestErasureOfAnApplicantWithACase(t *testing.T) {
	tm := newTeam(t)
	id, accID := tm.awardedCase(t)
	in := tm.in
	secret := []string{"Carla Coach", "carla@example.org", "Reflections 2025", "How I work on category 3", "reflections.pdf"}
	// Before: the data is in the views in clear, and nowhere in the raw store.
	if where := rawStreamContains(t, in, secret...); where != "" {
		t.Fatalf("clear text in the stream before erasure: %s", where)
	}
	if where := diskContains(t, filepath.Join(in.Cfg.DataDir, "jetstream"), append(secret, string(pdf[:20]))...); where != "" {
		t.Fatalf("clear text on disk before erasure: %s", where)
	}
	export := string(Expect(t, in.Get(t, "/api/v1/me/export", tm.applicant.Token), 200).Body)
	for _, s := range []string{"Carla Coach", "carla@example.org", "How I work on category 3", "accreditation.case_opened", id} {
		if !strings.Contains(export, s) {
			t.Fatalf("the applicant's export lacks %q", s)
		}
	}
	evID := tm.get(t, "/api/v1/cases/"+id, tm.admin)["evidence"].([]any)[0].(map[string]any)["id"].(string)

	tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)

	c := tm.get(t, "/api/v1/cases/"+id, tm.admin)
	body := fmt.Sprint(c)
	for _, s := range secret {
		if strings.Contains(body, s) {
			t.Fatalf("case view after erasure shows %q", s)
		}
	}
	// The non-personal record stands: ids, level, state, decision outcome, who decided.
	dec := c["decision"].(map[string]any)
	if c["state"] != "awarded" || c["level"] != "practitioner" || dec["outcome"] != "awarded" || dec["by"] == "" || dec["rationale"] != "[erased]" {
		t.Fatalf("decision record after erasure: state %v decision %v", c["state"], dec)
	}
	Expect(t, in.Get(t, "/api/v1/cases/"+id+"/evidence/"+evID+"/file", tm.admin), 404)
	ds := tm.get(t, "/api/v1/decisions", tm.admin)["decisions"].([]any)
	if len(ds) != 1 || ds[0].(map[string]any)["outcome"] != "awarded" || len(ds[0].(map[string]any)["assessments"].([]any)) != 2 {
		t.Fatalf("decisions after erasure: %v", ds)
	}
	csvBody := string(Expect(t, in.Do(t, Request{Method: "GET", Path: "/api/v1/audit", Token: tm.admin, Header: map[string]string{"Accept": "text/csv"}}), 200).Body)
	hist := string(Expect(t, in.Get(t, "/api/v1/cases/"+id+"/history", tm.admin), 200).Body)
	reg := string(Expect(t, in.Get(t, "/api/v1/register/"+accID, ""), 200).Body)
	for _, s := range secret {
		if strings.Contains(csvBody, s) || strings.Contains(hist, s) || strings.Contains(reg, s) {
			t.Fatalf("%q still in the audit export, history or register after erasure", s)
		}
	}
	if where := rawStreamContains(t, in, secret...); where != "" {
		t.Fatalf("clear text in the stream after erasure: %s", where)
	}
	if rep := tm.get(t, "/api/v1/audit/verify", tm.admin); rep["intact"] != true {
		t.Fatalf("audit chain after erasure: %v", rep["streams"])
	}
	// Rebuild from zero: still nothing personal, the record still complete.
	tm.post(t, "/api/v1/projections/rebuild", tm.admin, nil, 200)
	in.Restart(t)
	admin := in.AdminToken(t)
	after := string(Expect(t, in.Get(t, "/api/v1/decisions", admin), 200).Body)
	for _, s := range secret {
		if strings.Contains(after, s) {
			t.Fatalf("%q back after rebuild", s)
		}
	}
	if !strings.Contains(after, `"outcome":"awarded"`) {
		t.Fatalf("decision lost after rebuild: %s", after)
	}
	if where := diskContains(t, in.Cfg.DataDir, secret...); where != "" {
		t.Fatalf("clear text on disk after erasure and restart (snapshots included): %s", where)
	}
}

func TestRetentionPolicyErasesInactiveApplicantsOnly(t *testing.T) {
	tm := newTeam(t)
	// Carla: a case decided "not awarded". Ben: an active accreditation.
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	tm.toDecision(t, id)
	tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not yet."}, 200)
	carla := tm.applicant
	r := Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "ben@example.org", "password": "ben's long password", "name": "Ben Busy"}), 201)
	ben := User{ID: r.Map(t)["id"].(string), Email: "ben@example.org", Password: "ben's long password", Name: "Ben Busy"}
	ben.Token = tm.in.Login(t, ben.Email, ben.Password)
	tm.applicant = ben
	tm.awardedCase(t)

	if n, err := tm.in.App.RunRetention(context.Background()); err != nil || n != 0 {
		t.Fatalf("retention today: %d erased, %v; want 0", n, err)
	}
	tm.applicant = carla
	tm.setClock(t, tm.clock.Now().AddDate(7, 0, 2))
	n, err := tm.in.App.RunRetention(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("retention after 7 years: %d erased, %v; want 1 (Carla)", n, err)
	}
	admin := tm.in.AdminToken(t)
	if u := Expect(t, tm.in.Get(t, "/api/v1/users/"+carla.ID, admin), 200).Map(t); u["erased"] != true {
		t.Fatalf("Carla after retention: %v", u)
	}
	if u := Expect(t, tm.in.Get(t, "/api/v1/users/"+ben.ID, admin), 200).Map(t); u["erased"] == true || u["name"] != "Ben Busy" {
		t.Fatalf("Ben, with an active accreditation, after retention: %v", u)
	}
	if c := Expect(t, tm.in.Get(t, "/api/v1/cases/"+id, admin), 200).Map(t); c["state"] != "not_awarded" {
		t.Fatalf("Carla's case record after retention: %v", c["state"])
	}
}

// An applicant erased while a case of theirs is still before its decision:
// nothing more could be written on it (every text is sealed with the key
// just deleted), so the erasure withdraws it, with its cause, rather than
// leave it in the queues for good; the decided case stays as it was, and
// a second erasure is still a 409.
func TestErasureWithdrawsTheCasesInProgress(t *testing.T) {
	tm := newTeam(t)
	decided, _ := tm.awardedCase(t)
	open := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+open+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, open)
	draft := Expect(t, tm.in.Post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)

	r := tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)
	for _, id := range []string{open, draft} {
		if c := tm.get(t, fmt.Sprintf("/api/v1/cases/%s?min_seq=%d", id, int(r["seq"].(float64))), tm.admin); c["state"] != "withdrawn" {
			t.Fatalf("case %s after its applicant's erasure: state %v, want withdrawn", id, c["state"])
		}
		hist := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tm.admin), 200).Body)
		if !strings.Contains(hist, `"cause":"applicant_erased"`) {
			t.Fatalf("the history of case %s does not say why it was withdrawn: %s", id, hist)
		}
	}
	if c := tm.get(t, "/api/v1/cases/"+decided, tm.admin); c["state"] != "awarded" {
		t.Fatalf("the decided case after the erasure: state %v, want awarded", c["state"])
	}
	q := string(Expect(t, tm.in.Get(t, "/api/v1/queue", tm.admin), 200).Body)
	if strings.Contains(q, open) {
		t.Fatal("the office queue still lists the erased applicant's case")
	}
	wantProblem(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "again"}), 409, "already erased")
}

// What is written about a person after their erasure is kept as erased:
// no new key is made for them (one made would let it be read), and the
// office can still act on their decided case.
func TestNothingWrittenAfterAnErasureCanBeRead(t *testing.T) {
	tm := newTeam(t)
	id, accID := tm.awardedCase(t)
	tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)

	const reason = "Revoked after the erasure: a text about the holder"
	tm.post(t, "/api/v1/accreditations/"+accID+"/revocation", tm.admin, map[string]string{"reason": reason}, 200)
	acc := tm.get(t, "/api/v1/cases/"+id, tm.admin)["accreditation"].(map[string]any)
	if acc["status"] != "revoked" || acc["reason"] != "[erased]" {
		t.Fatalf("the accreditation after its revocation: status %v, reason %q; want revoked and [erased]", acc["status"], acc["reason"])
	}
	if hist := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tm.admin), 200).Body); strings.Contains(hist, reason) {
		t.Fatal("the history shows a text written about the erased holder")
	}
	if where := rawStreamContains(t, tm.in, reason); where != "" {
		t.Fatalf("clear text in the stream: %s", where)
	}
}

// TestAnAppealAndARenewalGoOnAfterTheErasure: an erasure ends only the cases
// before their decision. An appeal filed and a renewal submitted before it
// are decided as before; what the office and the renewal's assessor write
// then is about the erased person, so it is kept as erased and never in
// the clear.
func TestAnAppealAndARenewalGoOnAfterTheErasure(t *testing.T) {
	t.Run("appeal", func(t *testing.T) {
		tm := newTeam(t)
		id := tm.openEIA(t)
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		tm.toDecision(t, id)
		tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, map[string]string{"outcome": "not_awarded", "rationale": "Not yet at the level."}, 200)
		tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "My supervision log was overlooked."}, 200)
		tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)

		const rationale = "Dismissed after the erasure: a text about the appellant"
		rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
		tm.post(t, "/api/v1/cases/"+id+"/appeal/decision", rita.Token, map[string]string{"outcome": "dismissed", "rationale": rationale}, 200)
		v := tm.get(t, "/api/v1/cases/"+id, tm.admin)
		appeals := asSlice(v["appeals"])
		if len(appeals) != 1 {
			t.Fatalf("appeals after the decision: %v", v["appeals"])
		}
		a := appeals[0].(map[string]any)
		if a["outcome"] != "dismissed" || a["rationale"] != "[erased]" {
			t.Fatalf("the appeal decided after the erasure: outcome %v, rationale %q; want dismissed and [erased]", a["outcome"], a["rationale"])
		}
		if where := rawStreamContains(t, tm.in, rationale); where != "" {
			t.Fatalf("clear text in the stream: %s", where)
		}
	})
	t.Run("renewal", func(t *testing.T) {
		tm, id, accID, renata := renewalWithAssessor(t)
		tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)

		const rationale = "Renewed after the erasure: a text about the holder"
		tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", renata.Token, map[string]string{"outcome": "renew", "rationale": rationale}, 200)
		acc := tm.get(t, "/api/v1/cases/"+id, tm.admin)["accreditation"].(map[string]any)
		if acc["valid_until"] == nil || !strings.HasPrefix(acc["valid_until"].(string), "2036") {
			t.Fatalf("the accreditation after its renewal: %v", acc)
		}
		if hist := string(Expect(t, tm.in.Get(t, "/api/v1/cases/"+id+"/history", tm.admin), 200).Body); strings.Contains(hist, rationale) || !strings.Contains(hist, "[erased]") {
			t.Fatal("the history shows the renewal's rationale in the clear, or not as erased")
		}
		if where := rawStreamContains(t, tm.in, rationale); where != "" {
			t.Fatalf("clear text in the stream: %s", where)
		}
	})
}

// The retention job writes twice per applicant: the erasure (event, key
// deleted), then AfterErasure (their cases before a decision withdrawn,
// their evidence deleted). A process stopped between the two leaves the
// second undone; the next retention run (also after a restart) finishes
// it, though it skips the erased applicant otherwise.
func TestRetentionFinishesAnErasureStoppedBeforeItsCasesWereEnded(t *testing.T) {
	tm := newTeam(t)
	draft := tm.openEIA(t) // a draft with an evidence file, never submitted
	carla := tm.applicant
	tm.setClock(t, tm.clock.Now().AddDate(7, 0, 2))

	// The first of RunRetention's two writes, exactly as it makes it ...
	m := aggregate.Meta{Command: "erase", Actor: domain.System, CommandID: "retention-" + carla.ID}
	if _, err := tm.in.App.Accounts.Erase(context.Background(), m, carla.ID, accounts.GroundRetention, ""); err != nil {
		t.Fatal(err)
	}
	// ... then the process stops before AfterErasure.
	tm.in.Restart(t)
	tm.admin = tm.in.AdminToken(t)
	if n := evidenceObjects(t, tm.in); n != 1 {
		t.Fatalf("%d evidence objects before the run, want the draft's 1", n)
	}

	n, err := tm.in.App.RunRetention(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := tm.get(t, "/api/v1/cases/"+draft+"?min_seq="+fmt.Sprint(lastSeq(t, tm.in)), tm.admin)
	if c["state"] != "withdrawn" {
		t.Fatalf("after the restart and another retention run (%d erased): the erased applicant's draft is %v; want withdrawn", n, c["state"])
	}
	if n := evidenceObjects(t, tm.in); n != 0 {
		t.Fatalf("%d evidence objects after the run, want 0: the erased applicant's were not deleted", n)
	}
	// The erasure is recorded as seen through (so that no later run, and
	// no start, goes through it again), and a second run has nothing left
	// to do and does not fail.
	if !erasureDone(tm.in, carla.ID) {
		t.Fatal("the finished erasure is not recorded as completed")
	}
	if _, err := tm.in.App.RunRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// erasureDone reports whether the index has userID's erasure as completed.
func erasureDone(in *Instance, userID string) bool {
	for _, role := range []domain.Role{domain.RoleApplicant, domain.RoleAssessor, domain.RoleOffice} {
		for _, acc := range in.App.Accounts.Accounts(role) {
			if acc.ID == userID {
				return acc.ErasureDone
			}
		}
	}
	return false
}

// TestRetentionFinishesTheErasureOfAnyRole: an assessor's or an office
// user's erasure that stopped after its record (a store away, a process
// stopped) is finished by the retention job as an applicant's is, and
// recorded as completed: the record every process follows to forget the
// erased key it may have fetched again in between.
func TestRetentionFinishesTheErasureOfAnyRole(t *testing.T) {
	tm := newTeam(t)
	olga := tm.in.CreateUser(t, tm.admin, "office", "olga@example.org", "Olga Office")
	for _, u := range []User{tm.verifier, olga} {
		m := aggregate.Meta{Command: "erase", Actor: domain.System, CommandID: "stopped-" + u.ID}
		if _, err := tm.in.App.Accounts.Erase(context.Background(), m, u.ID, accounts.GroundRequest, ""); err != nil {
			t.Fatal(err)
		}
		if erasureDone(tm.in, u.ID) {
			t.Fatalf("%s: an erasure stopped after its record reads as completed", u.Email)
		}
	}
	if _, err := tm.in.App.RunRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, u := range []User{tm.verifier, olga} {
		if !erasureDone(tm.in, u.ID) {
			t.Errorf("%s: the retention job did not finish the erasure", u.Email)
		}
	}
}

// An erasure the office makes is recorded as completed once its cases are
// ended and its files deleted (accounts.erasure_completed): the jobs that
// finish an interrupted erasure pass over it, whatever the number of users
// erased over the years; one recorded but interrupted is not.
func TestAnErasureSeenThroughIsRecordedAsCompleted(t *testing.T) {
	tm := newTeam(t)
	tm.openEIA(t)
	m := aggregate.Meta{Command: "erase", Actor: domain.System, CommandID: "interrupted"}
	other := tm.in.CreateUser(t, tm.admin, "applicant", "olga@example.org", "Olga Other")
	if _, err := tm.in.App.Accounts.Erase(context.Background(), m, other.ID, accounts.GroundRequest, "GDPR art. 17 request"); err != nil {
		t.Fatal(err)
	}
	r := tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)
	tm.get(t, fmt.Sprintf("/api/v1/me?min_seq=%d", int64(r["seq"].(float64))+1), tm.admin)
	if !erasureDone(tm.in, tm.applicant.ID) {
		t.Fatal("the office's erasure, seen through, is not recorded as completed")
	}
	if erasureDone(tm.in, other.ID) {
		t.Fatal("an erasure interrupted before its cases were ended is recorded as completed")
	}
	h := string(Expect(t, tm.in.Get(t, "/api/v1/audit?type=accounts.erasure_completed", tm.admin), 200).Body)
	if strings.Count(h, `"accounts.erasure_completed"`) != 1 {
		t.Fatalf("the audit's erasure_completed events: %s", h)
	}
}

// evidenceObjects is how many objects the evidence store holds.
func evidenceObjects(t *testing.T, in *Instance) int {
	t.Helper()
	ctx := context.Background()
	store, err := in.App.Events.JetStream().ObjectStore(ctx, natsstore.EvidenceBucket)
	if err != nil {
		t.Fatal(err)
	}
	list, err := store.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// checkpointCount is how many checkpoints the audit lists.
func checkpointCount(t *testing.T, in *Instance, token string) int {
	t.Helper()
	return len(Expect(t, in.Get(t, "/api/v1/audit/verify", token), 200).Map(t)["checkpoints"].([]any))
}

// The periodic checkpoint is not stored again for a store that has not
// changed since the last (each holds every stream's head, in a stream that
// denies deletes), nor within an interval of the last checkpoint stored by
// any process (the lease lasts 30 s, not an interval); one asked for
// through the API is always signed.
func TestPeriodicCheckpointSkipsAnUnchangedStoreAndARecentCheckpoint(t *testing.T) {
	const interval = 200 * time.Millisecond
	tm := newTeam(t, func(c *app.Config) { c.CheckpointInterval = interval })
	count := func() int { return checkpointCount(t, tm.in, tm.admin) }
	waitFor := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); count() < n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d checkpoints, not %d, after 10 s", count(), n)
			}
		}
	}
	stays := func(n int, why string) {
		t.Helper()
		time.Sleep(8 * interval)
		if got := count(); got != n {
			t.Fatalf("%s: %d checkpoints, want %d", why, got, n)
		}
	}
	waitFor(1) // the first: none before it
	// The first may have been signed while the team was still being made
	// (on a busy machine): an interval on, one covers the store as it is.
	tm.clock.Advance(time.Hour)
	time.Sleep(8 * interval)
	n := count()
	tm.clock.Advance(time.Hour)
	stays(n, "an unchanged store, intervals later")
	tm.post(t, "/api/v1/audit/checkpoints", tm.admin, nil, 201)
	stays(n+1, "an unchanged store after a checkpoint on demand")
	tm.newAssessor(t, "nora@example.org", "Nora New") // the store changes
	stays(n+1, "a changed store within an interval of the last checkpoint")
	tm.clock.Advance(time.Hour)
	waitFor(n + 2)
	stays(n+2, "no change since")
}

// TestRetentionErasesAnApplicantWhoLeftACaseWaitingForThem: a case returned
// to its applicant, or waiting for their answer, and left so for the whole
// retention period, kept their data for ever: it counted as in progress.
// The policy erases them and withdraws it; a case the office or the
// assessors still hold keeps its applicant's data.
func TestRetentionErasesAnApplicantWhoLeftACaseWaitingForThem(t *testing.T) {
	tm := newTeam(t)
	returned := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+returned+"/submit", tm.applicant.Token, declared, 200)
	tm.post(t, "/api/v1/cases/"+returned+"/screening", tm.admin, map[string]string{"outcome": "returned", "reason": "Please add your supervisor's reference."}, 200)
	left := tm.applicant
	r := Expect(t, tm.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": "ben@example.org", "password": "ben's long password", "name": "Ben Waiting"}), 201)
	ben := User{ID: r.Map(t)["id"].(string), Email: "ben@example.org", Password: "ben's long password", Name: "Ben Waiting"}
	ben.Token = tm.in.Login(t, ben.Email, ben.Password)
	tm.applicant = ben
	assessed := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+assessed+"/submit", ben.Token, declared, 200)
	tm.toAssessment(t, assessed)

	tm.setClock(t, tm.clock.Now().AddDate(7, 0, 2))
	if n, err := tm.in.App.RunRetention(context.Background()); err != nil || n != 1 {
		t.Fatalf("retention after 7 years: %d erased, %v; want 1 (the applicant who left their returned case)", n, err)
	}
	admin := tm.in.AdminToken(t)
	if u := Expect(t, tm.in.Get(t, "/api/v1/users/"+left.ID, admin), 200).Map(t); u["erased"] != true {
		t.Fatalf("the applicant who left a returned case for 7 years: %v", u)
	}
	if c := tm.get(t, "/api/v1/cases/"+returned, admin); c["state"] != "withdrawn" {
		t.Fatalf("their returned case after the erasure: state %v, want withdrawn", c["state"])
	}
	if u := Expect(t, tm.in.Get(t, "/api/v1/users/"+ben.ID, admin), 200).Map(t); u["erased"] == true || u["name"] != "Ben Waiting" {
		t.Fatalf("an applicant whose case is in assessment, after retention: %v", u)
	}
}
