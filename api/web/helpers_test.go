package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain/seed"
)

// world is an accreditd with the people of a journey: two qualified
// assessors and the office (applicants register in each test).
type world struct {
	in                 *Instance
	clock              *Clock
	admin              string
	assessor, verifier User
}

// start is the day every test's clock starts on.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newWorld(t testing.TB, mutate ...func(*app.Config)) *world {
	t.Helper()
	return newWorldWith(t, app.Options{}, mutate...)
}

// newWorldWith is newWorld started with opt (its clock is the world's).
func newWorldWith(t testing.TB, opt app.Options, mutate ...func(*app.Config)) *world {
	t.Helper()
	clock := NewClock(start)
	cfg := Config(t.TempDir())
	cfg.SecureCookies = true // browsers accept Secure cookies on http://127.0.0.1
	for _, m := range mutate {
		m(&cfg)
	}
	opt.Now = clock.Now
	in := StartWith(t, cfg, opt)
	w := &world{in: in, clock: clock, admin: in.AdminToken(t)}
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range strings.Split(in.Log.String(), "\n") {
				if strings.Contains(l, `"level":"ERROR"`) {
					t.Log(l)
				}
			}
		}
	})
	w.assessor = w.newAssessor(t, "anna@example.org", "Anna Assessor")
	w.verifier = w.newAssessor(t, "victor@example.org", "Victor Verifier")
	return w
}

func (w *world) newAssessor(t testing.TB, email, name string) User {
	t.Helper()
	u := w.in.CreateUser(t, w.admin, "assessor", email, name)
	Expect(t, w.in.Put(t, "/api/v1/users/"+u.ID+"/assessor-profile", w.admin, map[string]any{
		"schemes": []string{"EIA", "EQA"}, "max_level": "master_practitioner", "languages": []string{"en", "nl"}, "conflicts": []string{}}), 200)
	return u
}

// registerApplicant registers an applicant through the API.
func (w *world) registerApplicant(t testing.TB, email, name string) User {
	t.Helper()
	u := User{Email: email, Password: "password of " + name, Name: name}
	r := Expect(t, w.in.Post(t, "/api/v1/auth/register", "", map[string]string{"email": u.Email, "password": u.Password, "name": u.Name}), 201)
	u.ID = r.Map(t)["id"].(string)
	u.Token = w.in.Login(t, u.Email, u.Password)
	return u
}

// declared is the body of a submission that confirms every declaration.
var declared = map[string]any{"declarations": []string{"code_of_ethics", "diversity"}}

var pdf = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// readyEIA opens an EIA practitioner case of the applicant through the API
// with a portfolio that meets the rules and a statement on every category:
// it is ready to submit.
func (w *world) readyEIA(t testing.TB, applicant User) string {
	t.Helper()
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	w.fillEIA(t, applicant, caseID)
	return caseID
}

// openEQA opens an EQA case (a draft) of the applicant through the API, for
// the programme name of provider, at level, in lang.
func (w *world) openEQA(t testing.TB, applicant User, level, lang, name, provider string) string {
	t.Helper()
	return Expect(t, w.in.Post(t, "/api/v1/cases", applicant.Token, map[string]any{"scheme": "EQA", "level": level, "language": lang,
		"programme": map[string]string{"name": name, "provider": provider}}), 201).Map(t)["id"].(string)
}

// eqaAndEIA registers Carla, who opens an empty EQA practitioner draft and
// an EIA practitioner case ready to submit, and returns her browser, logged
// in, and the two cases.
func (w *world) eqaAndEIA(t testing.TB) (c *client, eqa, eia string) {
	t.Helper()
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	eqa = w.openEQA(t, carla, "practitioner", "en", "Coaching Plus", "Academy North")
	eia = w.readyEIA(t, carla)
	c = w.client(t)
	c.login(carla.Email, carla.Password)
	return c, eqa, eia
}

// claimedCase opens an EIA practitioner case of the applicant, submits it,
// has the office accept it and w.assessor claim its assessor's role.
func (w *world) claimedCase(t testing.TB, applicant User) string {
	t.Helper()
	caseID := w.readyEIA(t, applicant)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", applicant.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	// The pages (the queues, the dashboard) read the read models, which
	// an API command does not wait for: wait once for the claim.
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200))
	return caseID
}

