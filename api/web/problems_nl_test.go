package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestProblemsWithoutAFieldAreDutch: a refusal that names no field, whose
// words the web does not have its own key for, reads in Dutch on a Dutch
// page (the error page of a form that cannot be read, the summary of a
// rules form that changes nothing), not as the domain's English.
func TestProblemsWithoutAFieldAreDutch(t *testing.T) {
	w := newWorld(t)
	office := w.client(t)
	office.login(AdminEmail, AdminPassword)
	if a := office.post("/office/rules/eqa", eqaForm("publish", "2026-03-03"), true); a.Status != http.StatusSeeOther {
		t.Fatalf("publish: got %d", a.Status)
	}
	same := eqaForm("publish", "2026-03-03")
	same.Set("based_on", "eqa-2026-1")
	for _, tc := range []struct {
		lang, want, notWant string
	}{
		{"nl", "Er verandert niets ten opzichte van Regels van 3 maart 2026", "nothing changes"},
		{"en", "Nothing changes from Rules of 3 March 2026, so nothing was published.", ""},
	} {
		office.setLang(tc.lang)
		a := office.post("/office/rules/eqa", same, true)
		body := html.UnescapeString(a.Body)
		if a.Status != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) || tc.notWant != "" && strings.Contains(body, tc.notWant) {
			t.Errorf("%s: rules that change nothing: got %d, want 422 saying %q: %s", tc.lang, a.Status, tc.want, errorsOf(a.Body))
		}
	}

	office.setLang("nl")
	token := office.csrf()
	req, _ := http.NewRequest(http.MethodPost, office.base+"/account/password", strings.NewReader("csrf="+url.QueryEscape(token)+"&current_password=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	a := office.do(req)
	body := html.UnescapeString(a.Body)
	if a.Status != http.StatusBadRequest || strings.Contains(body, "unreadable form") || !strings.Contains(body, "Het formulier kon niet worden gelezen") {
		t.Errorf("a form that cannot be read, in Dutch: got %d: %s", a.Status, body)
	}
}
