package web_test

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// asks posts form without confirming and checks that the answer is the
// confirmation page showing texts, with a way back and nothing done: a
// button sending the fields back to their form (edit=yes).
func asks(t *testing.T, c *client, path string, form url.Values, texts ...string) {
	t.Helper()
	a := c.postAsking(path, form, true)
	body := html.UnescapeString(a.Body)
	if a.Status != http.StatusOK || !strings.Contains(body, "data-confirm") {
		t.Fatalf("POST %s without confirming: got %d, want the confirmation page; %s", path, a.Status, errorsOf(a.Body))
	}
	for _, s := range append(texts, `name="confirm" value="yes"`, `name="edit" value="yes"`, "Go back without doing it") {
		if !strings.Contains(body, s) {
			t.Fatalf("the confirmation of %s does not show %q", path, s)
		}
	}
}

// confirms posts form confirmed and wants the redirect to ok.
func confirms(t *testing.T, c *client, path string, form url.Values, ok string) {
	t.Helper()
	f := url.Values{"confirm": {"yes"}}
	for k, v := range form {
		f[k] = v
	}
	a := c.postAsking(path, f, true)
	if a.Status != http.StatusSeeOther || !strings.Contains(a.Location, ok) {
		t.Fatalf("POST %s confirmed: got %d to %q, want %q; %s", path, a.Status, a.Location, ok, errorsOf(a.Body))
	}
}

// TestNothingIrreversibleInOneCarelessClick (issue 15 item 4): removing
// evidence, submitting an application, submitting an assessment, recording
// a decision and erasing a person each first answer with a page saying
// what will happen, with a summary of what was filled in; nothing is done
// until it is confirmed. These are plain form posts: no JavaScript.
func TestNothingIrreversibleInOneCarelessClick(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	evID := Expect(t, w.in.Upload(t, caseID, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1"},
		"reflections.pdf", makePDF("Reflections"), nil), 201).Map(t)["evidence"].([]any)[0].(map[string]any)["id"].(string)
	applicant, office, anna := w.client(t), w.client(t), w.client(t)
	applicant.login(carla.Email, carla.Password)
	office.login(AdminEmail, AdminPassword)
	anna.login(w.assessor.Email, w.assessor.Password)
	state := func() map[string]any {
		return Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, w.admin), 200).Map(t)
	}

	// Removing evidence.
	remove := "/applications/" + caseID + "/evidence/" + evID + "/remove"
	asks(t, applicant, remove, nil, "Remove this evidence?", "Reflections 2025", "reflections.pdf", "Reflective statement", "Remove the evidence")
	if ev, _ := state()["evidence"].([]any); len(ev) != 1 {
		t.Fatalf("evidence after asking: %d items, want it still there", len(ev))
	}
	confirms(t, applicant, remove, nil, "ok=removed")
	if ev, _ := state()["evidence"].([]any); len(ev) != 0 {
		t.Fatalf("evidence after confirming: %d items, want none", len(ev))
	}

	// Submitting the application: a summary and the declarations.
	declared := url.Values{"declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}}
	submit := "/applications/" + caseID + "/submit"
	asks(t, applicant, submit, declared, "Submit your application?", "EIA – individual accreditation", "Practitioner",
		"8 of 8 categories written", "You declare", "I work to the Global Code of Ethics", "I work to a diversity policy", "Submit the application")
	if s := state()["state"]; s != "draft" {
		t.Fatalf("after asking to submit: state %v, want draft", s)
	}
	// Without every declaration there is nothing to confirm: the form says what is missing.
	if a := applicant.postAsking(submit, url.Values{"declaration_code_of_ethics": {"yes"}}, true); a.Status == http.StatusOK && strings.Contains(a.Body, "data-confirm") {
		t.Fatal("a submission that cannot go through asks to confirm")
	}
	confirms(t, applicant, submit, declared, "ok=submitted")

	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)

	// Submitting an assessment.
	f := url.Values{"recommendation": {"award"}, "rationale": {"Consistent practitioner evidence."}}
	for n := 1; n <= 8; n++ {
		f.Set("rating_"+itoa(n), "evidenced")
	}
	f.Set("rating_8", "partially_evidenced")
	asks(t, anna, "/assess/"+caseID, f, "Submit your assessment?", "Evidenced: 7", "Partially evidenced: 1",
		"Award at the level applied for", "Consistent practitioner evidence.", "Submit the assessment")
	goesBack(t, anna, "/assess/"+caseID, f, ">Consistent practitioner evidence.</textarea>", `name="rating_8" value="partially_evidenced" checked`)
	if as, _ := state()["assessments"].([]any); len(as) != 0 {
		t.Fatalf("after asking to assess: %d assessments, want none", len(as))
	}
	confirms(t, anna, "/assess/"+caseID, f, "ok=assessed")
	var ratings []map[string]any
	for cat := 1; cat <= 8; cat++ {
		ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced"})
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", w.verifier.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Agree."}), 200)

	// Recording the decision.
	adminID := Expect(t, w.in.Get(t, "/api/v1/me", w.admin), 200).Map(t)["id"].(string)
	decision := url.Values{"outcome": {"awarded"}, "level": {"practitioner"}, "rationale": {"Meets the practitioner level."}, "vote_" + adminID: {"for"}}
	oc := "/office/cases/" + caseID
	asks(t, office, oc+"/decide", decision, "Record this decision?", "Awarded · Practitioner", "Meets the practitioner level.", "Vote of", "For", "Record the decision")
	if s := state()["state"]; s != "awaiting_decision" {
		t.Fatalf("after asking to decide: state %v, want awaiting_decision", s)
	}
	confirms(t, office, oc+"/decide", decision, "ok=decided")

	// Erasing a person.
	zoe := w.registerApplicant(t, "zoe@example.org", "Zoë Zeeman")
	erase := url.Values{"erase_ground": {"data_subject_request"}, "erase_reason": {"GDPR art. 17 request"}, "erase_confirm": {"yes"}}
	asks(t, office, "/office/users/"+zoe.ID+"/erase", erase, "Erase this person's personal data?",
		"Zoë Zeeman", "zoe@example.org", "The person's request (GDPR art. 17)", "GDPR art. 17 request", "Erase for good")
	if u := Expect(t, w.in.Get(t, "/api/v1/users/"+zoe.ID, w.admin), 200).Map(t); u["erased"] == true {
		t.Fatal("erased before the erasure was confirmed")
	}
	confirms(t, office, "/office/users/"+zoe.ID+"/erase", erase, "ok=")
	if u := Expect(t, w.in.Get(t, "/api/v1/users/"+zoe.ID, w.admin), 200).Map(t); u["erased"] != true {
		t.Fatalf("after confirming the erasure: %v", u)
	}
}

