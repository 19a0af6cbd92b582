package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/dates"
	"github.com/emcc/accredit/domain/eventstore"
)

// waitMail waits until the outbox holds a message of kind that matches,
// and returns it opened.
func (tm *team) waitMail(t *testing.T, kind string, match func(m map[string]any) bool) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		for _, m := range tm.ofKind(t, kind) {
			if match(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox: no message of kind %s that matches", kind)
		}
	}
}

// toUser matches a message to userID.
func toUser(userID string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["recipient_id"] == userID }
}

// interviewMailTo is the mail of the interview set by commit seq to
// userID, opened, once the notifier has handled seq; nil when it wrote
// them none.
func (tm *team) interviewMailTo(t *testing.T, seq uint64, userID string) map[string]any {
	t.Helper()
	waitNotified(t, tm.in, seq)
	r := tm.in.Get(t, fmt.Sprintf("/api/v1/outbox/e%d.interview.%s", seq, userID), tm.admin)
	if r.Status == 404 {
		return nil
	}
	return Expect(t, r, 200).Map(t)
}

// schedule sets case id's interview as token, returning the commit's seq.
func (tm *team) schedule(t *testing.T, id, token string, at time.Time, place string) uint64 {
	t.Helper()
	r := tm.post(t, "/api/v1/cases/"+id+"/interview", token, map[string]any{"at": at.Format(time.RFC3339), "place": place}, 200)
	return uint64(r["seq"].(float64))
}

// TestTheAssessorsAreToldOfTheInterview: both assessors of a case take
// part in its interview and record it, yet only the applicant was mailed
// when it was set or moved. The one who did not set it is mailed now (both
// when the office sets it, never the one who set it): the case as their
// workspace heads it, when, where, the time it was set for when it moves,
// and a link to their workspace; in the language they chose; not once
// they turn the kind off, nor when their account is disabled.
func TestTheAssessorsAreToldOfTheInterview(t *testing.T) {
	tm := newTeam(t)
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	link := tm.in.URL + "/assess/" + id
	receive := func(u User, lang string, kinds ...string) {
		t.Helper()
		Expect(t, tm.in.Put(t, "/api/v1/me/notifications", u.Token, map[string]any{"language": lang, "receive": kinds}), 200)
	}
	receive(tm.verifier, "nl", "assigned", "interview", "information_answered")

	// The assessor sets it: the verifier is told, in Dutch; the assessor not.
	first := time.Date(2026, 3, 4, 14, 30, 0, 0, time.UTC)
	seq := tm.schedule(t, id, tm.assessor.Token, first, "https://meet.example.org/emcc")
	if m := tm.interviewMailTo(t, seq, tm.assessor.ID); m != nil {
		t.Errorf("the assessor who set the interview is mailed it: %v", m["subject"])
	}
	m := tm.interviewMailTo(t, seq, tm.verifier.ID)
	if m == nil {
		t.Fatal("the verifier is not told of the interview the assessor set")
	}
	if b := m["body"].(string); m["subject"] != "Het interview bij dossier "+id+" is vastgesteld" || m["language"] != "nl" || m["link"] != link ||
		!strings.Contains(b, "Beste Victor Verifier,") ||
		!strings.Contains(b, "dossier "+id+" (EIA · Senior Practitioner), waaraan u deelneemt als verificateur, is vastgesteld op 4 maart 2026 om 14:30 UTC.") ||
		!strings.Contains(b, "Waar: https://meet.example.org/emcc") || !strings.Contains(b, link) || strings.Contains(b, "Carla") {
		t.Errorf("the verifier's mail of the interview:\n%v\n%s", m["subject"], b)
	}
	if a := tm.interviewMailTo(t, seq, tm.applicant.ID); a == nil || a["link"] != tm.in.URL+"/applications/"+id {
		t.Errorf("the applicant's mail of the interview: %v", a)
	}

	// The office moves it: both are told, with the time it was set for.
	moved := time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)
	seq = tm.schedule(t, id, tm.admin, moved, "Room 3, EMCC House")
	m = tm.interviewMailTo(t, seq, tm.assessor.ID)
	if m == nil {
		t.Fatal("the assessor is not told of the interview the office moved")
	}
	if b := m["body"].(string); m["subject"] != "The interview on case "+id+" is moved" || m["language"] != "en" || m["link"] != link ||
		!strings.Contains(b, "Dear Anna Assessor,") ||
		!strings.Contains(b, "case "+id+" (EIA · Senior Practitioner), which you take part in as its assessor, is moved.\nIt was set for 4 March 2026 14:30 UTC; it is now set for 6 March 2026 10:00 UTC.\nWhere: Room 3, EMCC House") {
		t.Errorf("the assessor's mail of the moved interview:\n%v\n%s", m["subject"], b)
	}
	if v := tm.interviewMailTo(t, seq, tm.verifier.ID); v == nil || !strings.Contains(v["body"].(string), "is verplaatst.\nHet was vastgesteld op 4 maart 2026 om 14:30 UTC; het is nu vastgesteld op 6 maart 2026 om 10:00 UTC.") {
		t.Errorf("the verifier's mail of the moved interview: %v", v)
	}

	// The verifier moves it: the assessor is told, the verifier not.
	seq = tm.schedule(t, id, tm.verifier.Token, moved.Add(24*time.Hour), "Room 4")
	if m := tm.interviewMailTo(t, seq, tm.verifier.ID); m != nil {
		t.Errorf("the verifier who moved the interview is mailed it: %v", m["subject"])
	}
	if m := tm.interviewMailTo(t, seq, tm.assessor.ID); m == nil || !strings.Contains(m["body"].(string), "it is now set for 7 March 2026 10:00 UTC.") {
		t.Errorf("the assessor's mail of the interview the verifier moved: %v", m)
	}

	// The assessor turns the kind off; the verifier's account is disabled.
	receive(tm.assessor, "", "assigned", "information_answered")
	tm.post(t, "/api/v1/users/"+tm.verifier.ID+"/disable", tm.admin, map[string]string{"reason": "a check"}, 200)
	seq = tm.schedule(t, id, tm.admin, moved.Add(48*time.Hour), "Room 5")
	for _, u := range []User{tm.assessor, tm.verifier} {
		if m := tm.interviewMailTo(t, seq, u.ID); m != nil {
			t.Errorf("%s, who turned it off or is disabled, is mailed the interview: %v", u.Name, m["subject"])
		}
	}
	if m := tm.interviewMailTo(t, seq, tm.applicant.ID); m == nil {
		t.Error("the applicant is no longer told")
	}
}

