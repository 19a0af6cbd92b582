package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestSessionCookieAndLogout: the login is a Secure, HttpOnly, SameSite=Lax
// cookie holding the accounts service's token; logging out revokes the
// token itself, not only the cookie.
func TestSessionCookieAndLogout(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	a := c.post("/login", url.Values{"email": {carla.Email}, "password": {carla.Password}, "next": {"//evil.example/x"}}, true)
	if a.Status != http.StatusSeeOther || a.Location != "/applications" {
		t.Fatalf("login: got %d to %q, want 303 to /applications (never to another site)", a.Status, a.Location)
	}
	var session *http.Cookie
	for _, ck := range (&http.Response{Header: a.Header}).Cookies() {
		if ck.Name == "__Host-accredit_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Fatalf("session cookie: %+v", session)
	}
	if r := w.in.Get(t, "/api/v1/me", session.Value); r.Status != http.StatusOK {
		t.Fatalf("the cookie does not hold a session token: %d", r.Status)
	}
	if a := c.post("/logout", nil, true); a.Status != http.StatusSeeOther || a.Location != "/login?ok=logged_out" {
		t.Fatalf("logout: got %d to %q", a.Status, a.Location)
	}
	if r := w.in.Get(t, "/api/v1/me", session.Value); r.Status != http.StatusUnauthorized {
		t.Fatalf("the token after logout: got %d, want 401", r.Status)
	}
	// A copy of the old cookie no longer logs in.
	thief := w.client(t)
	u, _ := url.Parse(w.in.URL)
	thief.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-accredit_session", Value: session.Value}})
	if a := thief.get("/applications"); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/login") {
		t.Fatalf("old cookie after logout: got %d to %q", a.Status, a.Location)
	}
}

// TestALoginInABrowserLoggedInEndsTheSessionItReplaces: the next person at
// a shared computer logs in (or signs up) over a session left open; the
// replaced session ends, as logging out would end it, rather than stay
// valid where nobody sees it.
func TestALoginInABrowserLoggedInEndsTheSessionItReplaces(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	dan := w.registerApplicant(t, "dan@example.org", "Dan Coach")
	c := w.client(t)
	session := func(a answer) string {
		t.Helper()
		for _, ck := range (&http.Response{Header: a.Header}).Cookies() {
			if ck.Name == "__Host-accredit_session" && ck.Value != "" {
				return ck.Value
			}
		}
		t.Fatalf("no session cookie set: %d %v", a.Status, a.Header)
		return ""
	}
	first := session(c.post("/login", url.Values{"email": {carla.Email}, "password": {carla.Password}}, true))
	second := session(c.post("/login", url.Values{"email": {dan.Email}, "password": {dan.Password}}, true))
	if r := w.in.Get(t, "/api/v1/me", first); r.Status != http.StatusUnauthorized {
		t.Fatalf("the session replaced by a login: GET /api/v1/me = %d, want 401", r.Status)
	}
	if r := w.in.Get(t, "/api/v1/me", second); r.Status != http.StatusOK {
		t.Fatalf("the new session: GET /api/v1/me = %d", r.Status)
	}
	session(c.post("/signup", url.Values{"name": {"Eve Example"}, "email": {"eve@example.org"}, "password": {"eve's long password"}}, true))
	if r := w.in.Get(t, "/api/v1/me", second); r.Status != http.StatusUnauthorized {
		t.Fatalf("the session replaced by a sign-up: GET /api/v1/me = %d, want 401", r.Status)
	}
}

// TestCSRF: a form needs this browser's token, for this session, from this
// site.
func TestCSRF(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	before := c.csrf()
	c.login(carla.Email, carla.Password)
	open := url.Values{"scheme": {"EIA"}, "level": {"foundation"}, "language": {"en"}}
	other := w.client(t)
	cases := []struct {
		name   string
		token  string
		header map[string]string
		want   int
	}{
		{"no token", "", nil, http.StatusForbidden},
		{"another browser's token", other.csrf(), nil, http.StatusForbidden},
		{"this browser's token from before the login", before, nil, http.StatusForbidden},
		{"the right token from another site", c.csrf(), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"the right token, cross-site fetch", c.csrf(), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"the right token", c.csrf(), map[string]string{"Origin": w.in.URL}, http.StatusSeeOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range open {
				f[k] = v
			}
			if tc.token != "" {
				f.Set("csrf", tc.token)
			}
			req, _ := http.NewRequest(http.MethodPost, w.in.URL+"/applications", strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			if a := c.do(req); a.Status != tc.want {
				t.Fatalf("got %d, want %d", a.Status, tc.want)
			}
		})
	}
	if n := len(Expect(t, w.in.Get(t, "/api/v1/me/cases", carla.Token), 200).Map(t)["cases"].([]any)); n != 1 {
		t.Fatalf("cases opened: %d, want 1 (only the genuine form)", n)
	}
}