// TestEndingsAskFirst: withdrawing an application, a holder withdrawing
// their accreditation and the office revoking or withdrawing one cannot be
// undone either: each first answers with the confirmation page, and nothing
// changes until it is confirmed.
func TestEndingsAskFirst(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	ben := w.registerApplicant(t, "ben@example.org", "Ben Mentor")
	applicant, holder, office := w.client(t), w.client(t), w.officeClient(t)
	applicant.login(carla.Email, carla.Password)
	holder.login(ben.Email, ben.Password)
	stateOf := func(caseID string) any {
		return Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, w.admin), 200).Map(t)["state"]
	}
	statusOf := func(accID string) any {
		return Expect(t, w.in.Get(t, "/api/v1/accreditations/"+accID, w.admin), 200).Map(t)["accreditation"].(map[string]any)["status"]
	}

	draft := w.readyEIA(t, carla)
	withdraw := "/applications/" + draft + "/withdraw"
	asks(t, applicant, withdraw, url.Values{"reason": {"Moving abroad."}}, "Withdraw your application?", "Practitioner", "Moving abroad.", "Withdraw the application")
	if s := stateOf(draft); s != "draft" {
		t.Fatalf("after asking to withdraw: %v", s)
	}
	confirms(t, applicant, withdraw, nil, "ok=withdrawn")
	if s := stateOf(draft); s != "withdrawn" {
		t.Fatalf("after confirming the withdrawal: %v", s)
	}

	_, _, mine := w.awardedCase(t, ben)
	end := url.Values{"withdraw_reason": {"I retire from coaching."}}
	asks(t, holder, "/accreditations/"+mine+"/withdraw", end, "Withdraw your accreditation?", mine, "I retire from coaching.", "Withdraw my accreditation")
	if s := statusOf(mine); s != "active" {
		t.Fatalf("after asking the holder: %v", s)
	}
	confirms(t, holder, "/accreditations/"+mine+"/withdraw", end, "ok=accreditation_withdrawn")

	_, _, accID := w.awardedCase(t, carla)
	revoke := url.Values{"revoke_reason": {"Upheld ethics complaint."}}
	asks(t, office, "/office/accreditations/"+accID+"/revoke", revoke, "Revoke this accreditation?", accID, "Upheld ethics complaint.", "Revoke the accreditation")
	asks(t, office, "/office/accreditations/"+accID+"/withdraw", url.Values{"withdraw_reason": {"At the holder's request."}},
		"Withdraw this accreditation?", "At the holder's request.", "Withdraw the accreditation")
	if s := statusOf(accID); s != "active" {
		t.Fatalf("after asking the office: %v", s)
	}
	confirms(t, office, "/office/accreditations/"+accID+"/revoke", revoke, "ok=revoked")
	if s := statusOf(accID); s != "revoked" {
		t.Fatalf("after confirming the revocation: %v", s)
	}
}

