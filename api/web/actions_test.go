package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// officeClient is a browser logged in as the office.
func (w *world) officeClient(t *testing.T) *client {
	t.Helper()
	c := w.client(t)
	c.login(AdminEmail, AdminPassword)
	return c
}

// TestOfficeErasesAUser: the erasure needs a reason and the confirmation;
// it then does what the API's erasure does: the name, email and everything
// the person wrote are gone from the user page and the case pages, their
// cases before a decision are withdrawn, and their evidence files are
// deleted.
func TestOfficeErasesAUser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, evID, _ := w.awardedCase(t, carla)
	draft := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	office := w.officeClient(t)
	userPath := "/office/users/" + carla.ID

	a := office.get(userPath)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "Carla Coach") || !strings.Contains(a.Body, `action="`+userPath+`/erase"`) ||
		!strings.Contains(a.Body, "I understand this cannot be undone") {
		t.Fatalf("user page before erasure: %d, no erase form; %.500s", a.Status, a.Body)
	}
	// The form offers the legal grounds, the person's request chosen.
	if !strings.Contains(a.Body, `value="data_subject_request" checked`) || !strings.Contains(a.Body, `value="retention_period_ended"`) {
		t.Fatal("the erase form does not offer the legal grounds with the person's request chosen")
	}
	// Without the confirmation, or without a ground, nothing happens.
	a = office.post(userPath+"/erase", url.Values{"erase_ground": {"data_subject_request"}, "erase_reason": {"GDPR art. 17 request"}}, true)
	if a.Status != http.StatusBadRequest || !strings.Contains(a.Body, "Confirm that you understand this cannot be undone") {
		t.Fatalf("erase without confirmation: got %d; %.300s", a.Status, a.Body)
	}
	a = office.post(userPath+"/erase", url.Values{"erase_reason": {"asked"}, "erase_confirm": {"yes"}}, true)
	if a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `href="#f-erase_ground"`) {
		t.Fatalf("erase without a ground: got %d", a.Status)
	}
	if u := Expect(t, w.in.Get(t, "/api/v1/users/"+carla.ID, w.admin), 200).Map(t); u["erased"] == true {
		t.Fatal("erased without the confirmation")
	}

	a = office.post(userPath+"/erase", url.Values{"erase_ground": {"data_subject_request"}, "erase_reason": {"GDPR art. 17 request"}, "erase_confirm": {"yes"}}, true)
	if a.Status != http.StatusSeeOther || a.Location != userPath+"?ok=user_erased" {
		t.Fatalf("erase: got %d to %q; %.300s", a.Status, a.Location, a.Body)
	}
	a = office.get(a.Location)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "personal data is erased") || !strings.Contains(a.Body, "<dd>Erased</dd>") ||
		!strings.Contains(a.Body, "[erased]") || strings.Contains(a.Body, `/erase"`) {
		t.Fatalf("user page after erasure: %d; %.800s", a.Status, a.Body)
	}
	secret := []string{"Carla Coach", "carla@example.org", "How I work on category 3", "Reflections 2025"}
	for _, p := range []string{userPath, "/office/cases/" + caseID, "/office/cases", "/office/users", "/office/decisions", "/office/audit?case_id=" + caseID} {
		a := office.get(p)
		if a.Status != http.StatusOK {
			t.Errorf("GET %s after erasure: %d", p, a.Status)
		}
		for _, s := range secret {
			if strings.Contains(a.Body, s) {
				t.Errorf("GET %s after erasure still shows %q", p, s)
			}
		}
	}
	// The case page names the erasure once, not as a name and an address.
	if a := office.get("/office/cases/" + caseID); strings.Contains(a.Body, "&lt;[erased]&gt;") || !strings.Contains(a.Body, "[erased]") {
		t.Errorf("the erased applicant on the office's case page: want [erased] once, not with an address of [erased]: %.3000s", a.Body)
	}
	// The case still in draft is withdrawn, and says why.
	if a := office.get("/office/cases/" + draft); !strings.Contains(a.Body, "The applicant&#39;s personal data was erased, so nothing more could be recorded") {
		t.Errorf("the erased applicant's draft does not say it was withdrawn for the erasure: %.4000s", a.Body)
	}
	if a := office.get("/cases/" + caseID + "/evidence/" + evID); a.Status != http.StatusNotFound {
		t.Errorf("evidence file after erasure: got %d, want 404 (deleted)", a.Status)
	}
	if a := w.client(t).post("/login", url.Values{"email": {carla.Email}, "password": {carla.Password}}, true); a.Status == http.StatusSeeOther {
		t.Error("the erased user can still log in")
	}
	// Twice is a conflict, shown on the page.
	if a := office.post(userPath+"/erase", url.Values{"erase_ground": {"data_subject_request"}, "erase_reason": {"again"}, "erase_confirm": {"yes"}}, true); a.Status != http.StatusConflict {
		t.Errorf("erase twice: got %d, want 409", a.Status)
	}
	if rep := Expect(t, w.in.Get(t, "/api/v1/audit/verify", w.admin), 200).Map(t); rep["intact"] != true {
		t.Errorf("audit chain after erasure: %v", rep)
	}
}