// TestLoginIsSlowedDownAfterFailures: the accounts service's throttle, as
// a page with its message and Retry-After.
func TestLoginIsSlowedDownAfterFailures(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	var a answer
	for range 6 {
		a = c.post("/login", url.Values{"email": {AdminEmail}, "password": {"wrong password!"}}, true)
	}
	if a.Status != http.StatusTooManyRequests || !strings.Contains(a.Body, "Too many failed attempts") || a.Header.Get("Retry-After") == "" {
		t.Fatalf("after repeated failures: got %d (Retry-After %q)", a.Status, a.Header.Get("Retry-After"))
	}
	if !strings.Contains(a.Body, `value="`+AdminEmail+`"`) {
		t.Fatal("the email typed is lost")
	}
}

// TestUploadWithoutJavaScript: the plain form post uploads; over the limit
// it is refused with the error beside the file and the fields kept.
func TestUploadWithoutJavaScript(t *testing.T) {
	w := newWorld(t, func(c *app.Config) { c.MaxUpload = 4096 })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	upload := func(title string, file []byte) answer {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("csrf", c.csrf())
		_ = mw.WriteField("kind", "certificate")
		_ = mw.WriteField("title", title)
		_ = mw.WriteField("categories", "1")
		_ = mw.WriteField("indicators", "2")
		fw, _ := mw.CreateFormFile("file", "certificate.pdf")
		_, _ = fw.Write(file)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, w.in.URL+"/applications/"+caseID+"/evidence", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return c.do(req)
	}
	if a := upload("My certificate", pdf); a.Status != http.StatusSeeOther || !strings.HasSuffix(a.Location, "/evidence?ok=uploaded") {
		t.Fatalf("upload: got %d to %q", a.Status, a.Location)
	}
	a := upload("Too big", append(append([]byte{}, pdf...), bytes.Repeat([]byte(" "), 5000)...))
	if a.Status != http.StatusRequestEntityTooLarge || !strings.Contains(a.Body, `id="f-file-error"`) || !strings.Contains(a.Body, "The file is too large: at most 4 KB.") {
		t.Fatalf("too large: got %d", a.Status)
	}
	if !strings.Contains(a.Body, `value="Too big"`) || !strings.Contains(a.Body, `id="f-ind-2" name="indicators" value="2" data-category="1" checked`) {
		t.Fatal("the fields of the refused upload are lost")
	}
	a = upload("Far too big", bytes.Repeat([]byte("x"), 2<<20))
	if a.Status != http.StatusRequestEntityTooLarge || !strings.Contains(a.Body, "Files can be at most 4 KB") {
		t.Fatalf("far too large: got %d", a.Status)
	}
	ev := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["evidence"].([]any)
	if len(ev) != 1 {
		t.Fatalf("evidence stored: %d, want 1", len(ev))
	}
}

// TestAuditCSVIsTheAPIs: the office's CSV export is the API's, row for row.
func TestAuditCSVIsTheAPIs(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, _, _ := w.awardedCase(t, carla)
	c := w.client(t)
	c.login(AdminEmail, AdminPassword)
	for _, q := range []string{"", "?case_id=" + caseID, "?type=accreditation.decision_made"} {
		web := c.get("/office/audit.csv" + q)
		api := w.in.Do(t, Request{Method: http.MethodGet, Path: "/api/v1/audit" + q, Token: w.admin, Header: map[string]string{"Accept": "text/csv"}})
		if web.Status != http.StatusOK || !strings.HasPrefix(web.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV %s: got %d %s", q, web.Status, web.Header.Get("Content-Type"))
		}
		if web.Body != string(api.Body) || strings.Count(web.Body, "\n") < 2 {
			t.Fatalf("CSV %s differs from the API's:\n%s\n---\n%s", q, web.Body, api.Body)
		}
		if rows := strings.Count(strings.TrimSpace(web.Body), "\n"); web.Trailer.Get("X-Accredit-Export-Complete") != "true" || web.Trailer.Get("X-Accredit-Rows") != itoa(rows) {
			t.Fatalf("CSV %s trailers: %v", q, web.Trailer)
		}
	}
}

