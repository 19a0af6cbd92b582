package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestBadInputOnTheFormsIsARefusedForm sends forms of each role, in a state
// that allows them, with each field spoiled: empty, a control character,
// invalid UTF-8, far too long, not a number, a number out of range, an
// impossible date, a value off the list. The answer is never a 5xx page; a
// refusal is a 4xx page whose error summary names the field (its link,
// #f-field), and nothing done is answered with a redirect (a 303 is a
// spoiled value taken, which the test reports).
func TestBadInputOnTheFormsIsARefusedForm(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	draft := w.readyEIA(t, carla)
	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	office := w.officeClient(t)
	submitted := w.readyEIA(t, w.registerApplicant(t, "sam@example.org", "Sam Submitted"))
	sam := w.in.Login(t, "sam@example.org", "password of Sam Submitted")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+submitted+"/submit", sam, declared), 200)

	inAssessment := w.inAssessment(t, w.registerApplicant(t, "ida@example.org", "Ida Assessed"))
	assessed, _ := w.assessedCase(t, w.registerApplicant(t, "dora@example.org", "Dora Decided"))

	adminID := Expect(t, w.in.Get(t, "/api/v1/me", w.admin), 200).Map(t)["id"].(string)

	// The spoilings of each kind of field; "" (empty) only where the
	// field is required (a draft's fields may be left empty).
	spoilings := map[string]map[string]string{
		"text":       {"empty": "", "control character": "a\x00b", "escape": "a\x1b[2Jb", "invalid UTF-8": "a\xffb", "far too long": strings.Repeat("x", 200_000)},
		"draft text": {"control character": "a\x00b", "escape": "a\x1b[2Jb", "invalid UTF-8": "a\xffb", "far too long": strings.Repeat("x", 200_000)},
		"number":     {"not a number": "lots", "negative": "-1", "1e309": "1e309", "NaN": "NaN", "invalid UTF-8": "1\xff"},
		"date":       {"impossible date": "2026-02-30", "another format": "15/01/2021", "not a date": "soon", "invalid UTF-8": "2026\xff"},
		"choice":     {"off the list": "zz-not-one", "empty": "", "invalid UTF-8": "a\xffb"},
		"or none":    {"off the list": "zz-not-one", "invalid UTF-8": "a\xffb"},
	}
	forms := []struct {
		c      *client
		path   string
		good   url.Values
		fields map[string]string // those to spoil, by kind
	}{
		{w.client(t), "/signup", url.Values{"name": {"Nina New"}, "email": {"nina@example.org"}, "password": {"a long enough password"}},
			map[string]string{"name": "text", "email": "text", "password": "text"}},
		{applicant, "/applications", url.Values{"scheme": {"EIA"}, "level": {"foundation"}, "language": {"en"}}, map[string]string{"level": "choice", "language": "choice"}},
		{applicant, "/applications/" + draft + "/portfolio", url.Values{"first_practice_date": {"2021-01-15"}, "client_hours": {"140"}, "client_count": {"14"}},
			map[string]string{"first_practice_date": "date", "client_hours": "number", "client_count": "number"}},
		{applicant, "/applications/" + draft + "/self-assessment", url.Values{"statement_1": {"How I work"}}, map[string]string{"statement_1": "draft text"}},
		{office, "/office/cases/" + submitted + "/screen", url.Values{"outcome": {"returned"}, "reason": {"Incomplete."}}, map[string]string{"outcome": "choice", "reason": "text"}},
		{office, "/office/users", url.Values{"name": {"Rita Reviewer"}, "email": {"rita@example.org"}, "role": {"office"}, "password": {"rita's long password"}},
			map[string]string{"name": "text", "email": "text", "role": "choice", "password": "text"}},
		{office, "/office/cases/" + inAssessment + "/request-information", url.Values{"questions": {"Who supervises you?"}}, map[string]string{"questions": "text"}},
		{office, "/office/cases/" + assessed + "/decide", url.Values{"outcome": {"not_awarded"}, "rationale": {"Thin."}, "vote_" + adminID: {"against"}}, map[string]string{"outcome": "choice", "rationale": "text"}},
		{office, "/account/notifications", url.Values{"language": {"nl"}}, map[string]string{"language": "or none"}},
		{office, "/office/rules/eia", url.Values{"based_on": {"eia-2024-1"}, "action": {"review"}, "effective_from": {"2026-04-01"}},
			map[string]string{"based_on": "text", "effective_from": "date"}},
	}
	// An upload's fields, before its file, are a form too.
	up := applicant.postFile("/applications/"+draft+"/evidence", [][2]string{{"kind", "other"}, {"title", "a\xffb"}}, "a.pdf", pdf)
	if up.Status != http.StatusBadRequest || !strings.Contains(up.Body, `class="field-reasons"`) {
		t.Errorf("an upload titled in invalid UTF-8: got %d, want a 400 naming the title: %.300s", up.Status, up.Body)
	}
	for _, f := range forms {
		for field, kind := range f.fields {
			for what, v := range spoilings[kind] {
				form := url.Values{}
				for k, vs := range f.good {
					form[k] = vs
				}
				form.Set(field, v)
				// A form that asks to confirm first (a decision) is
				// confirmed, as the person would: the refusal comes then.
				a := f.c.post(f.path, form, true)
				where := f.path + " " + field + " " + what
				switch {
				case a.Status >= 500:
					t.Errorf("%s: got %d, want a refused form: %.300s", where, a.Status, a.Body)
				case a.Status == http.StatusSeeOther:
					t.Errorf("%s: taken (303 to %s)", where, a.Location)
				case a.Status < 400:
					t.Errorf("%s: got %d, want a refused form", where, a.Status)
				case a.Status >= 400 && !strings.Contains(a.Body, `href="#f-`+field+`"`) && !strings.Contains(a.Body, `class="field-reasons"`) &&
					!strings.Contains(a.Body, "<li>"+strings.ReplaceAll(field, "_", " ")+": "):
					// The form again with its summary linking the field (or
					// naming it, a hidden one), or the error page listing
					// the fields' reasons.
					body := a.Body
					if i := strings.Index(body, "<main"); i >= 0 {
						body = body[i:]
					}
					t.Errorf("%s: %d naming no field: %.900s", where, a.Status, body)
				}
			}
		}
	}
}

