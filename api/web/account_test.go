package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
)

// fieldError is the error message shown beside a form field.
func fieldError(body, field string) string {
	m := regexp.MustCompile(`<p class="error-message" id="f-` + field + `-error"><span class="visually-hidden">[^<]*</span> ([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// passwordValue is the value a password field was rendered with.
func passwordValue(body, field string) string {
	m := regexp.MustCompile(`<input id="f-` + field + `" name="` + field + `" type="password" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return "<no field>"
	}
	return m[1]
}

// TestMyAccountPageForEveryRole shows each role its own name, email address
// and role, the password form and the download of its data, linked from
// the header.
func TestMyAccountPageForEveryRole(t *testing.T) {
	w := newWorld(t)
	applicant := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	users := map[domain.Role]User{domain.RoleApplicant: applicant, domain.RoleAssessor: w.assessor,
		domain.RoleOffice: {Email: AdminEmail, Password: AdminPassword}}
	roleWords := map[string]map[domain.Role]string{
		"en": {domain.RoleApplicant: "Applicant", domain.RoleAssessor: "Assessor", domain.RoleOffice: "EMCC office"},
		"nl": {domain.RoleApplicant: "Aanvrager", domain.RoleAssessor: "Assessor", domain.RoleOffice: "EMCC-bureau"},
	}
	for role, u := range users {
		for _, lang := range []string{"en", "nl"} {
			t.Run(string(role)+"/"+lang, func(t *testing.T) {
				c := w.client(t)
				c.setLang(lang)
				c.login(u.Email, u.Password)
				if a := c.get(home(role)); !strings.Contains(a.Body, `href="/account"`) {
					t.Errorf("the header of %s links no account page", home(role))
				}
				a := c.get("/account")
				if a.Status != http.StatusOK {
					t.Fatalf("GET /account: got %d; %.300s", a.Status, a.Body)
				}
				checkPage(t, "/account", lang, a)
				want := []string{`action="/account/password"`, `name="current_password"`, `name="new_password"`, `name="repeat_password"`,
					`href="/me/export.json"`, `<dd>` + roleWords[lang][role] + `</dd>`}
				if u.Name != "" {
					want = append(want, "<dd>"+u.Name+"</dd>")
				}
				if u.Email != "" {
					want = append(want, ">"+u.Email+"</dd>")
				}
				for _, s := range want {
					if !strings.Contains(a.Body, s) {
						t.Errorf("GET /account as %s: no %s", role, s)
					}
				}
			})
		}
	}
}

func home(role domain.Role) string {
	switch role {
	case domain.RoleApplicant:
		return "/applications"
	case domain.RoleAssessor:
		return "/queue"
	}
	return "/office"
}