// renewalForm is the holder's renewal form filled in: five years of 30
// practice hours, supervision hours of sup and 20 of CPD, a reflection and
// both declarations.
func renewalForm(sup string) url.Values {
	v := url.Values{"scheme": {"EIA"}, "reflection": {"Five years in which my contracting changed."},
		"declaration_code_of_ethics": {"yes"}, "declaration_diversity": {"yes"}}
	for i := range 5 {
		f := fmt.Sprintf("years[%d].", i)
		v.Set(f+"practice_hours", "30")
		v.Set(f+"supervision_hours", sup)
		for q := range 4 { // a quarter of the year's in each, as eia-2027-1 asks
			v.Set(fmt.Sprintf("%ssupervision_hours_by_quarter[%d]", f, q), strings.Replace(fmt.Sprint(mustFloat(sup)/4), ".", ",", 1))
		}
		v.Set(f+"cpd_hours", "20")
	}
	return v
}

func mustFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return f
}

// TestRenewalInTheWindow: the holder submits the renewal through the
// certificate page before the accreditation ends (the rules set no
// narrower window), and reads what happens next.
func TestRenewalInTheWindow(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	if a := c.get("/accreditations/" + accID); !strings.Contains(a.Body, "Renew the accreditation") || !strings.Contains(a.Body, `name="years[4].cpd_hours"`) {
		t.Fatalf("no renewal form in the window: %d", a.Status)
	}
	short := renewalForm("2")
	short.Del("declaration_diversity")
	a := c.post("/accreditations/"+accID+"/renew", short, true)
	// Renewed in the window of 2031, under eia-2027-1: 0.5 h a quarter is short.
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, `id="f-renewal_supervision_hours_each_quarter-error"`) {
		t.Fatalf("renewal short of the rules: got %d", a.Status)
	}
	if want := "at least 1 in every quarter ended when sent (the least supervised of them: 0.5)"; !strings.Contains(a.Body, want) {
		t.Fatalf("the quarterly refusal does not say %q", want)
	}
	if !strings.Contains(a.Body, `id="f-declaration_diversity-error"`) {
		t.Fatal("renewal without the declarations: the diversity declaration is not marked")
	}
	bad := renewalForm("6")
	bad.Set("years[1].cpd_hours", "lots")
	if a := c.post("/accreditations/"+accID+"/renew", bad, true); a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `id="f-years[1].cpd_hours-error"`) {
		t.Fatalf("renewal with a word for a number: got %d", a.Status)
	}
	a = c.post("/accreditations/"+accID+"/renew", renewalForm("6"), true)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("renewal: got %d", a.Status)
	}
	if a := c.get(a.Location); !strings.Contains(a.Body, "Your renewal is submitted: the EMCC office assigns an assessor to it.") || strings.Contains(a.Body, "Submit the renewal") {
		t.Fatal("the certificate does not say the renewal is submitted, or still offers the form")
	}
	assessRenewalOnThePages(t, w, accID, carla)
}

