package api_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"mime"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/dates"
)

// openEIAIn opens an EIA practitioner case in lang, ready to submit.
func (tm *team) openEIAIn(t *testing.T, lang string) string {
	t.Helper()
	id := tm.post(t, "/api/v1/cases", tm.applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": lang}, 201)["id"].(string)
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/portfolio", tm.applicant.Token, eiaPortfolio()), 200)
	Expect(t, tm.in.Upload(t, id, tm.applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1,2", "indicators": "31"}, "reflections.pdf", pdf, nil), 201)
	var cats []map[string]any
	for cat := 3; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("How I work on category %d", cat)})
	}
	Expect(t, tm.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", tm.applicant.Token, map[string]any{"categories": cats}), 200)
	return id
}

// returned submits case id and has the office return it; it returns the
// seq of the return.
func (tm *team) returned(t *testing.T, id string) uint64 {
	t.Helper()
	tm.post(t, "/api/v1/cases/"+id+"/submit", tm.applicant.Token, declared, 200)
	r := tm.post(t, "/api/v1/cases/"+id+"/screening", tm.admin, map[string]string{"outcome": "returned", "reason": "The supervision log is missing."}, 200)
	return uint64(r["seq"].(float64))
}

// waitNotified waits until in's notifier has handled seq, and its read
// side applied it: the digest job reads the office's queue from the read
// models (bounded: a stuck notifier or read side fails the test, a slow
// one does not).
func waitNotified(t *testing.T, in *Instance, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for in.App.Notifier.Position() < seq || in.App.Reads.Position() < seq {
		if time.Now().After(deadline) {
			t.Fatalf("notifier at %d, read side at %d, not at %d after a minute", in.App.Notifier.Position(), in.App.Reads.Position(), seq)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// outbox lists the office's outbox.
func (tm *team) outbox(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range tm.get(t, "/api/v1/outbox?limit=500", tm.admin)["messages"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

func to(addr string) func(Mail) bool { return func(m Mail) bool { return m.To == addr } }

// TestEmailEndToEndThroughSMTP: an event (the office returns a Dutch
// application), the outbox, delivery to a real SMTP server with
// credentials, the email in Dutch with a link to the case and a
// deterministic Message-ID, recorded as sent; an assignment by the office
// mails the assessor, a claim does not.
func TestEmailEndToEndThroughSMTP(t *testing.T) {
	mb := StartMailbox(t, "mailer", "s3cret-smtp-pass")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = mb.URL(); c.MailFrom = "EMCC Office <office@emcc.test>" })
	id := tm.openEIAIn(t, "nl")
	seq := tm.returned(t, id)

	got := mb.Wait(t, to(tm.applicant.Email))
	if got.From != "office@emcc.test" || got.Header.Get("From") != "EMCC Office <office@emcc.test>" {
		t.Errorf("from: envelope %q, header %q", got.From, got.Header.Get("From"))
	}
	subject := got.Header.Get("Subject")
	if dec, err := new(mimeDecoder).DecodeHeader(subject); err == nil {
		subject = dec
	}
	if want := "Uw aanvraag " + id + " is teruggestuurd"; subject != want {
		t.Errorf("subject %q, want %q", subject, want)
	}
	link := tm.in.URL + "/applications/" + id
	if !strings.Contains(got.Body, "Beste Carla Coach") || !strings.Contains(got.Body, link) {
		t.Errorf("body does not greet in Dutch or link to %s:\n%s", link, got.Body)
	}
	if l := got.Header.Get("Content-Language"); l != "nl" {
		t.Errorf("Content-Language %q", l)
	}
	wantID := fmt.Sprintf("<e%d.returned.%s@127.0.0.1>", seq, tm.applicant.ID)
	if mid := got.Header.Get("Message-ID"); mid != wantID {
		t.Errorf("Message-ID %q, want %q", mid, wantID)
	}

	// The outbox records it as sent (recorded just after the server took it).
	deadline := time.Now().Add(time.Minute)
	for {
		list := tm.outbox(t)
		if len(list) == 1 && list[0]["status"] == "sent" {
			if list[0]["kind"] != "returned" || list[0]["link"] != link || list[0]["attempts"].(float64) != 1 {
				t.Fatalf("outbox entry: %v", list[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox: %v", list)
		}
		time.Sleep(20 * time.Millisecond)
	}
	Expect(t, tm.in.Get(t, "/api/v1/outbox", tm.applicant.Token), 403)
	Expect(t, tm.in.Get(t, "/api/v1/outbox", ""), 401)
	if strings.Contains(tm.in.Log.String(), "s3cret-smtp-pass") {
		t.Fatal("the SMTP password is in the log")
	}

	// The office assigns the verifier: mailed, in English (no case, no
	// choice: the assessor's default), saying in which role; the assessor
	// who claimed: not.
	other := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+other+"/submit", tm.applicant.Token, declared, 200)
	tm.toAssessment(t, other)
	v := mb.Wait(t, to(tm.verifier.Email))
	if !strings.Contains(v.Body, tm.in.URL+"/assess/"+other) || !strings.Contains(v.Body, "Dear Victor Verifier") ||
		!strings.Contains(v.Body, "Case "+other+" is assigned to you as its verifier.") {
		t.Errorf("assignment email:\n%s", v.Body)
	}
	for _, m := range tm.outbox(t) {
		if m["recipient_id"] == tm.assessor.ID {
			t.Errorf("the assessor who claimed the case was mailed: %v", m)
		}
	}
}

// TestEmailOnceAcrossTwoProcessesAndRestarts: two accreditd on one
// JetStream, both notifying and sending, mail a decision once; a restart
// neither notifies nor sends it again, and what happens after it is mailed.
func TestEmailOnceAcrossTwoProcessesAndRestarts(t *testing.T) {
	mb := StartMailbox(t, "", "")
	tm, second := twoProcesses(t, func(c *app.Config) { c.SMTPURL = mb.URL() })

	id, _ := tm.awardedCase(t)
	decision := func(m Mail) bool { return m.To == tm.applicant.Email && strings.Contains(m.Body, id) }
	mb.Wait(t, decision)
	last, err := tm.in.App.Events.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waitNotified(t, tm.in, last)
	waitNotified(t, second, last)
	ctx := context.Background()
	if n := tm.in.App.Outbox.SendDue(ctx) + second.App.Outbox.SendDue(ctx); n != 0 {
		t.Fatalf("sent %d more after the first", n)
	}
	count := func() (n int) {
		for _, m := range mb.Received() {
			if decision(m) {
				n++
			}
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("the decision was mailed %d times by two processes, want once", n)
	}
	if got := len(tm.outbox(t)); got != 2 { // the verifier's assignment and the decision
		t.Errorf("outbox holds %d messages, want 2: %v", got, tm.outbox(t))
	}

	second.App.Close()
	tm.in.Restart(t)
	if p := tm.in.App.Notifier.Position(); p < last {
		t.Fatalf("after a restart the notifier resumed at %d, before %d", p, last)
	}
	waitNotified(t, tm.in, last)
	if n := tm.in.App.Outbox.SendDue(ctx); n != 0 {
		t.Fatalf("a restart sent %d again", n)
	}
	// What happens after the restart is mailed, once.
	next := tm.openEIA(t)
	tm.returned(t, next)
	mb.Wait(t, func(m Mail) bool { return m.To == tm.applicant.Email && strings.Contains(m.Body, next) })
	if n := count(); n != 1 {
		t.Fatalf("the decision was mailed %d times after a restart, want once", n)
	}
}

// TestEmailKeptWithoutSMTPAndErased: with no SMTP server the office reads
// the mail in the outbox; a user's choices decide what is written; an
// erased person's kept mail no longer shows their address or their name.
func TestEmailKeptWithoutSMTPAndErased(t *testing.T) {
	tm := newTeam(t)
	id := tm.openEIA(t)
	tm.returned(t, id)
	var list []map[string]any
	deadline := time.Now().Add(time.Minute)
	for len(list) == 0 && time.Now().Before(deadline) {
		list = tm.outbox(t)
		time.Sleep(10 * time.Millisecond)
	}
	if len(list) != 1 || list[0]["status"] != "kept" || list[0]["subject"] != "Your application "+id+" was returned" {
		t.Fatalf("outbox without SMTP: %v", list)
	}
	msg := tm.get(t, "/api/v1/outbox/"+list[0]["id"].(string), tm.admin)
	if msg["to"] != tm.applicant.Email || !strings.Contains(msg["body"].(string), "Dear Carla Coach") ||
		!strings.Contains(msg["body"].(string), tm.in.URL+"/applications/"+id) {
		t.Fatalf("kept message: %v", msg)
	}
	Expect(t, tm.in.Get(t, "/api/v1/outbox/no.such.message", tm.admin), 404)
	Expect(t, tm.in.Get(t, "/api/v1/outbox/"+list[0]["id"].(string), tm.applicant.Token), 403)

	// Choices: the applicant's, validated; "returned" off writes nothing.
	ch := tm.get(t, "/api/v1/me/notifications", tm.applicant.Token)
	if len(ch["kinds"].([]any)) != 8 || ch["language"] != "" {
		t.Fatalf("default choices: %v", ch)
	}
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{"digest"}}), 400)
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{}, "language": "de"}), 400)
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"language": "nl"}), 400)
	Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{"decision"}, "language": "nl"}), 200)
	// The language left out stays as chosen.
	if ch := Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tm.applicant.Token, map[string]any{"receive": []string{"decision"}}), 200).Map(t); ch["language"] != "nl" {
		t.Fatalf("choices without the language reset it: %v", ch)
	}
	again := tm.openEIA(t)
	waitNotified(t, tm.in, tm.returned(t, again))
	if n := len(tm.outbox(t)); n != 1 {
		t.Fatalf("with 'returned' turned off the outbox holds %d messages, want 1", n)
	}

	Expect(t, tm.in.Post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}), 200)
	msg = tm.get(t, "/api/v1/outbox/"+list[0]["id"].(string), tm.admin)
	if msg["to"] != "[erased]" || msg["body"] != "[erased]" {
		t.Fatalf("an erased person's kept mail: %v", msg)
	}
}

