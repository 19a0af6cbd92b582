package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/dates"
)

// TestTheNewAddressConfirmationDoesNotNameTheAccountHolder: the link that
// confirms a new address goes to an address not yet known to be the
// user's (a typo, someone else's): it greets whoever holds it without
// the account holder's name, in both languages.
func TestTheNewAddressConfirmationDoesNotNameTheAccountHolder(t *testing.T) {
	tm := newTeam(t)
	for i, lang := range []string{"en", "nl"} {
		Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"language": lang, "receive": []string{}}), 200)
		Expect(t, tm.in.Post(t, "/api/v1/me/email-changes", tm.applicant.Token,
			map[string]string{"email": "carla." + lang + "@example.org", "current_password": tm.applicant.Password}), 202)
		m := tm.waitKind(t, "email_verification", i+1)
		var body string
		for _, v := range m {
			if v["language"] == lang {
				body = v["body"].(string)
			}
		}
		if body == "" || strings.Contains(body, tm.applicant.Name) || strings.Contains(body, "Carla") {
			t.Errorf("%s: the confirmation to the new address names the account holder (or is missing):\n%s", lang, body)
		}
		if greeting := map[string]string{"en": "Hello,\n", "nl": "Goedendag,\n"}[lang]; !strings.HasPrefix(body, greeting) {
			t.Errorf("%s: the confirmation does not greet neutrally with %q:\n%s", lang, greeting, body)
		}
	}
}

// mailOn waits for the message of kind about case id and returns its body.
func (tm *team) mailOn(t *testing.T, kind, id string) string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		for _, m := range tm.ofKind(t, kind) {
			if m["case_id"] == id {
				return m["body"].(string)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s mail on case %s", kind, id)
		}
	}
}

// TestARefusalsMailSaysTheApplicantMayAppeal: the decision's mail on a
// refusal, or on an award below the level applied for, tells the applicant
// they may appeal, where (the application page it links, under the appeal
// form's heading) and until when the case's rules allow, worded as the
// application page words it; with no window set it gives no date, and an
// award at the level applied for says nothing of an appeal.
func TestARefusalsMailSaysTheApplicantMayAppeal(t *testing.T) {
	tm := newTeam(t)
	decide := func(outcome, level string) (string, time.Time) {
		t.Helper()
		id := tm.openEIA(t)
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		tm.toDecision(t, id)
		body := map[string]string{"outcome": outcome, "rationale": "As the panel found."}
		if outcome == "awarded" {
			body["level"] = level
		}
		d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, body, 200)
		at, err := time.Parse(time.RFC3339, d["decision"].(map[string]any)["at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return id, at
	}
	where := "on the application page, under \"Appeal against the decision\", give your grounds."
	open, _ := decide("not_awarded", "")
	if b := tm.mailOn(t, "decision", open); !strings.Contains(b, "If you disagree with the decision, you can appeal:\n"+where) ||
		!strings.Contains(b, tm.in.URL+"/applications/"+open+"\n") {
		t.Errorf("a refusal under the shipped rules (no window): the mail does not say the applicant may appeal, nor where:\n%s", b)
	}
	same, _ := decide("awarded", "practitioner")
	if b := tm.mailOn(t, "decision", same); strings.Contains(b, "appeal") {
		t.Errorf("an award at the level applied for: the mail speaks of an appeal:\n%s", b)
	}

	window := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "appeal_window_days", "values": map[string]any{"foundation": 30, "practitioner": 30, "senior_practitioner": 30, "master_practitioner": 30}},
	}}
	Expect(t, tm.in.Do(t, Request{Method: http.MethodPost, Path: "/api/v1/rulesets", Token: tm.admin, Body: window}), 201)
	refused, at := decide("not_awarded", "")
	if b, by := tm.mailOn(t, "decision", refused), dates.DateTime("en", at.AddDate(0, 0, 30)); !strings.Contains(b, "If you disagree with the decision, you can appeal until "+by+":\n"+where) {
		t.Errorf("a refusal under a 30-day window: the mail does not say until %s:\n%s", by, b)
	}
	lower, at := decide("awarded", "foundation")
	if b, by := tm.mailOn(t, "decision", lower), dates.DateTime("en", at.AddDate(0, 0, 30)); !strings.Contains(b, "If you disagree with the lower level, you can appeal until "+by+":\n"+where) {
		t.Errorf("an award below the level applied for: the mail does not say the lower level may be appealed until %s:\n%s", by, b)
	}
}

