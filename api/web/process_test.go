package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheRestOfTheProcessThroughTheForms takes a case through what the
// browser journey does not: a request for information and its answer,
// disagreeing assessments and moderation, a decision, an appeal reviewed by
// another office user, a revocation; and the office's user management. Each
// page on the way is checked like the route walk checks them.
func TestTheRestOfTheProcessThroughTheForms(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)

	applicant, office, anna, victor := w.client(t), w.client(t), w.client(t), w.client(t)
	applicant.login(carla.Email, carla.Password)
	office.login(AdminEmail, AdminPassword)
	anna.login(w.assessor.Email, w.assessor.Password)
	victor.login(w.verifier.Email, w.verifier.Password)
	step := func(c *client, path string, form url.Values, want string) answer {
		t.Helper()
		a := c.post(path, form, true)
		if a.Status != http.StatusSeeOther || !strings.Contains(a.Location, want) {
			t.Fatalf("POST %s: got %d to %q, want a redirect to %q; %s", path, a.Status, a.Location, want, errorsOf(a.Body))
		}
		page := c.get(a.Location)
		if page.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", a.Location, page.Status)
		}
		checkPage(t, a.Location, "en", page)
		return page
	}
	see := func(a answer, texts ...string) {
		t.Helper()
		for _, s := range texts {
			if !strings.Contains(a.Body, s) {
				t.Fatalf("the page does not show %q", s)
			}
		}
	}
	oc := "/office/cases/" + caseID

	step(applicant, "/applications/"+caseID+"/submit", url.Values{"declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}}, "ok=submitted")
	step(office, oc+"/screen", url.Values{"outcome": {"accepted"}}, "ok=screened")
	see(step(office, oc+"/assign", url.Values{"role": {"assessor"}, "assessor_id_assessor": {w.assessor.ID}}, "ok=assigned"), "The assessor is assigned.")
	// Issue 15: assigning the verifier said "The assessor is assigned".
	if page := step(office, oc+"/assign", url.Values{"role": {"verifier"}, "assessor_id_verifier": {w.verifier.ID}}, "ok=assigned_verifier"); !strings.Contains(page.Body, "The verifier is assigned.") || strings.Contains(page.Body, "The assessor is assigned.") {
		t.Fatal("after assigning the verifier the page does not say the verifier is assigned")
	}

	// A request for information, answered.
	step(anna, "/assess/"+caseID+"/request-information", url.Values{"questions": {"Which supervisor do you see?"}}, "ok=requested")
	p := applicant.get("/applications/" + caseID)
	see(p, "The assessors ask for more information", "Which supervisor do you see?")
	// The next step and the state are written to the applicant, in their
	// language; the office reads them in the third person (issue 13 item 10).
	asked := w.clock.Now()
	readsAs := func(c *client, path string, texts ...string) {
		t.Helper()
		body := html.UnescapeString(c.get(path).Body)
		for _, s := range texts {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s does not say %q", path, s)
			}
		}
	}
	mine := "Answer the assessor's question of " + asked.Format("2 January 2006") + ": your application waits for your answer."
	readsAs(applicant, "/applications/"+caseID, mine, "Waiting for your answer")
	readsAs(applicant, "/applications", mine, "Waiting for your answer")
	applicant.setLang("nl")
	readsAs(applicant, "/applications/"+caseID, "Beantwoord de vraag van de assessor van "+itoa(asked.Day())+" maart "+itoa(asked.Year())+": uw aanvraag wacht op uw antwoord.", "Wacht op uw antwoord")
	applicant.setLang("en")
	readsAs(office, oc, "The applicant answers the request for information.", "Information requested")
	if body := html.UnescapeString(office.get(oc).Body); strings.Contains(body, mine) {
		t.Error("the office reads the applicant's words")
	}
	step(applicant, "/applications/"+caseID+"/respond", url.Values{"answer": {"Dr. Sup, monthly."}}, "ok=answered")

	// Two assessments that disagree: moderation.
	ratings := func(rating string) url.Values {
		f := url.Values{}
		for n := 1; n <= 8; n++ {
			f.Set("rating_"+itoa(n), rating)
		}
		return f
	}
	f := ratings("evidenced")
	f.Set("recommendation", "award")
	f.Set("rationale", "Meets it.")
	// Left out: the form comes back with the errors beside the fields.
	bad := anna.post("/assess/"+caseID, url.Values{"recommendation": {"award"}}, true)
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, `id="f-rating_3-error"`) || !strings.Contains(bad.Body, `id="f-rationale-error"`) {
		t.Fatalf("incomplete assessment: got %d", bad.Status)
	}
	step(anna, "/assess/"+caseID, f, "ok=assessed")
	f = ratings("partially_evidenced")
	f.Set("recommendation", "not_award")
	f.Set("rationale", "Not enough depth.")
	step(victor, "/assess/"+caseID, f, "ok=assessed")
	p = office.get(oc)
	see(p, "In moderation", "Record the moderation", "Meets it.", "Not enough depth.")
	step(office, oc+"/moderate", url.Values{"recommendation": {"not_award"}, "rationale": {"Agree with the verifier."}}, "ok=moderated")

	// The awarding panel decides (issue 13 item 5): the form offers every
	// office user a vote, the recording user's own set to for; the votes
	// must carry the outcome, and the decision shows the panel.
	paul := w.in.CreateUser(t, w.admin, "office", "paul@example.org", "Paul Panel")
	p = office.get(oc)
	see(p, "The awarding panel", `name="vote_`+paul.ID+`"`)
	self := regexp.MustCompile(`name="vote_([0-9A-Z]{26})"[^<]*>\s*<option value="">[^<]*</option>\s*<option value="for" selected>`).FindStringSubmatch(p.Body)
	if self == nil || self[1] == paul.ID {
		t.Fatal("the recording office user's own vote is not set to for")
	}
	adminID := self[1]
	refusal := url.Values{"outcome": {"not_awarded"}, "rationale": {"Not yet at practitioner level."}}
	if a := office.post(oc+"/decide", refusal, true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `id="f-panel-error"`) {
		t.Fatalf("a decision without a panel: got %d, want 400 naming the panel", a.Status)
	}
	refusal.Set("vote_"+adminID, "for")
	refusal.Set("vote_"+paul.ID, "against")
	if a := office.post(oc+"/decide", refusal, true); a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "1 for, 1 against") {
		t.Fatalf("a tie: got %d, want 422 naming the votes", a.Status)
	}
	refusal.Set("vote_"+paul.ID, "abstain")
	p = step(office, oc+"/decide", refusal, "ok=decided")
	see(p, "Paul Panel (Abstains)", "(For)")

	// The decision, appealed, reviewed by someone not involved.
	p = applicant.get("/applications/" + caseID)
	see(p, "Not awarded", "Not yet at practitioner level.", "Appeal against the decision")
	step(applicant, "/applications/"+caseID+"/appeal", url.Values{"grounds": {"My supervision log was overlooked."}}, "ok=appealed")
	p = office.get(oc)
	if strings.Contains(p.Body, "Record the appeal decision") {
		t.Fatal("the office user who decided is offered the appeal")
	}
	created := office.post("/office/users", url.Values{"name": {"Rita Reviewer"}, "email": {"rita@example.org"}, "role": {"office"}, "password": {"rita's long password"}}, true)
	if created.Status != http.StatusSeeOther {
		t.Fatalf("create user: %d %s", created.Status, errorsOf(created.Body))
	}
	rita := w.client(t)
	rita.login("rita@example.org", "rita's long password")
	p = rita.get(oc)
	see(p, "Record the appeal decision", "My supervision log was overlooked.")
	step(rita, oc+"/appeal-decision", url.Values{"appeal_outcome": {"upheld"}, "return_to": {"decision"}, "appeal_rationale": {"The log shows enough supervision."}}, "ok=appeal_decided")
	p = step(rita, oc+"/decide", url.Values{"outcome": {"awarded"}, "level": {"practitioner"}, "rationale": {"Awarded on appeal."}, "vote_" + adminID: {"for"}}, "ok=decided")
	see(p, "Awarded", "Revoke the accreditation")
	accID := regexp.MustCompile(`/accreditations/([0-9A-Z]{26})`).FindStringSubmatch(p.Body)[1]
	step(rita, "/office/accreditations/"+accID+"/revoke", url.Values{"revoke_reason": {"Upheld ethics complaint."}}, "ok=revoked")
	p = applicant.get("/accreditations/" + accID)
	see(p, "Revoked")
	if v := (&client{t: t, base: w.in.URL, hc: http.DefaultClient}).get("/register/" + accID); !strings.Contains(v.Body, "This accreditation is not valid:") {
		t.Fatal("the verification page does not say the certificate is revoked")
	}

	// The office's users: an assessor's profile, a user disabled.
	created = office.post("/office/users", url.Values{"name": {"Otto Other"}, "email": {"otto@example.org"}, "role": {"assessor"}, "password": {"short"}}, true)
	if created.Status != http.StatusBadRequest || !strings.Contains(created.Body, `id="f-password-error"`) || !strings.Contains(created.Body, `value="Otto Other"`) {
		t.Fatalf("user with a short password: got %d", created.Status)
	}
	created = office.post("/office/users", url.Values{"name": {"Otto Other"}, "email": {"otto@example.org"}, "role": {"assessor"}, "password": {"otto's long password"}}, true)
	otto := created.Location[:strings.Index(created.Location, "?")]
	step(office, otto+"/profile", url.Values{"schemes": {"EIA"}, "max_level": {"senior_practitioner"}, "languages": {"en, nl"}, "conflicts": {carla.ID}}, "ok=profile_saved")
	p = office.get(otto)
	see(p, `value="en, nl"`, `value="`+carla.ID+`" checked`)
	step(office, otto+"/disable", url.Values{"disable_reason": {"Left the panel."}}, "ok=user_disabled")
	see(office.get("/office/users"), "Disabled")
	for _, path := range []string{"/office", "/office/cases", "/office/decisions", "/office/audit?type=accreditation.appeal_filed", "/office/cases?state=awarded&overdue=false"} {
		checkPage(t, path, "en", office.get(path))
	}
}

