package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestEveryMailsLinkOpensForItsRecipient: each kind of email, to whoever
// it goes (the applicant, the holder, an assessor, the office), links to a
// page that answers 200 to that recipient logged in: a link that is a 403
// or a 404 for them leaves the mail's "what to do next" unanswerable. A
// one-time link (a password reset, a new address) is followed logged out.
func TestEveryMailsLinkOpensForItsRecipient(t *testing.T) {
	w := newWorld(t)
	carla, _, accID, rene := w.renewalAssigned(t)         // assigned (case, renewal), decision
	rene.Token = w.in.Login(t, rene.Email, rene.Password) // the clock moved on past the sessions
	w.assessor.Token = w.in.Login(t, w.assessor.Email, w.assessor.Password)
	w.verifier.Token = w.in.Login(t, w.verifier.Email, w.verifier.Password)
	// The renewal is returned to the holder.
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", rene.Token, map[string]string{"outcome": "return", "rationale": "Say more about supervision."}), 200)
	// Another application is returned by the office.
	returned := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+returned+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+returned+"/screening", w.admin, map[string]string{"outcome": "returned", "reason": "The supervision log is missing."}), 200)
	// A senior case: the assessor and the office ask, the applicant answers; the office sets the interview.
	senior := w.seniorInAssessment(t, carla)
	for _, asker := range []string{w.assessor.Token, w.admin} {
		Expect(t, w.in.Post(t, "/api/v1/cases/"+senior+"/information-requests", asker, map[string]string{"questions": "Who supervises you?"}), 200)
		Expect(t, w.in.Post(t, "/api/v1/cases/"+senior+"/information-responses", carla.Token, map[string]string{"answer": "Dr. Sup Ervisor."}), 200)
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+senior+"/interview", w.admin, map[string]any{"at": w.clock.Now().AddDate(0, 0, 3).Format(time.RFC3339), "place": "https://meet.example.org/emcc"}), 200)
	// A second award, which the office revokes.
	_, _, revoked := w.awardedCase(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+revoked+"/revocation", w.admin, map[string]string{"reason": "Upheld ethics complaint."}), 200)
	// The timed ones: the reminder and the digest.
	ctx := context.Background()
	if _, err := w.in.App.Notifier.Remind(ctx, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	// The digest a minute on: the cases just submitted are in it (an
	// empty digest is not sent).
	if _, err := w.in.App.Notifier.DigestOf(ctx, w.clock.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The account notices: the office ends Dora's sessions, disables and
	// enables her account and makes her a reset link; she changes her password.
	dora := w.registerApplicant(t, "dora@example.org", "Dora Doe")
	Expect(t, w.in.Post(t, "/api/v1/users/"+dora.ID+"/sessions/revocation", w.admin, nil), 200)
	Expect(t, w.in.Post(t, "/api/v1/users/"+dora.ID+"/disable", w.admin, map[string]string{"reason": "A check."}), 200)
	Expect(t, w.in.Post(t, "/api/v1/users/"+dora.ID+"/enable", w.admin, map[string]string{"reason": "Checked."}), 200)
	Expect(t, w.in.Post(t, "/api/v1/users/"+dora.ID+"/password-reset-links", w.admin, nil), 201)
	dora.Token = w.in.Login(t, dora.Email, dora.Password)
	Expect(t, w.in.Post(t, "/api/v1/me/password", dora.Token, map[string]string{"current_password": dora.Password, "new_password": "dora's fresh long passphrase"}), 204)
	dora.Password = "dora's fresh long passphrase"
	Expect(t, w.in.Post(t, "/api/v1/auth/password-reset-requests", "", map[string]string{"email": dora.Email}), 202)
	me := w.client(t)
	me.login(dora.Email, dora.Password)
	if a := me.post("/account/email", url.Values{"new_email": {"dora.new@example.org"}, "email_password": {dora.Password}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("a new address: got %d", a.Status)
	}

	want := []string{"assigned", "decision", "renewal_outcome", "returned", "information_requested", "information_answered",
		"interview", "accreditation_ended", "digest", "sessions_ended", "account_disabled", "account_enabled", "password_changed", "password_reset", "email_verification", "reset_link_issued",
		// The interview the office set is told to both assessors too.
		"interview to " + w.assessor.ID, "interview to " + w.verifier.ID}
	var msgs []map[string]any
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		msgs = nil
		seen := map[string]bool{}
		for _, m := range Expect(t, w.in.Get(t, "/api/v1/outbox?limit=500", w.admin), 200).Map(t)["messages"].([]any) {
			msgs = append(msgs, m.(map[string]any))
			seen[m.(map[string]any)["kind"].(string)] = true
			seen[m.(map[string]any)["kind"].(string)+" to "+m.(map[string]any)["recipient_id"].(string)] = true
		}
		missing := slices.DeleteFunc(slices.Clone(want), func(k string) bool { return seen[k] })
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail of kinds %v after a minute", missing)
		}
	}
	who := map[string]User{carla.ID: carla, rene.ID: rene, w.assessor.ID: w.assessor, w.verifier.ID: w.verifier, dora.ID: dora}
	clients := map[string]*client{}
	for _, m := range msgs {
		kind, to, link := m["kind"].(string), m["recipient_id"].(string), m["link"].(string)
		c := clients[to]
		if c == nil {
			c = w.client(t)
			if u, ok := who[to]; ok {
				c.login(u.Email, u.Password)
			} else {
				c.login(AdminEmail, AdminPassword) // the office
			}
			clients[to] = c
		}
		// The link the message records, and every link its body holds (the
		// digest's cases, a one-time link, which the record leaves out).
		body, _ := Expect(t, w.in.Get(t, "/api/v1/outbox/"+m["id"].(string), w.admin), 200).Map(t)["body"].(string)
		links := linkIn.FindAllString(body, -1)
		if link != "" {
			links = append(links, link)
		}
		if len(links) == 0 {
			t.Errorf("a %s mail to %s holds no link", kind, to)
		}
		for _, l := range links {
			path := strings.TrimPrefix(l, w.in.URL)
			if !strings.HasPrefix(path, "/") {
				continue // not the system's (an interview's place)
			}
			v := c
			if strings.Contains(path, "token=") {
				v = w.client(t) // a one-time link, followed logged out
			}
			a := v.get(path)
			for hops := 0; a.Status == http.StatusSeeOther && hops < 3; hops++ {
				a = v.get(a.Location)
			}
			if a.Status != http.StatusOK {
				t.Errorf("a %s mail to %s links to %s: got %d, want 200", kind, to, l, a.Status)
			}
		}
	}
}

// TestAnEQAMailNamesTheProgramme: a provider is asked for information on
// one of their programmes; the mail names it as its page does (scheme,
// level, programme), opened from the case where it is sealed.
func TestAnEQAMailNamesTheProgramme(t *testing.T) {
	w := newWorld(t)
	paula := w.registerApplicant(t, "paula@example.org", "Paula Provider")
	id := w.claimedEQA(t, paula)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/information-requests", w.assessor.Token, map[string]string{"questions": "Who teaches module 3?"}), 200)
	m := w.mailOf(t, "information_requested")
	body, _ := Expect(t, w.in.Get(t, "/api/v1/outbox/"+m["id"].(string), w.admin), 200).Map(t)["body"].(string)
	if want := "your application " + id + " (EQA · Practitioner · Coaching Essentials)."; !strings.Contains(body, want) {
		t.Errorf("the mail does not name the programme (%q):\n%s", want, body)
	}
}
