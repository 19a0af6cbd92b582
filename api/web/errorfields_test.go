package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// errorPageBody is the content of the error page (its narrow column).
var errorPageBody = regexp.MustCompile(`(?s)<div class="narrow error-page">.*?</div>`)

// TestTheErrorPageSaysWhatWasWrongWithEachField: a step refused for its
// fields that has no form of its own to show again ends on the error
// page, which lists each field's reason under the message, the field
// named as the error summaries name it, in the page's language: the
// evidence form with a field over its limit (one whose name is markup,
// which reads as text), and an application started from a self-check at
// a level that is not one.
func TestTheErrorPageSaysWhatWasWrongWithEachField(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	check := Expect(t, w.in.Post(t, "/api/v1/me/self-checks", carla.Token, map[string]any{"ratings": []any{}}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	long := strings.Repeat("t", 64<<10+1)
	upload := func(fields ...[2]string) answer {
		return c.postFile("/applications/"+caseID+"/evidence", append([][2]string{{"kind", "certificate"}}, fields...), "certificate.pdf", pdf)
	}

	for _, tc := range []struct {
		name   string
		send   func() answer
		en, nl string // the field's line of the page
	}{
		{"a title over its limit", func() answer { return upload([2]string{"title", long}) },
			"<li>Title: at most 65536 bytes</li>", "<li>Titel: hoogstens 65536 bytes</li>"},
		{"a field named with markup over its limit", func() answer { return upload([2]string{"title", "A file"}, [2]string{"<b>bold</b>", long}) },
			"<li>&lt;b&gt;bold&lt;/b&gt;: at most 65536 bytes</li>", "<li>&lt;b&gt;bold&lt;/b&gt;: hoogstens 65536 bytes</li>"},
		{"an application from a self-check at no level", func() answer {
			return c.post("/self-checks/apply", url.Values{"check": {check}, "level": {"grandmaster"}, "language": {"en"}}, true)
		}, "<li>Level: a level</li>", "<li>Niveau: kies een niveau</li>"},
	} {
		for _, lang := range []string{"en", "nl"} {
			c.setLang(lang)
			a := tc.send()
			page := errorPageBody.FindString(a.Body)
			want := map[string]string{"en": tc.en, "nl": tc.nl}[lang]
			if a.Status != http.StatusBadRequest || !strings.Contains(page, want) {
				t.Errorf("%s, %s: got %d %s, want 400 with %q", tc.name, lang, a.Status, html.UnescapeString(page), want)
			}
			if strings.Contains(a.Body, "<b>bold</b>") {
				t.Errorf("%s, %s: a field's name is markup on the page: %s", tc.name, lang, page)
			}
		}
	}
	if ev, _ := Expect(t, w.in.Get(t, "/api/v1/cases/"+caseID, carla.Token), 200).Map(t)["evidence"].([]any); len(ev) != 0 {
		t.Fatalf("evidence stored: %d, want none", len(ev))
	}
}

// TestTheErrorPageSaysItsMessageAsASentenceNamingNoForm: the error page
// of a step refused for its fields, or of a form that could not be read,
// shows no form, so its message does not send the reader to one; in
// English it is the domain's message, shown as a sentence (a capital
// first letter, the rest as the domain wrote it), or the catalogue's
// words for the error page, and in Dutch the catalogue's words, as they
// are.
func TestTheErrorPageSaysItsMessageAsASentenceNamingNoForm(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "foundation", "language": "en"}), 201).Map(t)["id"].(string)
	check := Expect(t, w.in.Post(t, "/api/v1/me/self-checks", carla.Token, map[string]any{"ratings": []any{}}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	overLimit := func() answer {
		return c.postFile("/applications/"+caseID+"/evidence", [][2]string{{"kind", "certificate"}, {"title", strings.Repeat("t", 64<<10+1)}}, "certificate.pdf", pdf)
	}
	unreadable := func(contentType, body string) answer {
		req, _ := http.NewRequest(http.MethodPost, w.in.URL+"/applications/"+caseID+"/evidence", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		return c.do(req)
	}
	detail := regexp.MustCompile(`<p class="prose">(.*?)</p>`)
	namesAForm := regexp.MustCompile(`(?i)\bform(ulier)?\b`)
	for _, tc := range []struct {
		name   string
		send   func() answer
		en, nl string // the page's message
	}{
		{"a field over its limit", overLimit, "A field over its limit",
			"Wat u verstuurde, kon niet worden aanvaard. Ga terug, verbeter het en verstuur het opnieuw."},
		{"an application from a self-check at no level", func() answer {
			return c.post("/self-checks/apply", url.Values{"check": {check}, "level": {"grandmaster"}, "language": {"en"}}, true)
		}, "Invalid application", "Wat u verstuurde, kon niet worden aanvaard. Ga terug, verbeter het en verstuur het opnieuw."},
		// A form the guard cannot read: the page to reload is the form's,
		// one step back, not the error page (which would send it again).
		{"a form that cannot be read", func() answer { return unreadable("application/x-www-form-urlencoded", "csrf="+c.csrf()+"&title=%zz") },
			"What was sent could not be read. Go back, reload the page and send it again.",
			"Wat u verstuurde, kon niet worden gelezen. Ga terug, laad de pagina opnieuw en verstuur het nog eens."},
		{"an upload without its boundary", func() answer { return unreadable("multipart/form-data", "csrf="+c.csrf()) },
			"What was sent could not be read. Go back, reload the page and send it again.",
			"Wat u verstuurde, kon niet worden gelezen. Ga terug, laad de pagina opnieuw en verstuur het nog eens."},
	} {
		for _, lang := range []string{"en", "nl"} {
			c.setLang(lang)
			a := tc.send()
			page := errorPageBody.FindString(a.Body)
			m := detail.FindStringSubmatch(page)
			want := map[string]string{"en": tc.en, "nl": tc.nl}[lang]
			if a.Status != http.StatusBadRequest || m == nil || html.UnescapeString(m[1]) != want {
				t.Errorf("%s, %s: got %d %s, want 400 saying %q", tc.name, lang, a.Status, html.UnescapeString(page), want)
			}
			if namesAForm.MatchString(page) {
				t.Errorf("%s, %s: the error page speaks of a form: %s", tc.name, lang, html.UnescapeString(page))
			}
		}
	}
}