// TestTheConfirmationInTheBrowser (issue 15 item 4): in the browser, the
// submission's confirmation shows the summary; "Go back" leaves the
// application as it was, the declarations still ticked; confirming
// submits it. In Dutch too.
func TestTheConfirmationInTheBrowser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	b := browser(t)
	b.base = w.in.URL
	b.login(carla.Email, carla.Password)
	b.open("/applications/" + caseID)
	b.click("#f-declaration_code_of_ethics")
	b.click("#f-declaration_diversity")
	b.submitAsking("#submit-application")
	b.see("Submit your application?", "What you are about to do", "I work to the Global Code of Ethics", "What happens next")
	b.submitAsking("#confirm-back")
	if s := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["state"]; s != "draft" {
		t.Fatalf("after going back: state %v, want draft", s)
	}
	if !js[bool](b, `document.querySelector("#f-declaration_code_of_ethics").checked && document.querySelector("#f-declaration_diversity").checked`) {
		t.Fatal("after going back, the declarations ticked are not ticked")
	}
	b.lang("nl")
	b.click("#f-declaration_code_of_ethics")
	b.click("#f-declaration_diversity")
	b.submitAsking("#submit-application")
	b.see("Uw aanvraag indienen?", "U verklaart")
	b.submitAsking("#confirm-button")
	if !strings.Contains(b.path(), "ok=submitted") {
		t.Fatalf("confirming led to %s", b.path())
	}
	if s := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["state"]; s != "submitted" {
		t.Fatalf("after confirming: state %v, want submitted", s)
	}
}

// A returned case is pinned to its rule set and resubmits confirming that
// set's declarations (README: "the texts are versioned in the rule set and
// the event records which version was confirmed"). The web's confirmation
// page must show the text the applicant is about to confirm: the pinned
// version's, the one the case page shows and the event records. It shows
// the text of the version in force instead.
func TestResubmissionConfirmsThePinnedDeclarationText(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "returned", "reason": "Add a reference."}), 200)
	const newText = "I work to a written diversity policy and review it every year."
	Expect(t, w.in.Post(t, "/api/v1/rulesets", w.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": "2026-03-02",
		"declarations": []map[string]any{{"key": "diversity", "text": map[string]string{
			"en": newText, "nl": "Ik werk volgens een geschreven diversiteitsbeleid en herzie het elk jaar."}}}}), 201)

	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	const pinnedText = "I work to a diversity policy and can show how I put it into practice."
	casePage := html.UnescapeString(applicant.get("/applications/" + caseID).Body)
	if !strings.Contains(casePage, pinnedText) || strings.Contains(casePage, newText) {
		t.Fatalf("the case page does not show the pinned diversity text")
	}
	a := applicant.postAsking("/applications/"+caseID+"/submit", url.Values{"declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}}, true)
	body := html.UnescapeString(a.Body)
	if a.Status != http.StatusOK || !strings.Contains(body, "data-confirm") {
		t.Fatalf("want the confirmation page, got %d", a.Status)
	}
	if strings.Contains(body, newText) || !strings.Contains(body, pinnedText) {
		t.Fatalf("the confirmation page says 'You declare' the in-force text %q (shown: %v), not the pinned text %q it records as version 1 (shown: %v)",
			newText, strings.Contains(body, newText), pinnedText, strings.Contains(body, pinnedText))
	}
}

// The same for a renewal returned to its holder: its resubmission is
// checked against, and records the declarations of, the rule set it was
// pinned to (renewal.go Renew: ruleSets.ByID(cur.RuleSetVersion)), but the
// holder's renewal form shows the declarations of the set in force.
func TestReturnedRenewalFormShowsThePinnedDeclarationText(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	var years []map[string]any
	for range 5 {
		years = append(years, map[string]any{"practice_hours": 30, "supervision_hours": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "cpd_hours": 20})
	}
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal", carla.Token, map[string]any{"years": years,
		"reflection": "Five years.", "declarations": []string{"code_of_ethics", "diversity"}}), 200)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assignment", w.admin, map[string]string{"assessor_id": w.assessor.ID}), 200)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", w.assessor.Token, map[string]string{"outcome": "return", "rationale": "Say more."}), 200)
	const newText = "I work to a written diversity policy and review it every year."
	Expect(t, w.in.Post(t, "/api/v1/rulesets", w.admin, map[string]any{"scheme": "EIA", "based_on": "eia-2027-1", "effective_from": w.clock.Now().Format("2006-01-02"),
		"declarations": []map[string]any{{"key": "diversity", "text": map[string]string{
			"en": newText, "nl": "Ik werk volgens een geschreven diversiteitsbeleid en herzie het elk jaar."}}}}), 201)
	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	page := html.UnescapeString(holder.get("/accreditations/" + accID).Body)
	const pinnedText = "I work to a diversity policy and can show how I put it into practice."
	if strings.Contains(page, newText) || !strings.Contains(page, pinnedText) {
		t.Fatalf("the returned renewal's form shows the in-force text (%v), not the pinned one it will record as version 1 (%v)",
			strings.Contains(page, newText), strings.Contains(page, pinnedText))
	}
}

