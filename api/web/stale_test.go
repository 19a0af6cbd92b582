package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// idemField is the value a form carries to be written once however often
// it is sent.
var idemField = regexp.MustCompile(`name="idem" value="([^"]+)"`)

// shownVersion is the version a page's form was rendered at.
func shownVersion(t *testing.T, a answer) string {
	t.Helper()
	m := versionField.FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatalf("no version in the form (status %d)", a.Status)
	}
	return m[1]
}

// staleRefused checks the answer to a save made over a change made since
// the page was shown: refused, said in words, what was typed kept, and the
// form now at the version saved, so that saving again goes through.
func staleRefused(t *testing.T, what string, a answer, typed, now string) {
	t.Helper()
	if a.Status != http.StatusPreconditionFailed || !strings.Contains(a.Body, "This was changed after you opened this page") {
		t.Fatalf("%s: a save over a change made since: got %d, want 412 saying so: %.2000s", what, a.Status, a.Body)
	}
	if !strings.Contains(a.Body, typed) {
		t.Errorf("%s: what was typed (%q) is not kept on the page", what, typed)
	}
	if got := shownVersion(t, a); got != now {
		t.Errorf("%s: the form is at version %s after the refusal, want the saved one, %s", what, got, now)
	}
}

// A form that replaces what it shows is saved against the version it was
// shown at: a change made since (another tab, another office user, the
// API) is not undone unseen.
func TestAStaleSaveIsRefusedAndKeepsWhatWasTyped(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, evID := "", ""
	caseID = w.readyEIA(t, carla)
	evID = Expect(t, w.in.Upload(t, caseID, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1,2"}, "reflections.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")
	web := w.client(t)
	web.login(carla.Email, carla.Password)
	base := "/applications/" + caseID
	caseVersion := func() string {
		t.Helper()
		return strings.Trim(Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Header.Get("ETag"), `"`)
	}

	t.Run("portfolio", func(t *testing.T) {
		shown := shownVersion(t, web.get(base+"/portfolio"))
		// Another tab saves the portfolio.
		Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/portfolio", carla.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 200, "client_count": 14,
			"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
		form := url.Values{"version": {shown}, "first_practice_date": {"2021-01-15"}, "client_hours": {"151"}, "client_count": {"14"}, "cpd_hours_last_year": {"20"},
			"supervision_hours_last_year": {"6"}, "feedback_items_last_12m": {"6"}, "reflection_items_last_12m": {"5"}, "professional_body_member": {"yes"}}
		a := web.post(base+"/portfolio", form, true)
		staleRefused(t, "portfolio", a, `value="151"`, caseVersion())
		if got := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["portfolio"].(map[string]any)["client_hours"]; got != 200.0 {
			t.Fatalf("the other tab's client hours became %v, want 200 kept", got)
		}
		form.Set("version", shownVersion(t, a))
		if a := web.post(base+"/portfolio", form, true); a.Status != http.StatusSeeOther {
			t.Fatalf("saved again at the version shown: got %d, want 303", a.Status)
		}
		if got := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["portfolio"].(map[string]any)["client_hours"]; got != 151.0 {
			t.Fatalf("client hours %v after saving again, want 151", got)
		}
	})

	t.Run("self-assessment", func(t *testing.T) {
		// The same category changed here and in another tab: refused.
		shown := shownVersion(t, web.get(base+"/self-assessment"))
		Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/self-assessment", carla.Token, map[string]any{"categories": []map[string]any{{"category": 1, "statement": "Written in another tab"}}}), 200)
		a := web.post(base+"/self-assessment", url.Values{"version": {shown}, "statement_1": {"Typed in this tab"}, "statement_2": {"Statement"}}, true)
		staleRefused(t, "self-assessment", a, "Typed in this tab", caseVersion())
		if got := selfStatement(t, w, carla, caseID, 1); got != "Written in another tab" {
			t.Fatalf("category 1 reads %q, want the other tab's statement kept", got)
		}
	})

	t.Run("self-assessment, other categories", func(t *testing.T) {
		// Another tab changes category 3; this one, still showing category
		// 3 as it was, changes category 4: both are kept, nothing refused.
		shown := shownVersion(t, web.get(base+"/self-assessment"))
		Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/self-assessment", carla.Token, map[string]any{"categories": []map[string]any{{"category": 3, "statement": "Category 3 from another tab"}}}), 200)
		a := web.post(base+"/self-assessment", url.Values{"version": {shown}, "statement_1": {"Written in another tab"}, "statement_3": {"Statement"}, "statement_4": {"Category 4 from this tab"}}, true)
		if a.Status != http.StatusSeeOther {
			t.Fatalf("a save changing only what no one changed since: got %d, want 303: %.2000s", a.Status, a.Body)
		}
		for n, want := range map[int]string{1: "Written in another tab", 3: "Category 3 from another tab", 4: "Category 4 from this tab"} {
			if got := selfStatement(t, w, carla, caseID, n); got != want {
				t.Errorf("category %d reads %q, want %q", n, got, want)
			}
		}
	})

	t.Run("evidence", func(t *testing.T) {
		edit := base + "/evidence/" + evID + "/edit"
		shown := shownVersion(t, web.get(edit))
		Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/evidence/"+evID, carla.Token, map[string]any{"kind": "reflective_statement", "title": "Retitled in another tab", "categories": []int{1, 2}}), 200)
		a := web.post(edit, url.Values{"version": {shown}, "kind": {"reflective_statement"}, "title": {"Retitled in this tab"}, "categories": {"1", "2"}}, true)
		staleRefused(t, "evidence", a, "Retitled in this tab", caseVersion())
	})

	t.Run("assessor profile", func(t *testing.T) {
		office := w.client(t)
		office.login(AdminEmail, AdminPassword)
		page := "/office/users/" + w.assessor.ID
		shown := shownVersion(t, office.get(page))
		// Another office user, through the API, adds a conflict of interest.
		Expect(t, w.in.Put(t, "/api/v1/users/"+w.assessor.ID+"/assessor-profile", w.admin, map[string]any{
			"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{carla.ID}}), 200)
		a := office.post(page+"/profile", url.Values{"version": {shown}, "schemes": {"EIA"}, "max_level": {"senior_practitioner"}, "languages": {"en, fr"}}, true)
		now := strings.Trim(Expect(t, w.in.Get(t, "/api/v1/users/"+w.assessor.ID, w.admin), 200).Header.Get("ETag"), `"`)
		staleRefused(t, "assessor profile", a, `value="en, fr"`, now)
		prof := Expect(t, w.in.Get(t, "/api/v1/users/"+w.assessor.ID, w.admin), 200).Map(t)["assessor_profile"].(map[string]any)
		if c, _ := prof["conflicts"].([]any); len(c) != 1 {
			t.Fatalf("conflicts %v, want the other office user's one kept", prof["conflicts"])
		}
	})
}

// The API's user carries its version, so that a change to it can be made
// against what the client read (If-Match), as a case's can.
func TestAUsersETagGuardsItsProfile(t *testing.T) {
	w := newWorld(t)
	path := "/api/v1/users/" + w.assessor.ID
	etag := Expect(t, w.in.Get(t, path, w.admin), 200).Header.Get("ETag")
	if _, err := strconv.ParseUint(strings.Trim(etag, `"`), 10, 64); err != nil || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("ETag %q, want a quoted version", etag)
	}
	profile := map[string]any{"schemes": []string{"EIA"}, "max_level": "practitioner", "languages": []string{"en"}, "conflicts": []string{}}
	Expect(t, w.in.Do(t, Request{Method: http.MethodPut, Path: path + "/assessor-profile", Token: w.admin, Body: profile, Header: map[string]string{"If-Match": etag}}), 200)
	// The same version again is stale now.
	Expect(t, w.in.Do(t, Request{Method: http.MethodPut, Path: path + "/assessor-profile", Token: w.admin, Body: profile, Header: map[string]string{"If-Match": etag}}), 412)
}

func selfStatement(t *testing.T, w *world, u User, caseID string, category int) string {
	t.Helper()
	c := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, u.Token), 200).Map(t)
	items, _ := c["self_assessment"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		if m["category"] == float64(category) {
			s, _ := m["statement"].(string)
			return s
		}
	}
	return ""
}

// draftWithEvidence is Carla's ready EIA draft with an evidence item, and
// her browser, logged in.
func draftWithEvidence(t *testing.T) (w *world, carla User, caseID, evID string, web *client) {
	t.Helper()
	w = newWorld(t)
	carla = w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID = w.readyEIA(t, carla)
	evID = Expect(t, w.in.Upload(t, caseID, carla.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1,2"}, "reflections.pdf", pdf, nil), 201).Header.Get("X-Evidence-Id")
	web = w.client(t)
	web.login(carla.Email, carla.Password)
	return w, carla, caseID, evID, web
}

// A change made since to another part of the case does not refuse a form:
// only one to what the form replaces does.
func TestAChangeElsewhereDoesNotRefuseASave(t *testing.T) {
	w, carla, caseID, evID, web := draftWithEvidence(t)
	base := "/applications/" + caseID
	elsewhere := func(n int) {
		t.Helper()
		Expect(t, w.in.Upload(t, caseID, carla.Token, map[string]string{"kind": "case_study", "title": "Case study " + strconv.Itoa(n), "categories": "3"}, "case.pdf", pdf, nil), 201)
	}

	shown := shownVersion(t, web.get(base+"/portfolio"))
	elsewhere(1)
	form := url.Values{"version": {shown}, "first_practice_date": {"2021-01-15"}, "client_hours": {"152"}, "client_count": {"14"}, "cpd_hours_last_year": {"20"},
		"supervision_hours_last_year": {"6"}, "feedback_items_last_12m": {"6"}, "reflection_items_last_12m": {"5"}, "professional_body_member": {"yes"}}
	if a := web.post(base+"/portfolio", form, true); a.Status != http.StatusSeeOther {
		t.Fatalf("portfolio saved after an evidence item was added elsewhere: got %d, want 303: %.2000s", a.Status, a.Body)
	}

	shown = shownVersion(t, web.get(base+"/self-assessment"))
	elsewhere(2)
	if a := web.post(base+"/self-assessment", url.Values{"version": {shown}, "statement_2": {"Changed in this tab"}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("self-assessment saved after an evidence item was added elsewhere: got %d, want 303: %.2000s", a.Status, a.Body)
	}
	if got := selfStatement(t, w, carla, caseID, 2); got != "Changed in this tab" {
		t.Fatalf("category 2 reads %q after the save", got)
	}

	edit := base + "/evidence/" + evID + "/edit"
	shown = shownVersion(t, web.get(edit))
	Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/portfolio", carla.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 160, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	if a := web.post(edit, url.Values{"version": {shown}, "kind": {"reflective_statement"}, "title": {"Retitled here"}, "categories": {"1", "2"}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("evidence edited after the portfolio was saved elsewhere: got %d, want 303: %.2000s", a.Status, a.Body)
	}
}

// TestAStepTheCaseNoLongerAllowsIsSaidInWords: a step sent from a page
// opened before the case moved on (a second tab, someone else's step) is
// refused in the reader's language, naming the case's stage as their pages
// name it, or the role someone else took, not with the API's message and
// its list of action names or the holder's id.
func TestAStepTheCaseNoLongerAllowsIsSaidInWords(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.claimedCase(t, carla) // submitted, accepted, awaiting its verifier

	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	verifier := w.client(t)
	verifier.login(w.verifier.Email, w.verifier.Password)
	for _, tc := range []struct {
		who        *client
		lang, path string
		form       url.Values
		want       string
	}{
		{applicant, "en", "/applications/" + caseID + "/submit", url.Values{},
			"This step is not possible now that the case is at “Awaiting assessors”: it may have moved on since the page was opened"},
		{applicant, "nl", "/applications/" + caseID + "/portfolio", url.Values{"client_hours": {"700"}},
			"Deze stap is niet mogelijk nu het dossier op “Wacht op assessoren” staat: het is misschien verder gegaan"},
		{office, "nl", "/office/cases/" + caseID + "/screen", url.Values{"outcome": {"accepted"}},
			"Deze stap is niet mogelijk nu het dossier op “Wacht op assessoren” staat"},
		// Two assessors claiming one role from the queue at once.
		{verifier, "en", "/queue/" + caseID + "/claim", url.Values{"role": {"assessor"}},
			"This case&#39;s assessor role was taken since the page was opened"},
		{verifier, "nl", "/queue/" + caseID + "/claim", url.Values{"role": {"assessor"}},
			"De rol van assessor in dit dossier is ingenomen sinds de pagina werd geopend"},
	} {
		tc.who.setLang(tc.lang)
		tc.who.stale(t, tc.path, tc.form, tc.want)
	}

	// An assessment sent again from a second tab.
	gus := w.registerApplicant(t, "gus@example.org", "Gus Coach")
	gusCase := w.claimedCase(t, gus)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+gusCase+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.setLang("nl")
	assessment := url.Values{"recommendation": {"award"}, "rationale": {"Consistent practitioner evidence."}}
	for n := 1; n <= 8; n++ {
		assessment.Set("rating_"+itoa(n), "evidenced")
	}
	if a := anna.post("/assess/"+gusCase, assessment, true); a.Status != http.StatusSeeOther {
		t.Fatalf("the assessment: got %d, want it sent", a.Status)
	}
	anna.stale(t, "/assess/"+gusCase, assessment, "Uw beoordeling van dit dossier is al verstuurd sinds de pagina werd geopend")
	// The applicant reads the stage as their own pages name it.
	gusClient := w.client(t)
	gusClient.login(gus.Email, gus.Password)
	gusClient.stale(t, "/applications/"+gusCase+"/submit", url.Values{}, "now that the case is at “Being assessed”")

	// The holder withdraws their accreditation while the office's case page
	// still offers its revocation.
	dora := w.registerApplicant(t, "dora@example.org", "Dora Holder")
	_, _, accID := w.awardedCase(t, dora)
	Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/withdrawal", dora.Token, map[string]string{"reason": "Retiring."}), 200)
	office.setLang("nl")
	office.stale(t, "/office/accreditations/"+accID+"/revoke", url.Values{"revoke_reason": {"Upheld ethics complaint."}},
		"Deze stap is niet mogelijk nu de accreditatie “Ingetrokken” is")

	// A renewal sent again from a second tab.
	erin := w.registerApplicant(t, "erin@example.org", "Erin Holder")
	_, _, erinsAcc := w.awardedCase(t, erin)
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	holder := w.client(t)
	holder.login(erin.Email, erin.Password)
	holder.setLang("nl")
	if a := holder.post("/accreditations/"+erinsAcc+"/renew", renewalForm("6"), true); a.Status != http.StatusSeeOther {
		t.Fatalf("the renewal: got %d, want it submitted", a.Status)
	}
	holder.stale(t, "/accreditations/"+erinsAcc+"/renew", renewalForm("6"), "Deze stap is niet mogelijk nu de verlenging op “Ingediend” staat")
}

// stale posts form to path from a page the case has moved on from, and
// wants the 409 saying want, not the API's message.
func (c *client) stale(t *testing.T, path string, form url.Values, want string) {
	t.Helper()
	c.refused(t, path, form, http.StatusConflict, want)
}

// refused posts form to path and wants status saying want, not the API's
// message.
func (c *client) refused(t *testing.T, path string, form url.Values, status int, want string) {
	t.Helper()
	r := c.post(path, form, true)
	if r.Status != status || !strings.Contains(r.Body, want) || strings.Contains(r.Body, "allowed:") || strings.Contains(r.Body, "cannot ") {
		t.Errorf("%s: status %d, want %d saying %q and not the API's message: %.3000s", path, r.Status, status, want, r.Body)
	}
}

// TestAStepSomethingElseBlocksIsSaidInWords: a step refused for what stands
// in its way on the case other than its state (a holder's own judgement, an
// appeal's terms) or rules published anew since their form was opened is
// refused in the reader's language, not with the API's message.
func TestAStepSomethingElseBlocksIsSaidInWords(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)

	// The office's page still offers to take the assessor off the case;
	// meanwhile the assessor has sent their assessment.
	caseID := w.inAssessment(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	var ratings []map[string]any
	for cat := 1; cat <= 8; cat++ {
		ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced", "notes": "ok"})
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", w.assessor.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Consistent evidence."}), 200)
	unassign := url.Values{"role": {"assessor"}, "unassign_reason_assessor": {"Workload."}, "confirm": {"yes"}}
	office.stale(t, "/office/cases/"+caseID+"/unassign", unassign, "The assessor of this case has submitted their assessment, which stands as theirs")
	office.setLang("nl")
	office.stale(t, "/office/cases/"+caseID+"/unassign", unassign, "De assessor van dit dossier heeft een beoordeling ingediend")

	// An award at the level applied for (the page offers no appeal of it).
	dora := w.registerApplicant(t, "dora@example.org", "Dora Holder")
	awarded, _, _ := w.awardedCase(t, dora)
	doraWeb := w.client(t)
	doraWeb.login(dora.Email, dora.Password)
	grounds := url.Values{"grounds": {"My supervision log was overlooked."}}
	doraWeb.refused(t, "/applications/"+awarded+"/appeal", grounds, http.StatusUnprocessableEntity, "The accreditation was awarded at the level applied for, so there is nothing to appeal.")
	// Two office users edit the rules from one version: the second to
	// publish is told in words, and what they entered is kept.
	rulesForm := func(c *client) url.Values {
		form := url.Values{"action": {"publish"}}
		for _, m := range prefilled.FindAllStringSubmatch(c.get("/office/rules/eia").Body, -1) {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
		form.Set("effective_from", w.clock.Now().AddDate(0, 0, 1).Format("2006-01-02"))
		return form
	}
	form := rulesForm(office)
	other := w.officeClient(t)
	first := rulesForm(other)
	first.Set("v_client_hours_practitioner", "120")
	if a := other.post("/office/rules/eia", first, true); a.Status != http.StatusSeeOther {
		t.Fatalf("the first publish: got %d, want 303: %.3000s", a.Status, a.Body)
	}
	form.Set("v_client_hours_practitioner", "130")
	office.stale(t, "/office/rules/eia", form, "Deze regels zijn opnieuw gepubliceerd sinds de pagina werd geopend (de laatste: Regels van ")
	if a := office.post("/office/rules/eia", form, true); !strings.Contains(a.Body, `value="130"`) {
		t.Errorf("the figure typed (130) is not kept on the refused form")
	}
}

// TestAPanelThatDoesNotCarryIsSaidInWords: a decision whose panel's votes
// do not carry it is refused in the office user's language, with the votes
// counted.
func TestAPanelThatDoesNotCarryIsSaidInWords(t *testing.T) {
	w := newWorld(t)
	caseID, _ := w.assessedCase(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	paul := w.in.CreateUser(t, w.admin, "office", "paul@example.org", "Paul Panel")
	office := w.officeClient(t)
	office.setLang("nl")
	self := regexp.MustCompile(`name="vote_([0-9A-Z]{26})"[^<]*>\s*<option value="">[^<]*</option>\s*<option value="for" selected>`).FindStringSubmatch(office.get("/office/cases/" + caseID).Body)
	if self == nil {
		t.Fatal("the decision form does not offer the recording office user's vote")
	}
	tie := url.Values{"outcome": {"not_awarded"}, "rationale": {"Not yet at the level."}, "vote_" + self[1]: {"for"}, "vote_" + paul.ID: {"against"}}
	office.refused(t, "/office/cases/"+caseID+"/decide", tie, http.StatusUnprocessableEntity, "De stemmen van de commissie dragen de uitkomst niet (1 voor, 1 tegen)")
}

// TestAnAssessorWhoMayNotTakeTheRoleIsSaidInWords: a claim from a queue
// page, or an assignment from a case page, opened before the assessor's
// profile changed is refused in the reader's language, saying why; a claim
// of a case the profile no longer covers shows the queue as it is now.
func TestAnAssessorWhoMayNotTakeTheRoleIsSaidInWords(t *testing.T) {
	w := newWorld(t)
	caseID := w.claimedCase(t, w.registerApplicant(t, "carla@example.org", "Carla Coach")) // the verifier's role is open
	// Anna took the assessor's role in another tab; this one's queue
	// still offers the verifier's.
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.setLang("nl")
	anna.refused(t, "/queue/"+caseID+"/claim", url.Values{"role": {"verifier"}}, http.StatusUnprocessableEntity,
		"U kunt deze rol in dit dossier niet op zich nemen; het dossier of uw profiel is misschien gewijzigd sinds de pagina werd geopend. De assessor en de verificateur van een dossier zijn twee verschillende personen")
	// The office's case page offers Victor for the verifier's role; his
	// profile is lowered meanwhile.
	Expect(t, w.in.Put(t, "/api/v1/users/"+w.verifier.ID+"/assessor-profile", w.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "foundation", "languages": []string{"en", "nl"}, "conflicts": []string{}}), 200)
	// Victor's queue, opened before, still offers the case: it is out of
	// his sight now, and his queue says so.
	victor := w.client(t)
	victor.login(w.verifier.Email, w.verifier.Password)
	victor.setLang("nl")
	victor.refused(t, "/queue/"+caseID+"/claim", url.Values{"role": {"verifier"}}, http.StatusNotFound,
		"Dit dossier wordt u niet meer aangeboden: het is ingetrokken, of uw assessorprofiel of het dossier is gewijzigd sinds de wachtrij werd getoond.")
	if a := victor.post("/queue/"+caseID+"/claim", url.Values{"role": {"verifier"}}, true); !strings.Contains(a.Body, "Beoordelingswachtrij") {
		t.Errorf("the refused claim does not show the queue")
	}
	office := w.officeClient(t)
	office.refused(t, "/office/cases/"+caseID+"/assign", url.Values{"role": {"verifier"}, "assessor_id_verifier": {w.verifier.ID}}, http.StatusUnprocessableEntity,
		"This assessor may not take this role on this case; the case or their profile may have changed since the page was opened. The assessor profile&#39;s highest level is below the case&#39;s.")
}

// TestChangesToOtherFieldsAreMergedNotRefused: a form saved over changes
// made since it was shown to other fields of what it replaces keeps both:
// the fields it left as shown take the changes made since, the ones it
// changed are saved. A page shown again after a mistake carries the merged
// values, so that saving it then undoes nothing.
func TestChangesToOtherFieldsAreMergedNotRefused(t *testing.T) {
	w, carla, caseID, evID, web := draftWithEvidence(t)
	base := "/applications/" + caseID
	portfolio := func() map[string]any {
		return Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["portfolio"].(map[string]any)
	}
	otherTab := func(clientHours, clientCount int) {
		Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/portfolio", carla.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": clientHours, "client_count": clientCount,
			"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	}
	form := func(version, clientHours, clientCount string) url.Values {
		return url.Values{"version": {version}, "first_practice_date": {"2021-01-15"}, "client_hours": {clientHours}, "client_count": {clientCount}, "cpd_hours_last_year": {"20"},
			"supervision_hours_last_year": {"6"}, "feedback_items_last_12m": {"6"}, "reflection_items_last_12m": {"5"}, "professional_body_member": {"yes"}}
	}

	// Another tab changes the client count; this one the hours.
	shown := shownVersion(t, web.get(base+"/portfolio"))
	otherTab(140, 20)
	if a := web.post(base+"/portfolio", form(shown, "160", "14"), true); a.Status != http.StatusSeeOther {
		t.Fatalf("portfolio: got %d, want 303: %.2000s", a.Status, a.Body)
	}
	if p := portfolio(); p["client_count"] != 20.0 || p["client_hours"] != 160.0 {
		t.Fatalf("portfolio: client count %v and hours %v, want the other tab's 20 and this tab's 160", p["client_count"], p["client_hours"])
	}

	// The same with a figure mistyped here: the page shown again holds the
	// other tab's change, and saving it keeps that change.
	shown = shownVersion(t, web.get(base+"/portfolio"))
	otherTab(160, 25)
	a := web.post(base+"/portfolio", form(shown, "lots", "20"), true)
	if a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `value="25"`) || !strings.Contains(a.Body, `value="lots"`) {
		t.Fatalf("a mistyped figure: got %d, want 400 with the client count now (25) and what was typed: %.2000s", a.Status, a.Body)
	}
	again := form(shownVersion(t, a), "170", "25") // as the page shows it now
	if a := web.post(base+"/portfolio", again, true); a.Status != http.StatusSeeOther {
		t.Fatalf("saved again: got %d, want 303", a.Status)
	}
	if p := portfolio(); p["client_count"] != 25.0 || p["client_hours"] != 170.0 {
		t.Fatalf("portfolio: client count %v and hours %v, want 25 and 170", p["client_count"], p["client_hours"])
	}

	// An evidence item retitled in another tab while this one changes its
	// categories.
	edit := base + "/evidence/" + evID + "/edit"
	shown = shownVersion(t, web.get(edit))
	Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/evidence/"+evID, carla.Token, map[string]any{"kind": "reflective_statement", "title": "Retitled in another tab", "categories": []int{1, 2}}), 200)
	if a := web.post(edit, url.Values{"version": {shown}, "kind": {"reflective_statement"}, "title": {"Reflections 2025"}, "categories": {"1", "2", "3"}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("evidence: got %d, want 303: %.2000s", a.Status, a.Body)
	}
	for _, e := range Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["evidence"].([]any) {
		if ev := e.(map[string]any); ev["id"] == evID && (ev["title"] != "Retitled in another tab" || len(ev["categories"].([]any)) != 3) {
			t.Fatalf("evidence: title %v, categories %v; want the other tab's title and this tab's three categories", ev["title"], ev["categories"])
		}
	}
}

var shownField = regexp.MustCompile(`<input type="hidden" name="(shown_[a-z_]+)" value="([^"]*)">`)

// profileForm is the office's profile form for user id as its page shows
// it, with the profile it showed, set to the fields given (empty: none).
func profileForm(t *testing.T, c *client, id string, fields url.Values) url.Values {
	t.Helper()
	a := c.get("/office/users/" + id)
	form := url.Values{"version": {shownVersion(t, a)}}
	for _, m := range shownField.FindAllStringSubmatch(a.Body, -1) {
		form.Add(m[1], html.UnescapeString(m[2]))
	}
	if !form.Has("shown_max_level") {
		t.Fatalf("the profile form does not carry the profile it shows: %v", form)
	}
	for k, v := range fields {
		form[k] = v
	}
	return form
}

// TestAnAssessorsProfileSavedOverChangesMergesThem: the office's profile
// form saved over a change made since by another office user keeps both:
// a conflict of interest recorded meanwhile is not dropped by a save that
// changed the level, one taken off here goes while one added meanwhile
// stays; a level changed both here and since is refused.
func TestAnAssessorsProfileSavedOverChangesMergesThem(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	gus := w.registerApplicant(t, "gus@example.org", "Gus Coach")
	office := w.officeClient(t)
	path := "/office/users/" + w.assessor.ID
	setElsewhere := func(level string, conflicts ...string) {
		t.Helper()
		Expect(t, w.in.Put(t, "/api/v1/users/"+w.assessor.ID+"/assessor-profile", w.admin, map[string]any{
			"schemes": []string{"EIA", "EQA"}, "max_level": level, "languages": []string{"en", "nl"}, "conflicts": append([]string{}, conflicts...)}), 200)
	}
	profile := func() (string, []any) {
		p := Expect(t, w.in.Get(t, "/api/v1/users/"+w.assessor.ID, w.admin), 200).Map(t)["assessor_profile"].(map[string]any)
		c, _ := p["conflicts"].([]any)
		return p["max_level"].(string), c
	}
	fields := func(level string, conflicts ...string) url.Values {
		return url.Values{"schemes": {"EIA", "EQA"}, "max_level": {level}, "languages": {"en, nl"}, "conflicts": conflicts}
	}

	// The level changed here, a conflict recorded elsewhere meanwhile.
	form := profileForm(t, office, w.assessor.ID, fields("senior_practitioner"))
	setElsewhere("master_practitioner", carla.ID)
	if a := office.post(path+"/profile", form, true); a.Status != http.StatusSeeOther {
		t.Fatalf("a save over a conflict recorded since: got %d, want 303: %.2000s", a.Status, a.Body)
	}
	if level, c := profile(); level != "senior_practitioner" || len(c) != 1 || c[0] != carla.ID {
		t.Fatalf("after the save: level %s, conflicts %v; want this form's level and the conflict recorded meanwhile", level, c)
	}

	// One conflict taken off here while another is added elsewhere.
	form = profileForm(t, office, w.assessor.ID, fields("senior_practitioner"))
	setElsewhere("senior_practitioner", carla.ID, gus.ID)
	if a := office.post(path+"/profile", form, true); a.Status != http.StatusSeeOther {
		t.Fatalf("a conflict taken off: got %d, want 303", a.Status)
	}
	if _, c := profile(); len(c) != 1 || c[0] != gus.ID {
		t.Fatalf("conflicts %v, want only the one added meanwhile", c)
	}

	// The level changed both here and elsewhere: refused, as typed.
	form = profileForm(t, office, w.assessor.ID, fields("foundation", gus.ID))
	setElsewhere("practitioner", gus.ID)
	if a := office.post(path+"/profile", form, true); a.Status != http.StatusPreconditionFailed || !strings.Contains(a.Body, "This was changed after you opened this page") {
		t.Fatalf("the level changed both here and since: got %d, want 412 saying so", a.Status)
	}
	if level, _ := profile(); level != "practitioner" {
		t.Fatalf("level %s, want the other office user's kept", level)
	}
}

// TestAFormResentWithOtherValuesIsRefusedNotDropped: a form sent again with
// its "idem" but other values (back, edit, save) is another request: it is
// refused with the page saying so and keeping what was typed, not answered
// "saved" while nothing is written; the same form sent again unchanged (a
// double click) is answered as the first.
func TestAFormResentWithOtherValuesIsRefusedNotDropped(t *testing.T) {
	w := newWorld(t)
	u := w.registerApplicant(t, "carla@example.org", "Carla")
	id := w.readyEIA(t, u)
	c := w.client(t)
	c.login(u.Email, u.Password)
	page := c.get("/applications/" + id + "/portfolio")
	idem, version := idemField.FindStringSubmatch(page.Body)[1], shownVersion(t, page)
	form := func(hours string) url.Values {
		return url.Values{"first_practice_date": {"2021-01-15"}, "client_hours": {hours}, "client_count": {"14"}, "cpd_hours_last_year": {"20"},
			"supervision_hours_last_year": {"6"}, "feedback_items_last_12m": {"6"}, "reflection_items_last_12m": {"5"},
			"professional_body_member": {"yes"}, "idem": {idem}, "version": {version}}
	}
	hours := func() any {
		return Expect(t, w.in.Get(t, "/api/v1/cases/"+id, u.Token), 200).Map(t)["portfolio"].(map[string]any)["client_hours"]
	}
	if r := c.post("/applications/"+id+"/portfolio", form("150"), true); r.Status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.Status)
	}
	again := c.post("/applications/"+id+"/portfolio", form("175"), true)
	if again.Status != http.StatusUnprocessableEntity || !strings.Contains(again.Body, "already sent, with other values") || !strings.Contains(again.Body, `value="175"`) {
		t.Fatalf("the form sent again with other values: %d, want 422 saying so and keeping 175: %.3000s", again.Status, again.Body)
	}
	if got := hours(); got != 150.0 {
		t.Fatalf("client hours after the refused resend: %v, want 150", got)
	}
	if r := c.post("/applications/"+id+"/portfolio", form("150"), true); r.Status != http.StatusSeeOther {
		t.Fatalf("the same form sent again unchanged: %d, want 303 as the first: %.2000s", r.Status, r.Body)
	}
}