// assessRenewalOnThePages takes the submitted renewal of accID through the
// office's dashboard and case page, where it is assigned to a new assessor,
// and that assessor's queue and certificate page, where it is renewed; the
// holder then reads the new date.
func assessRenewalOnThePages(t *testing.T, w *world, accID string, holder User) {
	t.Helper()
	w.admin = w.in.AdminToken(t) // the clock has moved on
	rene := w.newAssessor(t, "rene@example.org", "Rene Renewals")
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	dash := office.get("/office")
	i := strings.Index(dash.Body, "Renewals awaiting an assessor")
	if i < 0 || !strings.Contains(dash.Body[i:], accID) {
		t.Fatal("the office's dashboard does not list the renewal awaiting an assessor")
	}
	caseID := between(dash.Body[i:], `href="/office/cases/`, `#renewal"`)
	page := office.get("/office/cases/" + caseID)
	if !strings.Contains(page.Body, "Assign the renewal") || !strings.Contains(page.Body, "Rene Renewals") || !strings.Contains(page.Body, "Five years in which my contracting changed.") {
		t.Fatalf("the office's case page: no renewal to assign to Rene (%d)", page.Status)
	}
	if r := office.post("/office/cases/"+caseID+"/renewal/assign", url.Values{}, true); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="f-renewal_assessor_id-error"`) {
		t.Fatalf("assigning nobody: got %d", r.Status)
	}
	if r := office.post("/office/cases/"+caseID+"/renewal/assign", url.Values{"renewal_assessor_id": {rene.ID}}, true); r.Status != http.StatusSeeOther {
		t.Fatalf("assigning the renewal: got %d", r.Status)
	}
	c := w.client(t)
	c.login(rene.Email, rene.Password)
	if q := c.get("/queue"); !strings.Contains(q.Body, "Renewals to assess") || !strings.Contains(q.Body, "/accreditations/"+accID) {
		t.Fatal("the assessor's queue does not list the renewal")
	}
	if r := c.post("/accreditations/"+accID+"/renewal/assess", url.Values{"outcome": {"renew"}}, true); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="f-rationale-error"`) {
		t.Fatalf("an outcome without its rationale: got %d", r.Status)
	}
	r := c.post("/accreditations/"+accID+"/renewal/assess", url.Values{"outcome": {"renew"}, "rationale": {"Five years evidenced."}}, true)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("renewing: got %d", r.Status)
	}
	h := w.client(t)
	h.login(holder.Email, holder.Password)
	if a := h.get("/accreditations/" + accID); !strings.Contains(a.Body, "2 March 2036") {
		t.Fatal("the certificate does not show the new date")
	}
}

// between is the text of s between the first from and the next to.
func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	before, _, _ := strings.Cut(after, to)
	return before
}

// TestUnknownPagesAreHTMLAndTheAPIStaysJSON: the web application's error
// pages never replace the API's problem documents.
func TestUnknownPagesAreHTMLAndTheAPIStaysJSON(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	if a := c.get("/nothing/here"); a.Status != http.StatusNotFound || !strings.Contains(a.Body, "Page not found") {
		t.Fatalf("unknown page: %d", a.Status)
	}
	if a := c.get("/api/v1/nothing-here"); a.Status != http.StatusNotFound || a.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("unknown API path: %d %s", a.Status, a.Header.Get("Content-Type"))
	}
	req, _ := http.NewRequest(http.MethodDelete, w.in.URL+"/api/v1/framework", nil)
	if a := c.do(req); a.Status != http.StatusMethodNotAllowed {
		t.Fatalf("wrong method on the API: %d", a.Status)
	}
}