// TestRemovalConfirmationWritesTheSizeInThePagesLanguage: the page that
// asks to confirm removing evidence writes the file's size the Dutch way
// on a Dutch page ("1,5 MB"), as the evidence list does.
func TestRemovalConfirmationWritesTheSizeInThePagesLanguage(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	pdf := append(makePDF("Reflections"), bytes.Repeat([]byte("%padding padding padding\n"), 1572864/25)...)
	evID := Expect(t, w.in.Upload(t, caseID, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1"},
		"reflections.pdf", pdf, nil), 201).Map(t)["evidence"].([]any)[0].(map[string]any)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	c.setLang("nl")
	if list := c.get("/applications/" + caseID + "/evidence"); !strings.Contains(list.Body, "1,5 MB") {
		t.Fatalf("the evidence list does not show 1,5 MB either")
	}
	a := c.postAsking("/applications/"+caseID+"/evidence/"+evID+"/remove", nil, true)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "data-confirm") {
		t.Fatalf("want the confirmation page: %d", a.Status)
	}
	if !strings.Contains(a.Body, "reflections.pdf (1,5 MB)") {
		i := max(0, strings.Index(a.Body, "reflections.pdf"))
		t.Fatalf("the Dutch confirmation does not write the size the Dutch way: %q", a.Body[i:min(len(a.Body), i+40)])
	}
}

// TestGoingBackFromADecisionsConfirmationKeepsWhatWasTyped: "Go back
// without doing it" on the confirmation of a decision, or of a role's
// reassignment, was a link to the case page, whose empty form lost the
// rationale the office had written. It now sends the fields back: the
// form shows them as typed, and nothing is done.
func TestGoingBackFromADecisionsConfirmationKeepsWhatWasTyped(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _ := w.assessedCase(t, carla)
	office := w.officeClient(t)
	oc := "/office/cases/" + caseID
	rationale := "The supervision log is thin, but the client work carries the level."
	adminID := Expect(t, w.in.Get(t, "/api/v1/me", w.admin), 200).Map(t)["id"].(string)
	decision := url.Values{"outcome": {"not_awarded"}, "rationale": {rationale}, "vote_" + adminID: {"for"}}
	asks(t, office, oc+"/decide", decision, "Record this decision?", rationale)
	back := url.Values{"confirm": {"yes"}, "edit": {"yes"}}
	for k, v := range decision {
		back[k] = v
	}
	a := office.postAsking(oc+"/decide", back, true)
	if a.Status != http.StatusOK || strings.Contains(a.Body, "data-confirm") {
		t.Fatalf("going back: got %d, want the case page; %s", a.Status, errorsOf(a.Body))
	}
	if !strings.Contains(html.UnescapeString(a.Body), ">"+rationale+"</textarea>") {
		t.Errorf("the decision's form lost the rationale typed")
	}
	if !strings.Contains(a.Body, `value="not_awarded" checked`) {
		t.Errorf("the decision's form lost the outcome chosen")
	}
	if s := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, w.admin), 200).Map(t)["state"]; s != "awaiting_decision" {
		t.Fatalf("going back decided the case: state %v", s)
	}
}
