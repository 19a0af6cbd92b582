package web_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcc/accredit/cmd/accreditd/app"
)

// TestBrowserUnhappyPaths: a rejected form shows its errors beside the
// fields and keeps what was typed; an upload over the limit is refused
// before it starts (and by the server when the check is bypassed); another
// applicant's case is a 404 page and an office page a 403 page for an
// assessor.
func TestBrowserUnhappyPaths(t *testing.T) {
	b := browser(t)
	w := newWorld(t, func(c *app.Config) { c.MaxUpload = 4096 })
	b.base = w.in.URL
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	b.login(carla.Email, carla.Password)
	b.open("/applications/new?scheme=EIA")
	b.click("#f-level-foundation")
	b.submit("main form button[type=submit]")
	caseID := strings.Split(strings.TrimPrefix(b.path(), "/applications/"), "?")[0]

	t.Run("validation errors beside the fields, what was typed kept", func(t *testing.T) {
		b.open("/applications/" + caseID + "/portfolio")
		b.fill("#f-client_hours", "lots")
		b.fill("#f-client_count", "12")
		b.submit("main form button[type=submit]")
		b.see("There is a problem")
		if got := b.text("#f-client_hours-error"); !strings.Contains(got, "Enter a number") {
			t.Fatalf("error beside client hours: %q", got)
		}
		// The error is announced with the field it belongs to.
		if got := js[string](b, `document.querySelector("#f-client_hours").getAttribute("aria-describedby")`); !strings.Contains(got, "f-client_hours-error") {
			t.Fatalf("client hours is not described by its error: %q", got)
		}
		if js[string](b, `document.activeElement.className`) != "error-summary" {
			t.Fatal("focus is not on the error summary")
		}
		kept := func(want map[string]string) {
			t.Helper()
			for sel, v := range want {
				if got := js[string](b, `document.querySelector("`+sel+`").value`); got != v {
					t.Fatalf("%s after the rejected form: %q, want %q", sel, got, v)
				}
			}
		}
		kept(map[string]string{"#f-client_hours": "lots", "#f-client_count": "12"})
		b.shootHere("20-validation-errors", "en")
		// The domain's own rule, beside its field too.
		b.fill("#f-client_hours", "140")
		b.set("#f-first_practice_date", "2030-01-01")
		b.submit("main form button[type=submit]")
		if got := b.text("#f-first_practice_date-error"); !strings.Contains(got, "must not be in the future") {
			t.Fatalf("error beside the first practice date: %q", got)
		}
		kept(map[string]string{"#f-client_hours": "140", "#f-client_count": "12", "#f-first_practice_date": "2030-01-01"})
	})

	t.Run("upload over the limit refused before it starts", func(t *testing.T) {
		big := filepath.Join(t.TempDir(), "big.pdf")
		if err := os.WriteFile(big, append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 5000)...), 0o600); err != nil {
			t.Fatal(err)
		}
		b.open("/applications/" + caseID + "/evidence")
		b.see("At most 4 KB per file.")
		b.set("#f-kind", "other")
		b.fill("#f-title", "A large file")
		b.do("choose the file", setFiles("#f-file", big))
		b.click("main form[data-upload] button[type=submit]") // the script refuses: no request
		if got := b.text("#f-file-error"); !strings.Contains(got, "The file is too large: at most 4 KB.") {
			t.Fatalf("error beside the file: %q", got)
		}
		if !strings.HasSuffix(b.path(), "/evidence") {
			t.Fatalf("the page changed: %s", b.path())
		}
		// Past the script's check, the server refuses it at upload.
		js[bool](b, `document.querySelector("form[data-upload]").removeAttribute("data-max-bytes") || true`)
		b.click("main form[data-upload] button[type=submit]")
		b.do("the page with the error", waitFor(`!!document.querySelector(".error-summary")`))
		if got := b.text("#f-file-error"); !strings.Contains(got, "The file is too large: at most 4 KB.") {
			t.Fatalf("server's error beside the file: %q", got)
		}
		if got := js[string](b, `document.querySelector("#f-title").value`); got != "A large file" {
			t.Fatalf("title after the refused upload: %q", got)
		}
		b.open("/applications/" + caseID + "/evidence")
		b.see("No evidence yet.")
	})

	t.Run("another applicant's case is a 404 page", func(t *testing.T) {
		eve := w.registerApplicant(t, "eve@example.org", "Eve Other")
		e := browser(t)
		e.base = w.in.URL
		e.login(eve.Email, eve.Password)
		e.open("/applications/" + caseID)
		e.see("Page not found", "not yours to see")
		if strings.Contains(js[string](e, `document.body.innerText`), "Carla") {
			t.Fatal("the 404 page shows something of the case")
		}
		e.open("/no/such/page")
		e.see("Page not found")
	})

	t.Run("an assessor on an office page gets the 403 page", func(t *testing.T) {
		a := browser(t)
		a.base = w.in.URL
		a.login(w.assessor.Email, w.assessor.Password)
		a.open("/office/users")
		a.see("You cannot see this page", "It is for: EMCC office.")
		a.shoot("21-forbidden")
	})
}