var errorList = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)

// errorsOf is a page's error summary, for failure messages.
func errorsOf(body string) string { return errorList.FindString(body) }

// TestQueuesAreOldestFirstWithTheOverdueMarked: the assessor's and the
// office's queues list the oldest submission first and mark a case past the
// service level.
func TestQueuesAreOldestFirstWithTheOverdueMarked(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	submit := func() string {
		t.Helper()
		id := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
		Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/portfolio", carla.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
			"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
		var cats []map[string]any
		for n := 1; n <= 8; n++ {
			cats = append(cats, map[string]any{"category": n, "statement": "Statement"})
		}
		Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", carla.Token, map[string]any{"categories": cats}), 200)
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/submit", carla.Token, declared), 200)
		Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
		return id
	}
	old := submit()
	w.clock.Advance(85 * 24 * time.Hour) // tokens last 12 hours: log in again
	w.admin = w.in.AdminToken(t)
	carla.Token = w.in.Login(t, carla.Email, carla.Password)
	recent := submit()
	w.clock.Advance(10 * 24 * time.Hour)
	for _, who := range []struct{ email, password, path string }{{w.assessor.Email, w.assessor.Password, "/queue"}, {AdminEmail, AdminPassword, "/office/cases"}} {
		c := w.client(t)
		c.login(who.email, who.password)
		body := c.get(who.path).Body
		i, j := strings.Index(body, old), strings.Index(body, recent)
		if i < 0 || j < 0 || i > j {
			t.Fatalf("%s: the older case is not listed first", who.path)
		}
		rows := strings.Split(body, "<tr")
		for _, r := range rows {
			overdue := strings.Contains(r, "tag-overdue")
			if strings.Contains(r, old) && !overdue || strings.Contains(r, recent) && overdue {
				t.Fatalf("%s: overdue marked wrongly in %s", who.path, r)
			}
		}
	}
}