// TestErasedEvidenceOffersNoLinkToItsFile: once its applicant's personal
// data is erased, a case's evidence files are deleted; the office's case
// page and the assessor's workspace say so, in the page's language,
// instead of offering a link to view or download each file (or showing it
// in the viewer) that answers 404.
func TestErasedEvidenceOffersNoLinkToItsFile(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, evID := w.assessedCase(t, carla)
	office := w.officeClient(t)
	a := office.post("/office/users/"+carla.ID+"/erase", url.Values{"erase_ground": {"data_subject_request"}, "erase_confirm": {"yes"}}, true)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("erase: got %d; %.300s", a.Status, a.Body)
	}
	if a := office.get("/cases/" + caseID + "/evidence/" + evID); a.Status != http.StatusNotFound {
		t.Fatalf("evidence file after erasure: got %d, want 404 (deleted)", a.Status)
	}
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	file := "/cases/" + caseID + "/evidence/" + evID
	for _, tc := range []struct{ lang, want string }{
		{"en", "The file was erased with the applicant&#39;s personal data."},
		{"nl", "Het bestand is gewist met de persoonsgegevens van de aanvrager."},
	} {
		office.setLang(tc.lang)
		anna.setLang(tc.lang)
		for who, c := range map[string]*client{"the office": office, "the assessor": anna} {
			path := map[string]string{"the office": "/office/cases/" + caseID, "the assessor": "/assess/" + caseID + "?view=" + evID}[who]
			a := c.get(path)
			if a.Status != http.StatusOK {
				t.Fatalf("%s, %s: GET %s: %d", who, tc.lang, path, a.Status)
			}
			if strings.Contains(a.Body, `"`+file+`"`) || strings.Contains(a.Body, `"`+file+"?inline=1") {
				t.Errorf("%s, %s: %s still links to the erased file %s", who, tc.lang, path, file)
			}
			if !strings.Contains(a.Body, tc.want) {
				t.Errorf("%s, %s: %s does not say %q", who, tc.lang, path, tc.want)
			}
		}
	}
}

// TestOfficeCannotEraseOrDisableItself: no erase or disable form on one's
// own page, and either form sent anyway is refused, the user still active.
func TestOfficeCannotEraseOrDisableItself(t *testing.T) {
	w := newWorld(t)
	me := Expect(t, w.in.Get(t, "/api/v1/me", w.admin), 200).Map(t)["id"].(string)
	office := w.officeClient(t)
	if a := office.get("/office/users/" + me); a.Status != http.StatusOK || strings.Contains(a.Body, "/erase\"") || strings.Contains(a.Body, "/disable\"") {
		t.Fatalf("own user page: %d, with an erase or a disable form", a.Status)
	}
	a := office.post("/office/users/"+me+"/erase", url.Values{"erase_ground": {"data_subject_request"}, "erase_reason": {"oops"}, "erase_confirm": {"yes"}}, true)
	if a.Status != http.StatusBadRequest || !strings.Contains(a.Body, "You cannot erase your own account.") {
		t.Fatalf("erase oneself: got %d", a.Status)
	}
	a = office.post("/office/users/"+me+"/disable", url.Values{"disable_reason": {"on leave"}}, true)
	if a.Status != http.StatusBadRequest || !strings.Contains(a.Body, "You cannot disable your own account: another office user can.") {
		t.Fatalf("disable oneself: got %d", a.Status)
	}
	if a := office.get("/office/users/" + me); a.Status != http.StatusOK {
		t.Fatalf("own user page after the refusals: %d (logged out?)", a.Status)
	}
	if u := Expect(t, w.in.Get(t, "/api/v1/users/"+me, w.admin), 200).Map(t); u["disabled"] == true || u["erased"] == true {
		t.Fatalf("after the refusals: %v", u)
	}
}