type mimeDecoder = mime.WordDecoder

// ofKind returns the outbox's messages of kind, opened.
func (tm *team) ofKind(t *testing.T, kind string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range tm.outbox(t) {
		if m["kind"] == kind {
			out = append(out, tm.get(t, "/api/v1/outbox/"+m["id"].(string), tm.admin))
		}
	}
	return out
}

// TestEmailRenewalRemindersAndDailyDigest: the timed jobs, run as often as
// one likes, write the 90-day and the 30-day renewal reminder once each,
// linking to the accreditation, and one digest a day for the office with
// the day's new submissions and the overdue cases, linking to each.
func TestEmailRenewalRemindersAndDailyDigest(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	submitted := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+submitted+"/submit", tm.applicant.Token, declared, 200)
	waitNotified(t, tm.in, lastSeq(t, tm.in))
	tm.setClock(t, tm.clock.Now().Add(time.Hour))
	first := tm.clock.Now() // the first digest's time, from which the next lists
	for range 2 {
		if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	digests := tm.ofKind(t, "digest")
	if len(digests) != 1 {
		t.Fatalf("%d digests on one day, want 1 (for the one office user)", len(digests))
	}
	body := digests[0]["body"].(string)
	if !strings.Contains(body, "New submissions since "+dates.DateTime("en", first.AddDate(0, 0, -7))+": 1\n- "+submitted+": "+tm.in.URL+"/office/cases/"+submitted) ||
		!strings.Contains(body, "Overdue cases: 0") || digests[0]["to"] != AdminEmail {
		t.Fatalf("the digest:\n%v", digests[0])
	}
	// The next day's digest lists what came since the last one, whenever the
	// job first runs that day: here 26 hours after it, a submission an hour
	// after it listed (a window of 24 hours before the run left it out).
	tm.setClock(t, tm.clock.Now().Add(time.Hour))
	later := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+later+"/submit", tm.applicant.Token, declared, 200)
	waitNotified(t, tm.in, lastSeq(t, tm.in))
	tm.setClock(t, tm.clock.Now().Add(25*time.Hour))
	if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
		t.Fatal(err)
	}
	digests = tm.ofKind(t, "digest")
	if len(digests) != 2 {
		t.Fatalf("%d digests over two days, want 2", len(digests))
	}
	var next string
	for _, d := range digests {
		if b := d["body"].(string); !strings.Contains(b, submitted) {
			next = b
		}
	}
	if !strings.Contains(next, "New submissions since "+dates.DateTime("en", first)+": 1\n- "+later+":") {
		t.Fatalf("the next day's digest:\n%s", next)
	}

	_, accID := tm.awardedCase(t)
	until, err := time.Parse(time.RFC3339, tm.get(t, "/api/v1/accreditations/"+accID, tm.applicant.Token)["accreditation"].(map[string]any)["valid_until"].(string))
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		before int
		want   string
	}{{89, "Your accreditation runs out in 89 days"}, {29, "Your accreditation runs out in 29 days"}} {
		tm.setClock(t, until.AddDate(0, 0, -step.before))
		for range 2 {
			if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var found bool
		for _, m := range tm.ofKind(t, "renewal_reminder") {
			if m["subject"] == step.want {
				if found {
					t.Fatalf("reminder %q written twice", step.want)
				}
				found = true
				if m["link"] != tm.in.URL+"/accreditations/"+accID || m["to"] != tm.applicant.Email {
					t.Fatalf("reminder: %v", m)
				}
			}
		}
		if !found {
			t.Fatalf("no reminder %q", step.want)
		}
	}
	if n := len(tm.ofKind(t, "renewal_reminder")); n != 2 {
		t.Fatalf("%d reminders, want 2", n)
	}
	// Years on, the first two cases are still in progress: overdue in that day's digest.
	var last map[string]any
	for _, d := range tm.ofKind(t, "digest") {
		if b := d["body"].(string); strings.Contains(b, "Overdue cases: 2\n") && strings.Contains(b, "- "+submitted+":") && strings.Contains(b, "- "+later+":") {
			last = d
		}
	}
	if last == nil {
		t.Fatalf("no digest lists %s as overdue: %v", submitted, tm.ofKind(t, "digest"))
	}
}