// TestAWithdrawnCaseIsNotOverdueOnItsOfficePage: the office's case page
// marks a case overdue as the queue does, while the queue holds it; once
// withdrawn nobody owes it a decision.
func TestAWithdrawnCaseIsNotOverdueOnItsOfficePage(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla)
	w.clock.Set(w.clock.Now().Add(120 * 24 * time.Hour))
	carla.Token = w.in.Login(t, carla.Email, carla.Password)
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	if page := office.get("/office/cases/" + caseID); !strings.Contains(page.Body, "tag-overdue") {
		t.Fatal("a case 120 days after its submission is not marked overdue on its office page")
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/withdraw", carla.Token, map[string]string{"reason": "Too slow."}), 200)
	w.in.Settle(t)
	if page := office.get("/office/cases/" + caseID); strings.Contains(page.Body, "tag-overdue") {
		t.Fatal("the withdrawn case's office page is marked overdue")
	}
}

// TestTheDashboardsStatesLeadToWhereTheirCasesAre: each count of cases by
// state links to a list that holds them: the queue for a case in progress,
// the search's state filter for the others (the queue holds none of them).
func TestTheDashboardsStatesLeadToWhereTheirCasesAre(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	inProgress := w.claimedCase(t, carla)
	opened := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201)
	draft := opened.Map(t)["id"].(string)
	w.in.Settle(t)
	// Settle waits for the notifier only: the dashboard reads the read
	// models and the search page the index, which may still lack the draft.
	w.settled(t, opened)
	w.indexed(t)
	state := Expect(t, w.in.Get(t, "/api/v1/cases/"+inProgress, w.admin), 200).Map(t)["state"].(string)
	queued := "/office/cases?state=" + state
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	dash := office.get("/office").Body
	for _, list := range []string{queued, "/office/search?state=draft"} {
		if !strings.Contains(dash, `href="`+list+`"`) {
			t.Fatalf("the dashboard does not link to %s", list)
		}
	}
	if strings.Contains(dash, `href="/office/cases?state=draft"`) {
		t.Fatal("the dashboard links drafts to the queue, which holds none")
	}
	for list, id := range map[string]string{queued: inProgress, "/office/search?state=draft": draft} {
		if p := office.get(list); !strings.Contains(p.Body, id) {
			t.Errorf("%s does not list case %s", list, id)
		}
	}
}