// TestAFormRefusedAnywayIsNotOfferedForConfirmation: a decision whose
// rationale, or a taking off whose reason, the command refuses (a control
// character, over its limit) was shown on the confirmation page and
// refused only once confirmed. It is refused first, naming the field.
func TestAFormRefusedAnywayIsNotOfferedForConfirmation(t *testing.T) {
	w := newWorld(t)
	assessed, _ := w.assessedCase(t, w.registerApplicant(t, "dora@example.org", "Dora Decided"))
	inAssessment := w.inAssessment(t, w.registerApplicant(t, "ida@example.org", "Ida Assessed"))
	adminID := Expect(t, w.in.Get(t, "/api/v1/me", w.admin), 200).Map(t)["id"].(string)
	office := w.officeClient(t)
	for _, tc := range []struct {
		path, field string
		form        url.Values
	}{
		{"/office/cases/" + assessed + "/decide", "rationale", url.Values{"outcome": {"not_awarded"}, "vote_" + adminID: {"against"}}},
		{"/office/cases/" + assessed + "/decide", "outcome", url.Values{"outcome": {"zz-not-one"}, "rationale": {"Thin."}, "vote_" + adminID: {"against"}}},
		{"/office/cases/" + inAssessment + "/unassign", "unassign_reason_assessor", url.Values{"role": {"assessor"}}},
	} {
		for what, bad := range map[string]string{"a control character": "a\x00b", "far too long": strings.Repeat("x", 30_000)} {
			form := url.Values{}
			for k, v := range tc.form {
				form[k] = v
			}
			if _, set := form[tc.field]; !set {
				form.Set(tc.field, bad)
			}
			a := office.postAsking(tc.path, form, true)
			if a.Status < 400 || a.Status >= 500 || strings.Contains(a.Body, "data-confirm") || !strings.Contains(a.Body, `href="#f-`+tc.field+`"`) {
				t.Errorf("%s with %s in %s: got %d (asking to confirm: %v), want the form refused naming it", tc.path, what, tc.field, a.Status, strings.Contains(a.Body, "data-confirm"))
			}
		}
	}
}
