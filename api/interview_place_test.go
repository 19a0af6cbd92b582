package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
)

// The interview's place is an address (perhaps the applicant's home) or a
// call's link: sealed under the applicant's key like the interview's
// notes, it is shown to the applicant and the assessors, mailed, exported,
// never in clear in the stream, and reads [erased] once the applicant is.
func TestTheInterviewPlaceIsErasedWithTheApplicant(t *testing.T) {
	tm := newTeam(t)
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	path := "/api/v1/cases/" + id
	const place = "Quillfeather House, Zeeburgerdijk 77, Amsterdam"
	at := tm.clock.Now().Add(48 * time.Hour).Truncate(time.Minute)
	iv := tm.post(t, path+"/interview", tm.assessor.Token, map[string]any{"at": at, "place": place}, 200)

	for _, who := range []struct{ name, token string }{{"applicant", tm.applicant.Token}, {"assessor", tm.assessor.Token}, {"office", tm.admin}} {
		c := tm.get(t, path, who.token)
		next := c["next"].(map[string]any)
		if c["interview"].(map[string]any)["place"] != place || next["interview_place"] != place || !strings.Contains(c["next_step"].(string), place) {
			t.Fatalf("the %s's case view: interview %v, next %v (%q); want the place %q", who.name, c["interview"], next, c["next_step"], place)
		}
	}
	if mine := string(Expect(t, Retry(t, func(map[string]string) Response {
		return tm.in.Get(t, fmt.Sprintf("/api/v1/me/cases?min_seq=%d", int(iv["seq"].(float64))), tm.applicant.Token)
	}), 200).Body); !strings.Contains(mine, place) {
		t.Fatalf("the applicant's cases do not name the place: %s", mine)
	}
	if m := tm.waitKind(t, "interview", 1)[0]; !strings.Contains(m["body"].(string), place) {
		t.Fatalf("the interview's email does not name the place: %v", m)
	}
	if export := string(Expect(t, tm.in.Get(t, "/api/v1/me/export", tm.applicant.Token), 200).Body); !strings.Contains(export, place) {
		t.Fatal("the applicant's export does not name the place")
	}
	if hist := string(Expect(t, tm.in.Get(t, path+"/history", tm.admin), 200).Body); !strings.Contains(hist, place) {
		t.Fatal("the case's history does not name the place")
	}
	if where := rawStreamContains(t, tm.in, place, "Quillfeather"); where != "" {
		t.Fatalf("the place in clear in the stream: %s", where)
	}

	r := tm.post(t, "/api/v1/users/"+tm.applicant.ID+"/erasure", tm.admin, map[string]string{"reason": "GDPR art. 17 request"}, 200)
	c := tm.get(t, fmt.Sprintf("%s?min_seq=%d", path, int(r["seq"].(float64))), tm.admin)
	if got := c["interview"].(map[string]any)["place"]; got != "[erased]" {
		t.Fatalf("the place after the applicant's erasure: got %q, want [erased]", got)
	}
	for _, p := range []string{path, path + "/history"} {
		if body := string(Expect(t, tm.in.Get(t, p, tm.admin), 200).Body); strings.Contains(body, "Quillfeather") {
			t.Fatalf("%s names the place after the erasure", p)
		}
	}
	if where := rawStreamContains(t, tm.in, "Quillfeather"); where != "" {
		t.Fatalf("the place in clear in the stream after the erasure: %s", where)
	}
}

// An interview scheduled before its place was sealed holds the place in
// clear in its event ("place":"<text>"): the case still reads it, and
// shows it to the applicant and the assessor, before and after a restart.
func TestAnInterviewPlaceStoredInClearIsStillShown(t *testing.T) {
	tm := newTeam(t)
	id := tm.openSenior(t)
	tm.toAssessment(t, id)
	const place = "EMCC office, meeting room 7"
	at := tm.clock.Now().Add(48 * time.Hour).Truncate(time.Minute)
	ctx := context.Background()
	stream := accreditation.StreamPrefix + "." + id
	head, err := tm.in.App.Events.Head(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	old := `{"at":"` + at.UTC().Format(time.RFC3339) + `","place":"` + place + `"}`
	res, err := tm.in.App.Events.Append(ctx, eventstore.AppendRequest{Stream: stream, Expected: head, Events: []eventstore.Event{{
		ID: ulid.Make().String(), Type: string(accreditation.EventInterviewScheduled), SchemaVersion: 1, OccurredAt: tm.clock.Now(),
		Actor: domain.Actor{ID: tm.assessor.ID, Role: domain.RoleAssessor}, Data: json.RawMessage(old)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tm.in.App.Feed.WaitFor(ctx, res.Head.Seq); err != nil {
		t.Fatal(err)
	}
	for _, restart := range []bool{false, true} {
		if restart {
			tm.in.Restart(t) // the case is read again from the stream or a snapshot
		}
		for _, who := range []User{tm.applicant, tm.assessor} {
			token := tm.in.Login(t, who.Email, who.Password)
			c := tm.get(t, fmt.Sprintf("/api/v1/cases/%s?min_seq=%d", id, res.Head.Seq), token)
			if c["interview"].(map[string]any)["place"] != place || c["next"].(map[string]any)["interview_place"] != place {
				t.Fatalf("restart %v, %s: interview %v, next %v; want the place %q", restart, who.Email, c["interview"], c["next"], place)
			}
		}
	}
}