// TestHolderWithdrawsTheirAccreditation: on the certificate page, with a
// reason; the public register no longer lists it.
func TestHolderWithdrawsTheirAccreditation(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	anon := w.client(t)
	if a := anon.get("/register?q=carla"); !strings.Contains(a.Body, "Carla Coach") {
		t.Fatalf("register before: %.300s", a.Body)
	}
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	cert := "/accreditations/" + accID
	if a := c.get(cert); a.Status != http.StatusOK || !strings.Contains(a.Body, `action="`+cert+`/withdraw"`) {
		t.Fatalf("certificate page: %d, no withdrawal form", a.Status)
	}
	if a := c.post(cert+"/withdraw", url.Values{"withdraw_reason": {"  "}}, true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `href="#f-withdraw_reason"`) {
		t.Fatalf("withdraw without a reason: got %d", a.Status)
	}
	a := c.post(cert+"/withdraw", url.Values{"withdraw_reason": {"I retire from coaching."}}, true)
	if a.Status != http.StatusSeeOther || a.Location != cert+"?ok=accreditation_withdrawn" {
		t.Fatalf("withdraw: got %d to %q; %.300s", a.Status, a.Location, a.Body)
	}
	a = c.get(a.Location)
	if !strings.Contains(a.Body, "The accreditation is withdrawn.") || !strings.Contains(a.Body, "Withdrawn") || strings.Contains(a.Body, cert+`/withdraw"`) {
		t.Fatalf("certificate after withdrawal: %.600s", a.Body)
	}
	if a := anon.get("/register?q=carla"); strings.Contains(a.Body, "Carla Coach") {
		t.Fatal("the register still lists the withdrawn accreditation")
	}
	if a := anon.get("/register/" + accID); strings.Contains(a.Body, "This accreditation is valid.") {
		t.Fatal("the verification page still says valid")
	}
	if a := c.post(cert+"/withdraw", url.Values{"withdraw_reason": {"again"}}, true); a.Status < 400 {
		t.Fatalf("withdraw twice: got %d", a.Status)
	}
}

// TestAHolderCannotBeAskedToWithdrawAnothersAccreditation: the withdrawal
// form sent for an accreditation that is not the caller's is a 404, as the
// API answers it, and as for one that does not exist: no page asks them to
// confirm withdrawing it.
func TestAHolderCannotBeAskedToWithdrawAnothersAccreditation(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	bob := w.registerApplicant(t, "bob@example.org", "Bob Other")
	_, _, accID := w.awardedCase(t, carla)
	c := w.client(t)
	c.login(bob.Email, bob.Password)
	for _, acc := range []string{accID, "01J00000000000000000000000"} {
		a := c.postAsking("/accreditations/"+acc+"/withdraw", url.Values{"withdraw_reason": {"Not mine to give up."}}, true)
		if a.Status != http.StatusNotFound || strings.Contains(a.Body, "data-confirm") {
			t.Errorf("Bob's withdrawal form for accreditation %s: got %d (a confirmation: %v), want 404", acc, a.Status, strings.Contains(a.Body, "data-confirm"))
		}
	}
	if v := Expect(t, w.in.Get(t, "/api/v1/accreditations/"+accID, carla.Token), 200).Map(t); v["accreditation"].(map[string]any)["status"] != "active" {
		t.Fatalf("Carla's accreditation after Bob's forms: %v", v["accreditation"])
	}
}

// TestOfficeWithdrawsAnAccreditation: beside the revocation on the case
// page.
func TestOfficeWithdrawsAnAccreditation(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _, accID := w.awardedCase(t, carla)
	office := w.officeClient(t)
	casePath := "/office/cases/" + caseID
	a := office.get(casePath)
	if !strings.Contains(a.Body, "/office/accreditations/"+accID+`/revoke"`) || !strings.Contains(a.Body, "/office/accreditations/"+accID+`/withdraw"`) {
		t.Fatalf("case page: no revocation and withdrawal forms")
	}
	if a := office.post("/office/accreditations/"+accID+"/withdraw", nil, true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `href="#f-withdraw_reason"`) {
		t.Fatalf("withdraw without a reason: got %d", a.Status)
	}
	a = office.post("/office/accreditations/"+accID+"/withdraw", url.Values{"withdraw_reason": {"At the holder's written request."}}, true)
	if a.Status != http.StatusSeeOther || a.Location != casePath+"?ok=accreditation_withdrawn" {
		t.Fatalf("withdraw: got %d to %q; %.300s", a.Status, a.Location, a.Body)
	}
	a = office.get(a.Location)
	if !strings.Contains(a.Body, "The accreditation is withdrawn.") || strings.Contains(a.Body, `/withdraw"`) || strings.Contains(a.Body, `/revoke"`) {
		t.Fatalf("case page after withdrawal: %.600s", a.Body)
	}
	if a := w.client(t).get("/register?q=carla"); strings.Contains(a.Body, "Carla Coach") {
		t.Fatal("the register still lists the withdrawn accreditation")
	}
	c := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, w.admin), 200).Map(t)
	if st := c["accreditation"].(map[string]any)["status"]; st != "withdrawn" {
		t.Fatalf("accreditation status: %v", st)
	}
}