// TestTheAssessorsQueueSaysTheServiceLevelRunsFromThePayment: the service
// level runs from the submission or, where a fee is due, from its payment
// (accreditation.Case.ServiceStart; after an upheld appeal, from its
// decision), and the due dates the queue shows
// count from that; its hint says so, in Dutch as in English, rather than
// "days of submission" alone.
func TestTheAssessorsQueueSaysTheServiceLevelRunsFromThePayment(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	c.login(w.assessor.Email, w.assessor.Password)
	for lang, want := range map[string]string{"en": "within 91 days of submission, or of the fee's payment where one is due, or of the decision on an appeal upheld",
		"nl": "binnen 91 dagen na indiening, of na betaling van de vergoeding waar die verschuldigd is, of na de uitspraak op een gegrond verklaard beroep"} {
		c.setLang(lang)
		if page := c.get("/queue"); !strings.Contains(html.UnescapeString(page.Body), want) {
			t.Errorf("%s: the assessor's queue does not say %q:\n%s", lang, want, regexp.MustCompile(`<p class="hint">[^<]*</p>`).FindAllString(page.Body, -1))
		}
	}
}

// TestTheApplicantReadsWhoAsksForMoreInformation: a question the EMCC
// office asks is headed on the applicant's page as the office's, in the
// page's language, as its next step already says, not as the assessors'.
func TestTheApplicantReadsWhoAsksForMoreInformation(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	office := w.officeClient(t)
	if a := office.post("/office/cases/"+caseID+"/request-information", url.Values{"questions": {"Which supervisor signed the log?"}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("the office asks for more information: got %d; %s", a.Status, errorsOf(a.Body))
	}
	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	for _, tc := range []struct{ lang, want, not string }{
		{"en", "The EMCC office asks for more information", "The assessors ask for more information"},
		{"nl", "Het EMCC-bureau vraagt meer informatie", "De assessoren vragen meer informatie"},
	} {
		applicant.setLang(tc.lang)
		a := applicant.get("/applications/" + caseID)
		if a.Status != http.StatusOK || !strings.Contains(a.Body, tc.want) || strings.Contains(a.Body, tc.not) {
			t.Errorf("%s: the applicant's page: got %d, want it headed %q, not %q", tc.lang, a.Status, tc.want, tc.not)
		}
	}
}