// TestAnAppealsMailSaysWhatFollows: upheld, the mail says the decision is
// overturned, an accreditation it awarded withdrawn (naming it), and where
// the case goes back to (its assessors, or the office's decision), as the
// domain does it; dismissed, that the decision stands. In both languages.
func TestAnAppealsMailSaysWhatFollows(t *testing.T) {
	tm := newTeam(t)
	rita := tm.in.CreateUser(t, tm.admin, "office", "rita@example.org", "Rita Reviewer")
	appeal := func(outcome, level, returnTo string) (string, string) {
		t.Helper()
		id := tm.openEIA(t)
		tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
		tm.toDecision(t, id)
		body := map[string]string{"outcome": "not_awarded", "rationale": "As the panel found."}
		if level != "" {
			body["outcome"], body["level"] = "awarded", level
		}
		d := tm.post(t, "/api/v1/cases/"+id+"/decision", tm.admin, body, 200)
		acc := ""
		if a, ok := d["accreditation"].(map[string]any); ok {
			acc = a["id"].(string)
		}
		tm.post(t, "/api/v1/cases/"+id+"/appeal", tm.applicant.Token, map[string]string{"grounds": "My supervision log was overlooked."}, 200)
		decision := map[string]string{"outcome": outcome, "rationale": "Looked at again."}
		if returnTo != "" {
			decision["return_to"] = returnTo
		}
		tm.post(t, "/api/v1/cases/"+id+"/appeal/decision", rita.Token, decision, 200)
		return tm.mailOn(t, "appeal_outcome", id), acc
	}
	b, acc := appeal("upheld", "foundation", "")
	if !strings.Contains(b, "is decided: upheld.\nThe decision is overturned, and the accreditation it awarded (certificate "+acc+") is withdrawn.\n"+
		"Your application goes back to its assessor and verifier, who assess it again;\nthe EMCC office then decides on it anew.") {
		t.Errorf("upheld, back to assessment, a lower award withdrawn: the mail does not say what follows:\n%s", b)
	}
	if b, _ = appeal("upheld", "", "decision"); !strings.Contains(b, "is decided: upheld.\nThe decision is overturned.\nYour application goes back to the EMCC office, which decides on it again.") {
		t.Errorf("upheld, back to the decision: the mail does not say what follows:\n%s", b)
	}
	if b, _ = appeal("dismissed", "", ""); !strings.Contains(b, "is decided: dismissed.\nThe decision stands.") {
		t.Errorf("dismissed: the mail does not say the decision stands:\n%s", b)
	}
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"language": "nl", "receive": []string{"appeal_outcome"}}), 200)
	if b, _ = appeal("upheld", "", "decision"); !strings.Contains(b, "het beroep is gegrond.\nHet besluit vervalt.\nUw aanvraag gaat terug naar het EMCC-bureau, dat er opnieuw over beslist.") {
		t.Errorf("upheld, in Dutch: the mail does not say what follows:\n%s", b)
	}
}