// TestChangePassword: each mistake is shown beside its field, with no
// password typed back into the form; a change lets the new password log in
// and no longer the old one; repeated wrong current passwords are paused.
func TestChangePassword(t *testing.T) {
	w := newWorld(t)
	applicant := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	c := w.client(t)
	c.login(applicant.Email, applicant.Password)
	const newPassword = "a new and longer passphrase"
	change := func(current, next, repeat string) answer {
		t.Helper()
		return c.post("/account/password", url.Values{"current_password": {current}, "new_password": {next}, "repeat_password": {repeat}}, true)
	}
	noPasswordsBack := func(a answer) {
		t.Helper()
		for _, f := range []string{"current_password", "new_password", "repeat_password"} {
			if v := passwordValue(a.Body, f); v != "" {
				t.Errorf("%s rendered with value %q, want empty", f, v)
			}
		}
	}

	t.Run("wrong current password", func(t *testing.T) {
		a := change("not my password at all", newPassword, newPassword)
		if a.Status != http.StatusUnauthorized {
			t.Errorf("got %d, want 401", a.Status)
		}
		if got := fieldError(a.Body, "current_password"); got != "The current password is wrong" {
			t.Errorf("current_password error %q; %s", got, a.Body)
		}
		if !strings.Contains(a.Body, `href="#f-current_password"`) {
			t.Error("the error summary does not link the current password field")
		}
		noPasswordsBack(a)
	})

	t.Run("repeat does not match", func(t *testing.T) {
		a := change(applicant.Password, newPassword, newPassword+"!")
		if a.Status != http.StatusBadRequest {
			t.Errorf("got %d, want 400", a.Status)
		}
		if got := fieldError(a.Body, "repeat_password"); got != "Type the same new password twice" {
			t.Errorf("repeat_password error %q", got)
		}
		if fieldError(a.Body, "current_password") != "" || fieldError(a.Body, "new_password") != "" {
			t.Error("an error beside another field")
		}
		noPasswordsBack(a)
	})

	t.Run("too short", func(t *testing.T) {
		a := change(applicant.Password, "short", "short")
		if a.Status != http.StatusBadRequest {
			t.Errorf("got %d, want 400", a.Status)
		}
		if got := fieldError(a.Body, "new_password"); got != "Use 12 to 256 characters" {
			t.Errorf("new_password error %q", got)
		}
		noPasswordsBack(a)
	})

	t.Run("a common password", func(t *testing.T) {
		a := change(applicant.Password, "Password2024!", "Password2024!")
		if a.Status != http.StatusBadRequest {
			t.Errorf("got %d, want 400", a.Status)
		}
		if got := fieldError(a.Body, "new_password"); got != "a common password, or made from one" {
			t.Errorf("new_password error %q", got)
		}
		noPasswordsBack(a)
	})

	t.Run("in Dutch", func(t *testing.T) {
		nl := w.client(t)
		nl.setLang("nl")
		nl.login(applicant.Email, applicant.Password)
		a := nl.post("/account/password", url.Values{"current_password": {applicant.Password}, "new_password": {"kort"}, "repeat_password": {"anders"}}, true)
		if got := fieldError(a.Body, "repeat_password"); got != "Typ tweemaal hetzelfde nieuwe wachtwoord" {
			t.Errorf("repeat_password error %q", got)
		}
		a = nl.post("/account/password", url.Values{"current_password": {applicant.Password}, "new_password": {"kort"}, "repeat_password": {"kort"}}, true)
		if got := fieldError(a.Body, "new_password"); got != "Gebruik 12 tot 256 tekens" {
			t.Errorf("new_password error %q", got)
		}
		a = nl.post("/account/password", url.Values{"current_password": {applicant.Password}, "new_password": {"qwerty123456"}, "repeat_password": {"qwerty123456"}}, true)
		if got := fieldError(a.Body, "new_password"); got != "een veelgebruikt wachtwoord, of daarvan gemaakt" {
			t.Errorf("new_password error %q", got)
		}
		checkPage(t, "/account/password", "nl", a)
	})

	t.Run("success", func(t *testing.T) {
		elsewhere := w.client(t) // another browser of the same user
		elsewhere.login(applicant.Email, applicant.Password)
		a := change(applicant.Password, newPassword, newPassword)
		if a.Status != http.StatusSeeOther || a.Location != "/account?ok=password_changed" {
			t.Fatalf("got %d to %q, want 303 to /account?ok=password_changed; %.500s", a.Status, a.Location, a.Body)
		}
		if a := c.get(a.Location); !strings.Contains(a.Body, "Your password is changed.") {
			t.Error("no success notice on the account page")
		}
		if a := elsewhere.get("/account"); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/login") {
			t.Errorf("the other browser after the change: got %d to %q, want 303 to the login page", a.Status, a.Location)
		}
		old := w.client(t)
		if a := old.post("/login", url.Values{"email": {applicant.Email}, "password": {applicant.Password}}, true); a.Status != http.StatusUnauthorized || !strings.Contains(a.Body, "The email address or the password is wrong.") {
			t.Errorf("login with the old password: got %d, want 401", a.Status)
		}
		w.client(t).login(applicant.Email, newPassword)
	})

	t.Run("too many wrong tries", func(t *testing.T) {
		o := w.client(t)
		o.login(w.assessor.Email, w.assessor.Password)
		var a answer
		for range 10 {
			a = o.post("/account/password", url.Values{"current_password": {"a wrong guess at it"}, "new_password": {newPassword}, "repeat_password": {newPassword}}, true)
			if a.Status == http.StatusTooManyRequests {
				break
			}
		}
		if a.Status != http.StatusTooManyRequests {
			t.Fatalf("after 10 wrong tries: got %d, want 429", a.Status)
		}
		if a.Header.Get("Retry-After") == "" || !strings.Contains(a.Body, "Too many wrong passwords.") || !strings.Contains(a.Body, `class="error-summary"`) {
			t.Errorf("no throttling message on the page: %.500s", a.Body)
		}
		noPasswordsBack(a)
		// The right password is paused too, and the old one still logs in.
		if a := o.post("/account/password", url.Values{"current_password": {w.assessor.Password}, "new_password": {newPassword}, "repeat_password": {newPassword}}, true); a.Status != http.StatusTooManyRequests {
			t.Errorf("the right password while paused: got %d, want 429", a.Status)
		}
		w.client(t).login(w.assessor.Email, w.assessor.Password)
	})
}

