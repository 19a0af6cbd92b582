package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// sendAtOnce posts each form at once, each from its browser, and returns
// the answers in order; none may be a server error.
func sendAtOnce(t *testing.T, path string, cs []*client, forms []url.Values) []answer {
	t.Helper()
	out := make([]answer, len(forms))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range forms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = cs[i].postAsking(path, forms[i], false)
		}()
	}
	close(start)
	wg.Wait()
	for i, a := range out {
		if a.Status >= 500 {
			t.Errorf("POST %s, form %d: got %d: %.1500s", path, i, a.Status, a.Body)
		}
	}
	return out
}

// TestFormsSentTwiceAtOnceWriteOnce: a form sent twice at once (a double
// click) writes once and both answers are the first's; two tabs' forms
// sent at once (two assessors claiming, two decisions, a decision and the
// applicant's withdrawal): one wins, the other is a page saying why, never
// a 5xx.
func TestFormsSentTwiceAtOnceWriteOnce(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	office := w.officeClient(t)
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	victor := w.client(t)
	victor.login(w.verifier.Email, w.verifier.Password)

	t.Run("double click: one form, one write, the same answer", func(t *testing.T) {
		f := formOf(t, applicant.get("/applications/new?scheme=EIA"), url.Values{"scheme": {"EIA"}, "level": {"practitioner"}, "language": {"en"}})
		rs := sendAtOnce(t, "/applications", []*client{applicant, applicant}, []url.Values{f, f})
		if rs[0].Status != 303 || rs[0].Location != rs[1].Location {
			t.Errorf("open twice: %d %s and %d %s", rs[0].Status, rs[0].Location, rs[1].Status, rs[1].Location)
		}
		caseID := w.readyEIA(t, carla)
		f = formOf(t, applicant.get("/applications/"+caseID), url.Values{"declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}, "confirm": {"yes"}})
		rs = sendAtOnce(t, "/applications/"+caseID+"/submit", []*client{applicant, applicant}, []url.Values{f, f})
		for i, a := range rs {
			if a.Status != 303 || !strings.Contains(a.Location, "ok=submitted") {
				t.Errorf("submit %d: %d %s %.1500s", i, a.Status, a.Location, a.Body)
			}
		}
		w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200))
		f = formOf(t, anna.get("/queue"), url.Values{"role": {"assessor"}})
		rs = sendAtOnce(t, "/queue/"+caseID+"/claim", []*client{anna, anna}, []url.Values{f, f})
		for i, a := range rs {
			if a.Status != 303 || !strings.Contains(a.Location, "ok=claimed") {
				t.Errorf("claim %d: %d %s %.1500s", i, a.Status, a.Location, a.Body)
			}
		}
	})
	t.Run("two tabs: one wins, the other a page saying why", func(t *testing.T) {
		caseID := w.readyEIA(t, carla)
		Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", carla.Token, declared), 200)
		w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200))
		fa := formOf(t, anna.get("/queue"), url.Values{"role": {"assessor"}})
		fv := formOf(t, victor.get("/queue"), url.Values{"role": {"assessor"}})
		rs := sendAtOnce(t, "/queue/"+caseID+"/claim", []*client{anna, victor}, []url.Values{fa, fv})
		won := 0
		for i, a := range rs {
			if a.Status == 303 {
				won++
			} else if a.Status != 409 {
				t.Errorf("claim %d lost: %d, want 409: %.1500s", i, a.Status, a.Body)
			}
		}
		if won != 1 {
			t.Errorf("claims won: %d", won)
		}
	})
	t.Run("decision and withdrawal", func(t *testing.T) {
		caseID, _ := w.assessedCase(t, carla)
		oc := "/office/cases/" + caseID
		self := regexp.MustCompile(`name="vote_([0-9A-Z]{26})"`).FindStringSubmatch(office.get(oc).Body)[1]
		f1 := formOf(t, office.get(oc), url.Values{"outcome": {"awarded"}, "level": {"practitioner"}, "rationale": {"Meets it."}, "vote_" + self: {"for"}, "confirm": {"yes"}})
		f2 := formOf(t, office.get(oc), url.Values{"outcome": {"not_awarded"}, "rationale": {"Does not."}, "vote_" + self: {"for"}, "confirm": {"yes"}})
		rs := sendAtOnce(t, oc+"/decide", []*client{office, office, office}, []url.Values{f1, f1, f2})
		// The form sent twice is answered alike; the other form the opposite.
		if rs[0].Status != rs[1].Status || statusesOf(rs[:1])[303]+statusesOf(rs[2:])[303] != 1 || statusesOf(rs)[409] != 3-statusesOf(rs)[303] {
			t.Errorf("the form twice and another at once: %d, %d and %d, want one form's 303 and the other's 409", rs[0].Status, rs[1].Status, rs[2].Status)
		}
		if d := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID+"/history", w.admin), 200); strings.Count(string(d.Body), "accreditation.decision_made") != 1 {
			t.Errorf("decisions: %d", strings.Count(string(d.Body), "accreditation.decision_made"))
		}
		caseID2, _ := w.assessedCase(t, carla)
		oc = "/office/cases/" + caseID2
		f1 = formOf(t, office.get(oc), url.Values{"outcome": {"awarded"}, "level": {"practitioner"}, "rationale": {"Meets it."}, "vote_" + self: {"for"}, "confirm": {"yes"}})
		fw := formOf(t, applicant.get("/applications/"+caseID2), url.Values{"reason": {"Changed my mind."}, "confirm": {"yes"}})
		var wg sync.WaitGroup
		var d, wd answer
		wg.Add(2)
		go func() { defer wg.Done(); d = office.postAsking(oc+"/decide", f1, false) }()
		go func() { defer wg.Done(); wd = applicant.postAsking("/applications/"+caseID2+"/withdraw", fw, false) }()
		wg.Wait()
		if d.Status >= 500 || wd.Status >= 500 || (d.Status == 303) == (wd.Status == 303) {
			t.Errorf("decide %d, withdraw %d: want one 303 and one 4xx page\n%.1500s\n%.1500s", d.Status, wd.Status, d.Body, wd.Body)
		}
	})
}

// TestAnErasureSentAgainIsAnsweredAsTheFirst: the erasure form sent again
// once the user is erased is answered as the first.
func TestAnErasureSentAgainIsAnsweredAsTheFirst(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	u := w.in.CreateUser(t, w.admin, "applicant", "dora@example.org", "Dora Doe")
	up := "/office/users/" + u.ID
	f := formOf(t, office.get(up), url.Values{"erase_ground": {"data_subject_request"}, "erase_confirm": {"yes"}, "erase_reason": {"Asked."}, "confirm": {"yes"}})
	first := office.postAsking(up+"/erase", f, false)
	again := office.postAsking(up+"/erase", f, false)
	if first.Status != http.StatusSeeOther || again.Status != first.Status || again.Location != first.Location {
		t.Errorf("again: %d %s, first %d %s: %s", again.Status, again.Location, first.Status, first.Location, problemsOf(again.Body))
	}
}

func statusesOf(as []answer) map[int]int {
	n := map[int]int{}
	for _, a := range as {
		n[a.Status]++
	}
	return n
}