// TestRenewalRemindersFallWithinTheRenewalWindow: under rules that open
// renewal two months before the end, no reminder is mailed 90 days before
// it, inviting a renewal that would be refused; the first is mailed when
// the window opens, and the renewal it invites is accepted; the 30-day one
// then is not mailed, as the renewal sent awaits its assessment (see
// TestNoRenewalReminderOnceTheRenewalIsSent).
func TestRenewalRemindersFallWithinTheRenewalWindow(t *testing.T) {
	tm, accID, until, remindersAt := renewalWindowOf(t, 2)
	if got := remindersAt(until.AddDate(0, 0, -89)); len(got) != 0 {
		t.Fatalf("89 days before the end, before renewal opens: reminders %q, want none", got)
	}
	opens := until.AddDate(0, -2, 0).Add(time.Hour)
	days := int(math.Ceil(until.Sub(opens).Hours() / 24))
	if got := remindersAt(opens); len(got) != 1 || got[0] != fmt.Sprintf("Your accreditation runs out in %d days", days) {
		t.Fatalf("as renewal opens: reminders %q, want one, %d days before the end", got, days)
	}
	tm.post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, eiaRenewalBody(), 200)
	if got := remindersAt(until.AddDate(0, 0, -29)); len(got) != 1 {
		t.Fatalf("29 days before the end, the renewal sent: reminders %q, want still the one", got)
	}
}