// TestAMovedInterviewsMailSaysItMoved: an interview set again before it
// took place is told as moved, in the subject and the body, with the time
// it was set for and the new time and place; the first is told as set, and
// one set again after the time of the one before had passed (not held as
// set) as set, not moved. In both languages.
func TestAMovedInterviewsMailSaysItMoved(t *testing.T) {
	tm := newTeam(t)
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	first := time.Date(2026, 3, 4, 14, 30, 0, 0, time.UTC) // two days after the team's clock
	moved := time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)
	schedule := func(at time.Time, place string) map[string]any {
		t.Helper()
		tm.post(t, "/api/v1/cases/"+id+"/interview", tm.admin, map[string]any{"at": at.Format(time.RFC3339), "place": place}, 200)
		return tm.waitMail(t, "interview", func(m map[string]any) bool { // the applicant's: the assessors are told too
			return m["recipient_id"] == tm.applicant.ID && strings.Contains(m["body"].(string), place)
		})
	}
	if m := schedule(first, "https://meet.example.org/first"); m["subject"] != "Your interview for application "+id ||
		!strings.Contains(m["body"].(string), "is set for 4 March 2026 14:30 UTC.") {
		t.Errorf("the first interview's mail: %v", m)
	}
	m := schedule(moved, "Room 3, EMCC House")
	if b := m["body"].(string); m["subject"] != "Your interview for application "+id+" is moved" ||
		!strings.Contains(b, "(EIA · Senior Practitioner) is moved.\nIt was set for 4 March 2026 14:30 UTC; it is now set for 6 March 2026 10:00 UTC.\nWhere: Room 3, EMCC House") ||
		strings.Contains(b, "is set for") {
		t.Errorf("the moved interview's mail reads as a first invitation, or lacks the old or the new time and place:\n%v\n%s", m["subject"], b)
	}
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"language": "nl", "receive": []string{"interview"}}), 200)
	m = schedule(moved.Add(24*time.Hour), "Kamer 4")
	if b := m["body"].(string); m["subject"] != "Uw interview voor aanvraag "+id+" is verplaatst" ||
		!strings.Contains(b, "is verplaatst.\nHet was vastgesteld op 6 maart 2026 om 10:00 UTC; het is nu vastgesteld op 7 maart 2026 om 10:00 UTC.\nWaar: Kamer 4") {
		t.Errorf("the moved interview's Dutch mail:\n%v\n%s", m["subject"], b)
	}
	// Past the time set (the interview not held as set), one set again is
	// no move of an interview to come.
	tm.setClock(t, moved.Add(48*time.Hour))
	m = schedule(moved.Add(72*time.Hour), "Kamer 5")
	if b := m["body"].(string); m["subject"] != "Uw interview voor aanvraag "+id || !strings.Contains(b, "is vastgesteld op 9 maart 2026 om 10:00 UTC.") {
		t.Errorf("an interview set after the time of the one before: told as moved:\n%v\n%s", m["subject"], b)
	}
}

// TestAnEmptyDigestIsNotSent: a day with no new submission and no case
// overdue sends the office no digest, however often the job runs that day
// (nor later that day, when a submission comes: the day's was decided);
// the next day's, with that submission, is sent, listing from when the
// empty one was found.
func TestAnEmptyDigestIsNotSent(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	run := func() {
		t.Helper()
		if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	found := tm.clock.Now()
	run()
	run()
	if d := tm.ofKind(t, "digest"); len(d) != 0 {
		t.Fatalf("nothing submitted, nothing overdue: %d digests sent, want none: %v", len(d), d)
	}
	tm.setClock(t, found.Add(time.Hour))
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	waitNotified(t, tm.in, lastSeq(t, tm.in))
	tm.setClock(t, found.Add(2*time.Hour))
	run()
	if d := tm.ofKind(t, "digest"); len(d) != 0 {
		t.Fatalf("the day's digest, found empty, was sent later that day: %v", d)
	}
	tm.setClock(t, found.Add(25*time.Hour))
	run()
	d := tm.ofKind(t, "digest")
	if len(d) != 1 || !strings.Contains(d[0]["body"].(string), "New submissions since "+dates.DateTime("en", found)+": 1\n- "+id+": ") {
		t.Fatalf("the next day, with a submission: %d digests, want 1 listing %s since the empty one: %v", len(d), id, d)
	}
}

// TestADigestAfterARestartListsWhatCameAfterAnEmptyOne: the mark that a
// day's digest was found empty lives in the process. One started the day
// after, which no longer knows it, must still list a submission that came
// after the empty check: it once looked back 24 hours from its own run,
// so a run later in the day than the empty check left the submission out
// of every digest.
func TestADigestAfterARestartListsWhatCameAfterAnEmptyOne(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	found := tm.clock.Now()
	if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
		t.Fatal(err)
	}
	tm.setClock(t, found.Add(time.Hour))
	id := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	waitNotified(t, tm.in, lastSeq(t, tm.in))
	tm.in.Restart(t)                        // its leases given up: the next process runs the mail job at once
	tm.setClock(t, found.Add(30*time.Hour)) // the next day, later than the empty check
	if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
		t.Fatal(err)
	}
	d := tm.ofKind(t, "digest")
	if len(d) != 1 || !strings.Contains(d[0]["body"].(string), "- "+id+": ") {
		t.Fatalf("after a restart, the next day: %d digests, want 1 listing %s, submitted after the day's empty check: %v", len(d), id, d)
	}
}