// TestAuditIntegrityPage: linked from the audit page and the dashboard, it
// says intact, and records a signed checkpoint that it then lists.
func TestAuditIntegrityPage(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	for _, p := range []string{"/office", "/office/audit"} {
		if a := office.get(p); !strings.Contains(a.Body, `href="/office/audit/verify"`) {
			t.Errorf("%s: no link to the integrity page", p)
		}
	}
	a := office.get("/office/audit/verify")
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "<h2>Intact</h2>") || !strings.Contains(a.Body, "No stream has a mismatch.") {
		t.Fatalf("integrity page: %d; %.800s", a.Status, a.Body)
	}
	before := strings.Count(a.Body, `<td class="num">#`)
	a = office.post("/office/audit/checkpoints", nil, true)
	if a.Status != http.StatusSeeOther || a.Location != "/office/audit/verify?ok=checkpoint_recorded" {
		t.Fatalf("checkpoint: got %d to %q; %.300s", a.Status, a.Location, a.Body)
	}
	a = office.get(a.Location)
	if !strings.Contains(a.Body, "A signed checkpoint is recorded.") || !strings.Contains(a.Body, "<h2>Intact</h2>") ||
		strings.Count(a.Body, `<td class="num">#`) != before+1 || !strings.Contains(a.Body, `tag-ok">intact`) {
		t.Fatalf("integrity page after a checkpoint: %.1500s", a.Body)
	}
	office.setLang("nl")
	if a := office.get("/office/audit/verify"); !strings.Contains(a.Body, "Integriteit van de audit") {
		t.Fatalf("integrity page in Dutch: %.300s", a.Body)
	}
}

// downloadedExport downloads an export at path as c: a JSON attachment,
// read.
func downloadedExport(t *testing.T, c *client, path string) (answer, map[string]any) {
	t.Helper()
	a := c.get(path)
	if a.Status != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(a.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export %s: %d %q %q", path, a.Status, a.Header.Get("Content-Type"), a.Header.Get("Content-Disposition"))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(a.Body), &doc); err != nil {
		t.Fatalf("export %s: %v", path, err)
	}
	return a, doc
}

// TestDownloadMyData: the same document as GET /api/v1/me/export, linked
// from the header of every page.
func TestDownloadMyData(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _, _ := w.awardedCase(t, carla)
	// The decision's mail is made after the decision, by the notifier: the
	// two exports compared below are made once it is there, or the first
	// may be taken without it and the second with it.
	w.mailOf(t, "decision")
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	if a := c.get("/applications"); !strings.Contains(a.Body, `href="/me/export.json"`) {
		t.Fatal("no download link on /applications")
	}
	a, web := downloadedExport(t, c, "/me/export.json")
	var api map[string]any
	Expect(t, w.in.Get(t, "/api/v1/me/export", carla.Token), 200).JSON(t, &api)
	if u := web["user"].(map[string]any); u["name"] != "Carla Coach" || u["email"] != carla.Email {
		t.Fatalf("export user: %v", u)
	}
	cs := web["cases"].([]any)
	if len(cs) != 1 || cs[0].(map[string]any)["case"].(map[string]any)["id"] != caseID || len(cs[0].(map[string]any)["history"].([]any)) == 0 ||
		!strings.Contains(a.Body, "How I work on category 3") {
		t.Fatalf("export cases: %.500s", a.Body)
	}
	delete(web, "exported_at")
	delete(api, "exported_at")
	if !reflect.DeepEqual(web, api) {
		t.Fatalf("the web export differs from the API's:\nweb %v\napi %v", web, api)
	}
	// Someone with no case gets an empty list.
	o := w.officeClient(t)
	var doc map[string]any
	if err := json.Unmarshal([]byte(o.get("/me/export.json").Body), &doc); err != nil || doc["cases"] == nil || len(doc["cases"].([]any)) != 0 {
		t.Fatalf("office export: %v %v", doc, err)
	}
}