// TestNoRenewalReminderOnceTheRenewalIsSent: a holder whose renewal awaits
// its assessment, or was refused (the award runs to its end and another
// renewal is refused), is not told to "renew it in time"; one whose
// renewal was returned to them to resubmit is.
func TestNoRenewalReminderOnceTheRenewalIsSent(t *testing.T) {
	for _, tc := range []struct {
		outcome string // "" for none: the renewal awaits its assessor
		want    int
	}{{"", 0}, {"refuse", 0}, {"return", 1}} {
		t.Run("renewal "+cmp.Or(tc.outcome, "submitted"), func(t *testing.T) {
			tm, accID, until, remindersAt := renewalWindowOf(t, 6)
			tm.setClock(t, until.AddDate(0, 0, -100))
			tm.post(t, "/api/v1/accreditations/"+accID+"/renewal", tm.applicant.Token, eiaRenewalBody(), 200)
			if tc.outcome != "" {
				tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", tm.admin, map[string]string{"assessor_id": tm.assessor.ID}, 200)
				tm.post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", tm.assessor.Token,
					map[string]string{"outcome": tc.outcome, "rationale": "The supervision is not evidenced."}, 200)
			}
			remindersAt(until.AddDate(0, 0, -89))
			if got := remindersAt(until.AddDate(0, 0, -29)); len(got) != 2*tc.want {
				t.Fatalf("90 and 30 days before the end: reminders %q, want %d", got, 2*tc.want)
			}
		})
	}
}

