package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/emcc/accredit/api/web"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
	"github.com/emcc/accredit/domain"
)

// TestBrowserEveryPageFitsAPhoneAndIsLabelled opens every page of every
// role in a phone-sized browser (390 px), in English and Dutch: nothing
// wider than the screen (wide tables scroll inside their own region), every
// form control with a label, every image with a text alternative, and the
// skip link the first thing the keyboard reaches.
func TestBrowserEveryPageFitsAPhoneAndIsLabelled(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID, evID, accID := w.awardedCase(t, carla)
	params := map[string]string{":case": caseID, ":ev": evID, ":acc": accID, ":user": w.assessor.ID, ":n": "5"}
	users := []struct {
		role        domain.Role
		email, pass string
	}{{"", "", ""}, {domain.RoleApplicant, carla.Email, carla.Password}, {domain.RoleAssessor, w.assessor.Email, w.assessor.Password}, {domain.RoleOffice, AdminEmail, AdminPassword}}
	for _, u := range users {
		b := browser(t)
		b.base = w.in.URL
		if u.email != "" {
			b.login(u.email, u.pass)
		} else {
			b.open("/")
		}
		for _, lang := range []string{"en", "nl"} {
			b.lang(lang)
			b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
			for _, r := range web.Routes() {
				if r.Method != "GET" || strings.Contains(r.Path, "*") || strings.Contains(r.Path, ":ev") || strings.HasSuffix(r.Path, ".csv") || strings.HasSuffix(r.Path, ".json") ||
					strings.HasSuffix(r.Path, ".jwt") || strings.HasSuffix(r.Path, ".pdf") { // downloads, not pages
					continue
				}
				if !r.Public && (u.role == "" || !hasRole(r.Roles, u.role)) {
					continue
				}
				p := r.Path
				for k, v := range params {
					p = strings.ReplaceAll(p, k, v)
				}
				b.open(p)
				problems := js[string](b, `(() => {
				  const out = [], W = document.documentElement.clientWidth;
				  if (document.documentElement.scrollWidth > W) {
				    document.querySelectorAll("body *").forEach(el => {
				      if (el.getBoundingClientRect().right > W + 1 && !el.closest(".table-wrap")) out.push("too wide: " + el.tagName + "." + el.className);
				    });
				  }
				  document.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(el => {
				    const labelled = (el.id && document.querySelector("label[for='" + el.id + "']")) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
				    if (!labelled) out.push("no label: " + (el.name || el.id));
				  });
				  document.querySelectorAll("img:not([alt]), iframe:not([title])").forEach(el => out.push("no text alternative: " + el.tagName));
				  return out.slice(0, 5).join("; ");
				})()`)
				if problems != "" {
					t.Errorf("%s (%s, %s): %s", p, u.role, lang, problems)
				}
				b.do("tab", chromedp.KeyEvent(kb.Tab))
				if c := js[string](b, `document.activeElement.className`); c != "skip-link" {
					t.Errorf("%s: the first Tab reaches %q, not the skip link", p, c)
				}
			}
			b.do("desktop", chromedp.EmulateViewport(1280, 900))
		}
	}
}

func hasRole(rs []domain.Role, r domain.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