// fillEIA gives the applicant's EIA practitioner case a portfolio that
// meets the rules and a statement on every category.
func (w *world) fillEIA(t testing.TB, applicant User, caseID string) {
	t.Helper()
	Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/portfolio", applicant.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	var cats []map[string]any
	for n := 1; n <= 8; n++ {
		cats = append(cats, map[string]any{"category": n, "statement": "Statement"})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/self-assessment", applicant.Token, map[string]any{"categories": cats}), 200)
}

// awardedCase takes an EIA practitioner case of the applicant through the
// API to an award; it returns the case, its evidence and the accreditation.
func (w *world) awardedCase(t testing.TB, applicant User) (caseID, evID, accID string) {
	t.Helper()
	caseID, evID = w.assessedCase(t, applicant)
	d := Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/decision", w.admin, map[string]string{"outcome": "awarded", "level": "practitioner", "rationale": "Meets the level."}), 200).Map(t)
	accID = d["accreditation"].(map[string]any)["id"].(string)
	// The public pages read the read models, which follow the store: wait,
	// as a client does with min_seq, until they hold the award (an
	// anonymous visitor has no session to carry the position).
	path := fmt.Sprintf("/api/v1/register/%s?min_seq=%d", accID, int64(d["seq"].(float64)))
	Expect(t, Retry(t, func(map[string]string) Response { return w.in.Get(t, path, "") }), 200)
	return caseID, evID, accID
}

// assessedCase takes an EIA practitioner case of the applicant through the
// API to both assessments, which recommend the award: it awaits the decision.
func (w *world) assessedCase(t testing.TB, applicant User) (caseID, evID string) {
	t.Helper()
	return w.assessedCaseBefore(t, applicant, nil)
}

// assessedCaseBefore is assessedCase with beforeSubmit run on the draft
// just before it is submitted (nil: nothing).
func (w *world) assessedCaseBefore(t testing.TB, applicant User, beforeSubmit func(caseID string)) (caseID, evID string) {
	t.Helper()
	c := Expect(t, w.in.Post(t, "/api/v1/cases", applicant.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)
	caseID = c["id"].(string)
	Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/portfolio", applicant.Token, map[string]any{"first_practice_date": "2021-01-15", "client_hours": 140, "client_count": 14,
		"cpd_hours_last_year": 20, "supervision_hours_last_year": 6, "supervision_hours_by_quarter": []float64{2, 1, 2, 1}, "feedback_items_last_12m": 6, "reflection_items_last_12m": 5, "professional_body_member": true}), 200)
	up := Expect(t, w.in.Upload(t, caseID, applicant.Token, map[string]string{"kind": "reflective_statement", "title": "Reflections 2025", "categories": "1,2", "indicators": "31"}, "reflections.pdf", pdf, nil), 201)
	evID = up.Header.Get("X-Evidence-Id")
	var cats []map[string]any
	for cat := 3; cat <= 8; cat++ {
		cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("How I work on category %d", cat)})
	}
	Expect(t, w.in.Put(t, "/api/v1/cases/"+caseID+"/self-assessment", applicant.Token, map[string]any{"categories": cats}), 200)
	if beforeSubmit != nil {
		beforeSubmit(caseID)
	}
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", applicant.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assignments", w.admin, map[string]string{"assessor_id": w.verifier.ID, "role": "verifier"}), 200)
	var last Response
	for _, u := range []User{w.assessor, w.verifier} {
		var ratings []map[string]any
		for cat := 1; cat <= 8; cat++ {
			ratings = append(ratings, map[string]any{"category": cat, "rating": "evidenced", "notes": "ok"})
		}
		last = Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/assessments", u.Token, map[string]any{"ratings": ratings, "recommendation": "award", "rationale": "Consistent evidence."}), 200)
	}
	// The pages (calibration, the queues, the dashboard) read the read
	// models, which an API command does not wait for: wait once for the
	// last assessment.
	w.settled(t, last)
	return caseID, evID
}

// client is a browser without JavaScript: cookies, forms, no redirects
// followed, so that a test sees each answer.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func (w *world) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: w.in.URL, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
	Trailer  http.Header
}

func (c *client) do(req *http.Request) answer {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{Status: resp.StatusCode, Body: string(b), Location: resp.Header.Get("Location"), Header: resp.Header, Trailer: resp.Trailer}
}

func (c *client) get(path string) answer {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

// post sends a form; csrf, when true, adds the token of the browser. When
// the answer asks to confirm (see confirm.go) and the form did not say
// either way, it confirms, as the person would: the tests of the
// confirmation pages themselves use postAsking.
func (c *client) post(path string, form url.Values, csrf bool) answer {
	c.t.Helper()
	a := c.postAsking(path, form, csrf)
	if _, said := form["confirm"]; !said && a.Status == http.StatusOK && strings.Contains(a.Body, "data-confirm") {
		again := url.Values{}
		for k, v := range form {
			again[k] = v
		}
		again.Set("confirm", "yes")
		return c.postAsking(path, again, csrf)
	}
	return a
}

// postAsking sends a form and returns the answer as it is.
func (c *client) postAsking(path string, form url.Values, csrf bool) answer {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf {
		form.Set("csrf", c.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token from a page.
func (c *client) csrf() string {
	c.t.Helper()
	a := c.get("/register")
	m := csrfField.FindStringSubmatch(a.Body)
	if m == nil {
		c.t.Fatalf("no CSRF token on the page: %s", a.Body)
	}
	return m[1]
}

func (c *client) setLang(lang string) {
	c.t.Helper()
	a := c.post("/lang", url.Values{"lang": {lang}, "back": {"/"}}, true)
	if a.Status != http.StatusSeeOther {
		c.t.Fatalf("switch language: got %d", a.Status)
	}
}

func (c *client) login(email, password string) {
	c.t.Helper()
	a := c.post("/login", url.Values{"email": {email}, "password": {password}}, true)
	if a.Status != http.StatusSeeOther {
		c.t.Fatalf("login %s: got %d, want 303; %s", email, a.Status, a.Body)
	}
}

// makePDF makes a one-page PDF showing lines of text, for the viewer.
func makePDF(lines ...string) []byte { return seed.OnePagePDF(lines...) }