// TestARenewalWindowOpeningWithin30DaysGetsOneReminder: with a window of
// one month, which here (the awards of these tests run out in March)
// opens 28 days before the end, the 90-day reminder is not mailed as the
// window opens beside the 30-day one: the holder gets one reminder.
func TestARenewalWindowOpeningWithin30DaysGetsOneReminder(t *testing.T) {
	_, _, until, remindersAt := renewalWindowOf(t, 1)
	opens := until.AddDate(0, -1, 0).Add(time.Hour)
	days := int(math.Ceil(until.Sub(opens).Hours() / 24))
	if days > 30 {
		t.Fatalf("the window opens %d days before the end: this test needs it within 30", days)
	}
	if got := remindersAt(opens.Add(-2 * time.Hour)); len(got) != 0 {
		t.Fatalf("before the window opens: reminders %q, want none", got)
	}
	if got := remindersAt(opens); len(got) != 1 || got[0] != fmt.Sprintf("Your accreditation runs out in %d days", days) {
		t.Fatalf("as renewal opens, %d days before the end: reminders %q, want the one", days, got)
	}
	if got := remindersAt(until.AddDate(0, 0, -5)); len(got) != 1 {
		t.Fatalf("5 days before the end: reminders %q, want still the one", got)
	}
}

// renewalWindowOf publishes an EIA rule set whose renewal window is months
// at every level, awards a case under it, and returns the team, the
// accreditation, when it runs out, and a function that moves the clock to
// a time, runs the mail jobs and gives the subjects of the renewal
// reminders written so far.
func renewalWindowOf(t *testing.T, months int) (*team, string, time.Time, func(time.Time) []string) {
	t.Helper()
	tm := newTeam(t)
	ctx := context.Background()
	window := map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02", "rules": []map[string]any{
		{"name": "renewal_window_months", "values": map[string]any{"foundation": months, "practitioner": months, "senior_practitioner": months, "master_practitioner": months}},
	}}
	Expect(t, tm.in.Do(t, Request{Method: "POST", Path: "/api/v1/rulesets", Token: tm.admin, Body: window}), 201)
	_, accID := tm.awardedCase(t)
	until, err := time.Parse(time.RFC3339, tm.get(t, "/api/v1/accreditations/"+accID, tm.applicant.Token)["accreditation"].(map[string]any)["valid_until"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return tm, accID, until, func(at time.Time) []string {
		t.Helper()
		tm.setClock(t, at)
		if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, m := range tm.ofKind(t, "renewal_reminder") {
			subjects = append(subjects, m["subject"].(string))
		}
		return subjects
	}
}

func lastSeq(t *testing.T, in *Instance) uint64 {
	t.Helper()
	n, err := in.App.Events.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEmailFailuresAreRecordedAndRetriedWithBackoff: an SMTP server that
// refuses the credentials; each attempt is recorded with its error (never
// the password) and the next one waits 1, 2, 4 ... minutes; after 8 the
// message is failed and no longer tried.
func TestEmailFailuresAreRecordedAndRetriedWithBackoff(t *testing.T) {
	mb := StartMailbox(t, "mailer", "the-right-one")
	tm := newTeam(t, func(c *app.Config) { c.SMTPURL = "smtp://mailer:pa55-not-right@" + mb.Addr })
	tm.returned(t, tm.openEIA(t))
	ctx := context.Background()
	wait := func(attempts int) map[string]any {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			if list := tm.outbox(t); len(list) == 1 && list[0]["attempts"].(float64) == float64(attempts) && list[0]["status"] != "sending" {
				return list[0]
			}
			if time.Now().After(deadline) {
				t.Fatalf("no attempt %d recorded: %v", attempts, tm.outbox(t))
			}
			tm.in.App.Outbox.SendDue(ctx)
			time.Sleep(20 * time.Millisecond)
		}
	}
	for n := 1; n < 8; n++ {
		m := wait(n)
		next, _ := time.Parse(time.RFC3339, fmt.Sprint(m["next_attempt_at"]))
		if m["status"] != "queued" || !next.Equal(tm.clock.Now().Add(time.Minute<<(n-1))) {
			t.Fatalf("after attempt %d: status %v, next attempt %v, want queued at %v", n, m["status"], m["next_attempt_at"], tm.clock.Now().Add(time.Minute<<(n-1)))
		}
		if e := m["last_error"].(string); !strings.Contains(e, "authenticate") || strings.Contains(e, "pa55-not-right") {
			t.Fatalf("last error %q: want the failed authentication, never the password", e)
		}
		// Not due before its time.
		if tm.in.App.Outbox.SendDue(ctx) != 0 || tm.outbox(t)[0]["attempts"].(float64) != float64(n) {
			t.Fatalf("attempt %d retried before its backoff", n)
		}
		tm.clock.Advance(time.Minute << (n - 1))
	}
	m := wait(8)
	if m["status"] != "failed" || m["next_attempt_at"] != nil {
		t.Fatalf("after 8 attempts: %v", m)
	}
	if len(mb.Received()) != 0 {
		t.Fatal("the refused server received mail")
	}
}

// waitKind waits until the outbox holds n messages of kind and returns them
// opened.
func (tm *team) waitKind(t *testing.T, kind string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := tm.ofKind(t, kind)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox: %d messages of kind %s, want %d", len(got), kind, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEmailTellsTheInterviewTheRenewalAndTheEnd: the applicant is told
// when and where their interview is, for which application (as its page
// heads it), and the level an award gave; the assessor who asked for
// information that it is answered; the holder when their renewal is
// returned to them and when it is renewed (with its new end), and when the
// office revokes their accreditation, not when they withdraw it themself.
func TestEmailTellsTheInterviewTheRenewalAndTheEnd(t *testing.T) {
	tm := newTeam(t) // no SMTP: mail is kept in the outbox, where it is read
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	at := time.Date(2026, 3, 4, 14, 30, 0, 0, time.UTC) // two days after the team's clock
	tm.post(t, "/api/v1/cases/"+id+"/interview", tm.admin, map[string]any{"at": at.Format(time.RFC3339), "place": "https://meet.example.org/emcc"}, 200)
	m := tm.waitMail(t, "interview", toUser(tm.applicant.ID)) // the assessors are told too (interviewassessors_test.go)
	if !strings.Contains(m["body"].(string), id+" (EIA · Senior Practitioner) is set for 4 March 2026 14:30 UTC.") ||
		!strings.Contains(m["body"].(string), "https://meet.example.org/emcc") || m["link"] != tm.in.URL+"/applications/"+id {
		t.Fatalf("the interview's email: %v", m)
	}

	// The assessor asks for information; the applicant's answer is told
	// to them.
	tm.post(t, "/api/v1/cases/"+id+"/information-requests", tm.assessor.Token, map[string]string{"questions": "Who supervises you?"}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/information-responses", tm.applicant.Token, map[string]string{"answer": "Dr. Sup Ervisor."}, 200)
	if a := tm.waitKind(t, "information_answered", 1)[0]; a["recipient_id"] != tm.assessor.ID || a["link"] != tm.in.URL+"/assess/"+id {
		t.Fatalf("the answer's email: %v", a)
	}

	_, mine := tm.awardedCase(t)
	// The award's mail names the level awarded.
	if d := tm.waitKind(t, "decision", 1)[0]; !strings.Contains(d["body"].(string), ": accreditation awarded at the Practitioner level.") {
		t.Fatalf("the award's email does not name the level:\n%s", d["body"])
	}
	_, accID := tm.awardedCase(t)
	tm.setClock(t, time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	renata := tm.newAssessor(t, "renata@example.org", "Renata Renewals")
	renata.Token = tm.in.Login(t, renata.Email, renata.Password)
	renew := "/api/v1/accreditations/" + accID + "/renewal"
	tm.post(t, renew, tm.applicant.Token, eiaRenewalBody(), 200)
	tm.post(t, renew+"/assignment", tm.admin, map[string]string{"assessor_id": renata.ID}, 200)
	var toRenata map[string]any
	for deadline := time.Now().Add(time.Minute); toRenata == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, m := range tm.ofKind(t, "assigned") {
			if m["recipient_id"] == renata.ID {
				toRenata = m
			}
		}
	}
	if toRenata == nil || toRenata["link"] != tm.in.URL+"/accreditations/"+accID || toRenata["subject"] != "The renewal of accreditation "+accID+" is assigned to you" {
		t.Fatalf("the renewal's assessor is not told, or not so: %v", toRenata)
	}
	tm.post(t, renew+"/assessment", renata.Token, map[string]string{"outcome": "return", "rationale": "Say more about supervision."}, 200)
	tm.post(t, renew, tm.applicant.Token, eiaRenewalBody(), 200)
	tm.post(t, renew+"/assessment", renata.Token, map[string]string{"outcome": "renew", "rationale": "Complete."}, 200)
	outcomes := tm.waitKind(t, "renewal_outcome", 2)
	var bodies []string
	for _, o := range outcomes {
		// The holder knows the certificate number, not the case.
		if o["recipient_id"] != tm.applicant.ID || o["link"] != tm.in.URL+"/accreditations/"+accID || o["subject"] != "The renewal of your accreditation (certificate "+accID+")" {
			t.Fatalf("a renewal's email: %v", o)
		}
		bodies = append(bodies, o["body"].(string))
	}
	all := strings.Join(bodies, "\n")
	if !strings.Contains(all, "was returned to you") || !renewedUntil.MatchString(all) {
		t.Fatalf("the renewal's emails:\n%s", all)
	}

	// The holder withdraws one themself: not told; the office revokes the
	// other: told (mailed in order, so the first was passed by then).
	tm.post(t, "/api/v1/accreditations/"+mine+"/withdrawal", tm.applicant.Token, map[string]string{"reason": "I retire."}, 200)
	tm.post(t, "/api/v1/accreditations/"+accID+"/revocation", tm.admin, map[string]string{"reason": "Upheld ethics complaint."}, 200)
	ended := tm.waitKind(t, "accreditation_ended", 1)
	if len(ended) != 1 || ended[0]["link"] != tm.in.URL+"/accreditations/"+accID || !strings.Contains(ended[0]["body"].(string), "has revoked your accreditation") ||
		ended[0]["subject"] != "Your EMCC accreditation has ended (certificate "+accID+")" {
		t.Fatalf("the ending's emails: %v", ended)
	}
}

// renewedUntil is a renewal's email naming its new end in words.
var renewedUntil = regexp.MustCompile(`is renewed, valid until [1-9][0-9]? (January|February|March|April|May|June|July|August|September|October|November|December) 2036\.`)

// Each office user's digest lists the submissions since their own digest
// before it: another's digest of yesterday made late (digest turned on in
// the afternoon) does not move their window, which would leave a
// submission between their digest and that one in no digest of theirs.
func TestDigestWindowStartsAtTheRecipientsOwnLastDigest(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	olga := tm.in.CreateUser(t, tm.admin, "office", "olga@example.org", "Olga Office")
	adminID := tm.get(t, "/api/v1/me", tm.admin)["id"].(string)
	tokens := map[string]string{adminID: tm.admin, olga.ID: olga.Token}
	var offices []string
	for _, a := range tm.in.App.Accounts.Accounts(domain.RoleOffice) {
		offices = append(offices, a.ID)
	}
	if len(offices) != 2 {
		t.Fatalf("offices %v", offices)
	}
	late, early := offices[0], offices[1] // the first in the order lastDigest looks in
	setDigest := func(on bool) {
		var kinds []string
		for _, k := range tm.get(t, "/api/v1/me/notifications", tokens[late])["kinds"].([]any) {
			if kk := k.(map[string]any)["kind"].(string); kk != "digest" || on {
				kinds = append(kinds, kk)
			}
		}
		Expect(t, tm.in.Put(t, "/api/v1/me/notifications", tokens[late], map[string]any{"receive": kinds}), 200)
	}
	run := func() {
		if _, err := tm.in.App.RunMailJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	setDigest(false)
	x := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+x+"/submit", tm.applicant.Token, declared, 200)
	waitNotified(t, tm.in, lastSeq(t, tm.in))
	tm.clock.Set(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	run() // the early one's digest of the day, at 10:00, lists x
	tm.clock.Set(time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC))
	tm.setClock(t, tm.clock.Now())
	y := tm.openEIA(t)
	tm.post(t, "/api/v1/cases/"+y+"/submit", tm.applicant.Token, declared, 200)
	waitNotified(t, tm.in, lastSeq(t, tm.in))
	tm.clock.Set(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
	setDigest(true)
	run() // the late one's, at 15:00
	tm.clock.Set(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	tm.admin = tm.in.AdminToken(t)
	run()
	found := false
	for _, m := range tm.ofKind(t, "digest") {
		if m["recipient_id"] == early && m["id"] == "d20260303."+early {
			found = true
			if b := m["body"].(string); !strings.Contains(b, y) {
				t.Fatalf("case %s, submitted at 11:00 after this office user's digest of 10:00, is in neither of their digests: the window of 3 March began at the other's digest of 15:00", y)
			}
		}
	}
	if !found {
		t.Fatal("no digest of 3 March")
	}
}
