package web_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheRegisterOnAPhoneAndTheCertificateOnPaper (issue 15 item 5): on a
// phone, the public register shows a card per holder with the level, the
// validity and the verify link on the screen, with no sideways scrolling
// (on a desktop it stays a table); printed, the certificate shows no
// button, form or withdrawal box.
func TestTheRegisterOnAPhoneAndTheCertificateOnPaper(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)

	b := browser(t)
	b.base = w.in.URL
	b.open("/")
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	b.open("/register")
	if problems := js[string](b, `(() => {
	  const W = document.documentElement.clientWidth, out = [];
	  const row = document.querySelector(".card-table tbody tr");
	  if (!row) return "no holder listed";
	  if (getComputedStyle(row).display !== "block") out.push("the row is a " + getComputedStyle(row).display + ", not a card");
	  row.querySelectorAll("th, td, a").forEach(el => {
	    const r = el.getBoundingClientRect();
	    if (r.width === 0 || r.right > W + 1) out.push(el.tagName + " not on the screen (" + r.left + "–" + r.right + " of " + W + ")");
	  });
	  const wrap = row.closest(".table-wrap");
	  if (wrap.scrollWidth > wrap.clientWidth + 1) out.push("the list scrolls sideways");
	  return out.join("; ");
	})()`); problems != "" {
		t.Fatalf("the register on a phone: %s", problems)
	}
	card := js[string](b, `document.querySelector(".card-table tbody tr").innerText`)
	for _, s := range []string{"Carla Coach", "Practitioner", "2 March 2031", "Verify"} {
		if !strings.Contains(card, s) {
			t.Fatalf("the card lacks %q: %q", s, card)
		}
	}
	// Each fact is named by its column (drawn before it on the card).
	labels := js[string](b, `[...document.querySelectorAll(".card-table tbody tr:first-child td[data-label]")].map(td => getComputedStyle(td, "::before").content).join(" ")`)
	for _, s := range []string{"Scheme", "Level", "Valid until"} {
		if !strings.Contains(labels, s) {
			t.Fatalf("the card does not name %q: %s", s, labels)
		}
	}
	b.do("desktop", chromedp.EmulateViewport(1280, 900))
	b.open("/register")
	if d := js[string](b, `getComputedStyle(document.querySelector(".card-table tbody tr")).display`); d != "table-row" {
		t.Fatalf("on a desktop the register's rows are %q, want a table", d)
	}

	holder := browser(t)
	holder.base = w.in.URL
	holder.login(carla.Email, carla.Password)
	holder.open("/accreditations/" + accID)
	shown := func() string {
		return js[string](holder, `[...document.querySelectorAll("button, form, .danger-zone, .site-header, .breadcrumbs")]
		  .filter(el => el.getClientRects().length > 0).map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")).join(", ")`)
	}
	if on := shown(); !strings.Contains(on, "danger-zone") {
		t.Fatalf("on the screen the certificate page shows no withdrawal box (%s): the check below would prove nothing", on)
	}
	holder.do("print", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if on := shown(); on != "" {
		t.Fatalf("printed, the certificate page shows: %s", on)
	}
	if !js[bool](holder, `document.querySelector(".certificate").getClientRects().length > 0`) {
		t.Fatal("printed, the certificate itself is hidden")
	}
}

// TestTheAuditPageNewestFirstInWords (issue 15 item 5): the office's audit
// page lists the newest event first, names each event type in words, and
// keeps its filters when applied and when paging.
func TestTheAuditPageNewestFirstInWords(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	caseID := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", carla.Token, declared), 200)

	b := browser(t)
	b.base = w.in.URL
	b.login(AdminEmail, AdminPassword)
	b.open("/office/audit")
	seqs := func() []int {
		var out []int
		for _, s := range strings.Fields(js[string](b, `[...document.querySelectorAll(".audit-table tbody td:first-child .hint")].map(e => e.textContent.slice(1).split(".")[0]).join(" ")`)) {
			n, _ := strconv.Atoi(s)
			out = append(out, n)
		}
		return out
	}
	got := seqs()
	if len(got) < 3 || !slices.IsSortedFunc(got, func(a, b int) int { return b - a }) {
		t.Fatalf("the audit page's positions, top to bottom: %v; want the newest first", got)
	}
	if first := js[string](b, `document.querySelector(".audit-table tbody th").innerText`); !strings.HasPrefix(first, "Application submitted") {
		t.Fatalf("the newest event reads %q, want the submission in words", first)
	}
	b.set("#f-type", "accreditation.case_opened")
	b.fill("#f-case_id", caseID)
	b.submit(`form[action="/office/audit"] button[type=submit]`)
	if v := js[string](b, `document.querySelector("#f-type").value + " " + document.querySelector("#f-case_id").value`); v != "accreditation.case_opened "+caseID {
		t.Fatalf("the filters after applying them: %q", v)
	}
	if rows := js[string](b, `[...document.querySelectorAll(".audit-table tbody th")].map(e => e.innerText.split("\n")[0]).join("|")`); rows != "Application opened" {
		t.Fatalf("filtered to the case's opening: rows %q", rows)
	}
}