// TestAnAssessorOffTheCaseIsNotToldOfTheInterview: the notifier tells the
// roles as held when the interview was set, and only those who hold them
// still when it handles it: a verifier taken off the case meanwhile is not
// mailed the place of an interview they no longer take part in, nor is the
// one put in their place (their workspace shows it).
func TestAnAssessorOffTheCaseIsNotToldOfTheInterview(t *testing.T) {
	var notifier *Gate
	tm := newTeamWith(t, app.Options{NotifierStore: func(s eventstore.Store) eventstore.Store {
		notifier = NewGate(s)
		return notifier
	}})
	t.Cleanup(notifier.Release)
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	vera := tm.newAssessor(t, "vera@example.org", "Vera Verifier")

	notifier.Hold()
	seq := tm.schedule(t, id, tm.admin, time.Date(2026, 3, 4, 14, 30, 0, 0, time.UTC), "Room 3, EMCC House")
	tm.post(t, "/api/v1/cases/"+id+"/assignments/verifier/unassignment", tm.admin, map[string]any{"reason": "Away for a month"}, 200)
	tm.post(t, "/api/v1/cases/"+id+"/assignments", tm.admin, map[string]string{"assessor_id": vera.ID, "role": "verifier"}, 200)
	notifier.Release()

	if m := tm.interviewMailTo(t, seq, tm.assessor.ID); m == nil {
		t.Error("the assessor, still on the case, is not told")
	}
	for _, u := range []User{tm.verifier, vera} {
		if m := tm.interviewMailTo(t, seq, u.ID); m != nil {
			t.Errorf("%s, who did not hold the role both when it was set and when it was told, is mailed the interview: %v", u.Name, m["subject"])
		}
	}
}

// TestAnAssessorPutOnTheCaseIsToldOfTheInterviewAhead: one given a role
// after the interview was set takes part in it, yet was mailed only that
// the case was assigned. Their assignment's mail now gives its time and
// place; one given a role once it is past is not told of it.
func TestAnAssessorPutOnTheCaseIsToldOfTheInterviewAhead(t *testing.T) {
	tm := newTeam(t)
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	vera := tm.newAssessor(t, "vera@example.org", "Vera Verifier")
	at := tm.clock.Now().AddDate(0, 0, 10).Truncate(time.Minute)
	tm.schedule(t, id, tm.admin, at, "Room 3, EMCC House")
	r := tm.in.Do(t, Request{Method: "PUT", Path: "/api/v1/cases/" + id + "/assignments/verifier", Token: tm.admin,
		Body: map[string]string{"assessor_id": vera.ID, "reason": "Away for a month"}})
	seq := uint64(Expect(t, r, 200).Map(t)["seq"].(float64))
	waitNotified(t, tm.in, seq)
	m := Expect(t, tm.in.Get(t, fmt.Sprintf("/api/v1/outbox/e%d.assigned.%s", seq, vera.ID), tm.admin), 200).Map(t)
	want := fmt.Sprintf("The applicant's interview, which you take part in, is set for %s.\nWhere: Room 3, EMCC House", dates.DateTime("en", at))
	if b := m["body"].(string); !strings.Contains(b, "as its verifier.") || !strings.Contains(b, want) {
		t.Errorf("the new verifier's mail of the assignment does not give the interview ahead (%q):\n%s", want, b)
	}

	// Past it, the next one given the role is not told of it.
	tm.setClock(t, at.Add(time.Hour))
	rene := tm.newAssessor(t, "rene@example.org", "Rene Verifier")
	r = tm.in.Do(t, Request{Method: "PUT", Path: "/api/v1/cases/" + id + "/assignments/verifier", Token: tm.admin,
		Body: map[string]string{"assessor_id": rene.ID, "reason": "Vera is ill"}})
	seq = uint64(Expect(t, r, 200).Map(t)["seq"].(float64))
	waitNotified(t, tm.in, seq)
	m = Expect(t, tm.in.Get(t, fmt.Sprintf("/api/v1/outbox/e%d.assigned.%s", seq, rene.ID), tm.admin), 200).Map(t)
	if b := m["body"].(string); strings.Contains(b, "interview") {
		t.Errorf("the verifier given the role after the interview's time is told of it:\n%s", b)
	}
}