// TestADoubleSubmittedSignupIsAnsweredAsTheFirst: the sign-up form sent
// twice (a double click, a resend) registers once and answers the second
// as the first, not "a user with this email already exists" (the first
// one's account).
func TestADoubleSubmittedSignupIsAnsweredAsTheFirst(t *testing.T) {
	w := newWorld(t)
	c := w.client(t)
	idem := idemField.FindStringSubmatch(c.get("/signup").Body)[1]
	form := url.Values{"name": {"Dora Doe"}, "email": {"dora@example.org"}, "password": {"dora's long password"}, "idem": {idem}}
	first := c.post("/signup", form, true)
	second := c.post("/signup", form, true)
	if first.Status != http.StatusSeeOther || second.Status != http.StatusSeeOther || second.Location != first.Location {
		t.Fatalf("double-submitted sign-up: %d %s then %d %s, want the same answer twice: %.2000s", first.Status, first.Location, second.Status, second.Location, second.Body)
	}
	w.in.Login(t, "dora@example.org", "dora's long password")
}

// TestAnAssessorReadsWhatTheyAssessOnTheirAccountPage: the schemes, the
// highest level, the languages and how many conflicts of interest the
// office set on their profile, in English and Dutch; one with no profile
// yet is told that the queue offers them nothing until the office sets it;
// other roles see no such panel.
func TestAnAssessorReadsWhatTheyAssessOnTheirAccountPage(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	Expect(t, w.in.Put(t, "/api/v1/users/"+w.assessor.ID+"/assessor-profile", w.admin, map[string]any{
		"schemes": []string{"EQA"}, "max_level": "senior_practitioner", "languages": []string{"nl", "en"}, "conflicts": []string{carla.ID}}), 200)
	newcomer := w.in.CreateUser(t, w.admin, "assessor", "nina@example.org", "Nina New")
	for _, tc := range []struct {
		lang string
		says []string
	}{
		{"en", []string{"What you assess", "EQA – quality award for a programme", "Senior Practitioner", "English, Dutch", "Conflicts of interest declared</dt><dd>1<"}},
		{"nl", []string{"Wat u beoordeelt", "EQA – kwaliteitskeurmerk voor een opleiding", "Senior Practitioner", "Engels, Nederlands", "Gemelde belangenconflicten</dt><dd>1<"}},
	} {
		c := w.client(t)
		c.login(w.assessor.Email, w.assessor.Password)
		c.setLang(tc.lang)
		body := c.get("/account").Body
		for _, s := range tc.says {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the assessor's account page does not say %q", tc.lang, s)
			}
		}
	}
	c := w.client(t)
	c.login(newcomer.Email, newcomer.Password)
	if body := c.get("/account").Body; !strings.Contains(body, `id="assesses-none"`) || !strings.Contains(body, "the queue offers you no case to claim") {
		t.Errorf("an assessor with no profile is not told so on their account page")
	}
	c = w.client(t)
	c.login(carla.Email, carla.Password)
	if body := c.get("/account").Body; strings.Contains(body, `id="assesses"`) {
		t.Errorf("the applicant's account page has the assessor's panel")
	}
}