// TestOfficeEnablesADisabledUser: a disabling is undone on the user's page,
// with a reason; the user logs in again with their password. The page
// says that the user is told of each by email, and the outbox lists both
// emails by their kind.
func TestOfficeEnablesADisabledUser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	office := w.officeClient(t)
	page := "/office/users/" + carla.ID
	if a := office.get(page); strings.Contains(a.Body, page+`/enable"`) ||
		!strings.Contains(a.Body, "They are told by email that the EMCC office disabled their account; the reason stays out of it.") {
		t.Fatal("an active user's page offers to enable them, or does not say that they are told of a disabling by email")
	}
	if a := office.post(page+"/disable", url.Values{"disable_reason": {"Left EMCC."}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", a.Status)
	}
	a := office.get(page)
	if !strings.Contains(a.Body, page+`/enable"`) || strings.Contains(a.Body, page+`/disable"`) || !strings.Contains(a.Body, "They are told by email.") {
		t.Fatal("a disabled user's page: no enable form, still a disable form, or no word of the email")
	}
	if a := office.post(page+"/enable", nil, true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `href="#f-enable_reason"`) {
		t.Fatalf("enable without a reason: got %d", a.Status)
	}
	a = office.post(page+"/enable", url.Values{"enable_reason": {"Back at EMCC."}}, true)
	if a.Status != http.StatusSeeOther || a.Location != page+"?ok=user_enabled" {
		t.Fatalf("enable: got %d to %q", a.Status, a.Location)
	}
	if a := office.get(a.Location); !strings.Contains(a.Body, "The user can log in again.") || strings.Contains(a.Body, page+`/enable"`) {
		t.Fatal("the page after enabling")
	}
	if a := w.client(t).post("/login", url.Values{"email": {carla.Email}, "password": {carla.Password}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("the enabled user logs in: %d", a.Status)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		a := office.get("/office/outbox")
		if strings.Contains(a.Body, "Account disabled") && strings.Contains(a.Body, "Account enabled again") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox does not list the two notices by their kind after a minute: %.2000s", a.Body)
		}
	}
}

// TestTheOfficeDownloadsTheDataOfAUser: a user who cannot log in (here
// disabled) asks for their data; the office downloads from the user's page
// the document the API gives (GET /api/v1/users/{id}/export); an applicant
// may not.
func TestTheOfficeDownloadsTheDataOfAUser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _, _ := w.awardedCase(t, carla)
	w.mailOf(t, "decision") // see TestDownloadMyData
	Expect(t, w.in.Post(t, "/api/v1/users/"+carla.ID+"/disable", w.in.AdminToken(t), map[string]string{"reason": "left the profession"}), 200)
	o := w.officeClient(t)
	if a := o.get("/office/users/" + carla.ID); !strings.Contains(a.Body, `href="/office/users/`+carla.ID+`/export.json"`) {
		t.Fatal("no download of the user's data on their page")
	}
	a, web := downloadedExport(t, o, "/office/users/"+carla.ID+"/export.json")
	var api map[string]any
	Expect(t, w.in.Get(t, "/api/v1/users/"+carla.ID+"/export", w.in.AdminToken(t)), 200).JSON(t, &api)
	if u := web["user"].(map[string]any); u["name"] != "Carla Coach" || u["email"] != carla.Email {
		t.Fatalf("export user: %v", u)
	}
	if cs := web["cases"].([]any); len(cs) != 1 || cs[0].(map[string]any)["case"].(map[string]any)["id"] != caseID {
		t.Fatalf("export cases: %.500s", a.Body)
	}
	delete(web, "exported_at")
	delete(api, "exported_at")
	if !reflect.DeepEqual(web, api) {
		t.Fatalf("the web export differs from the API's:\nweb %v\napi %v", web, api)
	}
	ben := w.registerApplicant(t, "ben@example.org", "Ben Other")
	c := w.client(t)
	c.login(ben.Email, ben.Password)
	if a := c.get("/office/users/" + carla.ID + "/export.json"); a.Status != http.StatusForbidden || strings.Contains(a.Body, carla.Email) {
		t.Fatalf("an applicant downloading another's data: %d", a.Status)
	}
}