// TestUserTextIsEscaped: what users write is shown as text, never as markup.
func TestUserTextIsEscaped(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	a := c.post("/signup", url.Values{"name": {`<script>alert("x")</script> Eve`}, "email": {"eve@example.org"}, "password": {"eve's long password"}}, true)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("signup: %d %s", a.Status, errorsOf(a.Body))
	}
	page := c.get("/applications")
	if strings.Contains(page.Body, `<script>alert`) || !strings.Contains(page.Body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Eve`) {
		t.Fatal("the name is not escaped")
	}
}

// The evidence form announces the quota and the uploads allowed at once,
// and a refused upload says why, in English and in Dutch.
func TestUploadQuotaAndNameMismatchInBothLanguages(t *testing.T) {
	w := newWorld(t, func(c *app.Config) { c.MaxCaseFiles = 1; c.MaxCaseBytes = 1 << 20; c.UploadsPerUser = 3 })
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	upload := func(name string, file []byte) answer {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("csrf", c.csrf())
		_ = mw.WriteField("kind", "certificate")
		_ = mw.WriteField("title", "A file")
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(file)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, w.in.URL+"/applications/"+caseID+"/evidence", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return c.do(req)
	}
	page := c.get("/applications/" + caseID + "/evidence")
	for _, want := range []string{"At most 1 files and 1 MB in all per application; this one holds 0", "At most 3 uploads at a time."} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("the form does not announce %q", want)
		}
	}
	a := upload("fake.pdf", []byte("only text"))
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "The file&#39;s content is TXT, but its name ends in .pdf.") {
		t.Fatalf("text named .pdf: got %d", a.Status)
	}
	if a := upload("certificate.pdf", pdf); a.Status != http.StatusSeeOther {
		t.Fatalf("upload: got %d", a.Status)
	}
	a = upload("second.pdf", pdf)
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "This application already holds 1 files, the most allowed.") {
		t.Fatalf("past the quota: got %d", a.Status)
	}
	c.setLang("nl")
	a = upload("second.pdf", pdf)
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "Deze aanvraag bevat al 1 bestanden, het maximum.") {
		t.Fatalf("past the quota, in Dutch: got %d", a.Status)
	}
	if !strings.Contains(a.Body, "Hoogstens 1 bestanden en") {
		t.Fatal("the Dutch form does not announce the quota")
	}
}

// TestAnUploadResentWithAnotherFileIsRefused: the upload form sent again
// with its "idem" and another file under the same name is refused with
// the page saying so, not answered "uploaded" with the file dropped; sent
// again with the same file it is answered as the first, and one item is
// stored.
func TestAnUploadResentWithAnotherFileIsRefused(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	idem := idemField.FindStringSubmatch(c.get("/applications/" + caseID + "/evidence").Body)[1]
	upload := func(file []byte) answer {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("csrf", c.csrf())
		_ = mw.WriteField("idem", idem)
		_ = mw.WriteField("kind", "certificate")
		_ = mw.WriteField("title", "My certificate")
		_ = mw.WriteField("categories", "1")
		_ = mw.WriteField("indicators", "2")
		fw, _ := mw.CreateFormFile("file", "certificate.pdf")
		_, _ = fw.Write(file)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, w.in.URL+"/applications/"+caseID+"/evidence", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return c.do(req)
	}
	if a := upload(pdf); a.Status != http.StatusSeeOther {
		t.Fatalf("upload: got %d", a.Status)
	}
	other := append(append([]byte(nil), pdf...), "% another version\n"...)
	if a := upload(other); a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "already sent, with other values") {
		t.Fatalf("the form sent again with another file: got %d to %q, want 422 saying so: %.3000s", a.Status, a.Location, a.Body)
	}
	if a := upload(pdf); a.Status != http.StatusSeeOther {
		t.Fatalf("the form sent again unchanged: got %d, want 303 as the first", a.Status)
	}
	if ev := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["evidence"].([]any); len(ev) != 1 {
		t.Fatalf("evidence stored: %d, want 1", len(ev))
	}
}

// A field of the evidence form longer than the 64 KiB read of it is
// refused, naming it, not cut short to what could still read as a value
// (the title's first 64 KiB) and taken.
func TestAMultipartFieldOverItsLimitIsRefused(t *testing.T) {
	status, stored := evidenceFormWith(t, func(mw *multipart.Writer, _ *bytes.Buffer) {
		_ = mw.WriteField("categories", "1"+strings.Repeat(" ", 64<<10)+",2")
	})
	if status != http.StatusBadRequest {
		t.Fatalf("a field over 64 KiB: got %d, want 400", status)
	}
	if stored != 0 {
		t.Fatalf("evidence: got %d, want none", stored)
	}
}

// The fields of the evidence form before its file are held until the file
// comes, before the gate of uploads in flight: together they are bounded
// as a form without a file is (2 MiB), each under its own 64 KiB, and a
// form past that is refused, storing nothing.
func TestTheFieldsBeforeAFileAreBoundedTogether(t *testing.T) {
	status, stored := evidenceFormWith(t, func(mw *multipart.Writer, b *bytes.Buffer) {
		pad := strings.Repeat("p", 60<<10)
		for i := 0; b.Len() < 3<<20; i++ {
			_ = mw.WriteField(fmt.Sprintf("f%d", i), pad)
		}
	})
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("3 MiB of fields before the file: got %d, want 413", status)
	}
	if stored != 0 {
		t.Fatalf("evidence: got %d, want none", stored)
	}
}

// evidenceFormWith sends the evidence form of a new applicant's new case
// as their browser would (csrf, kind and title), with what extra writes
// (b is the body so far) before a PDF. It returns the answer's status and
// how many evidence items the case holds after it.
func evidenceFormWith(t *testing.T, extra func(mw *multipart.Writer, b *bytes.Buffer)) (status, stored int) {
	t.Helper()
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrf", c.csrf())
	_ = mw.WriteField("kind", "certificate")
	_ = mw.WriteField("title", "A file")
	extra(mw, &b)
	fw, _ := mw.CreateFormFile("file", "certificate.pdf")
	_, _ = fw.Write(pdf)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, w.in.URL+"/applications/"+caseID+"/evidence", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	a := c.do(req)
	ev, _ := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["evidence"].([]any)
	return a.Status, len(ev)
}
