package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/api/web"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestFinishedCasesInTheBrowser (issue 15 item 5): an assessor finds their
// finished cases beside the queue: the decided one with its outcome, the
// one awaiting the decision, newest submission first, a page at a time,
// each linked to the case; the case they have yet to assess is not there.
// In English and Dutch.
func TestFinishedCasesInTheBrowser(t *testing.T) {
	w := newWorld(t)
	t.Cleanup(web.SetFinishedPageSize(1))
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	decided, _, _ := w.awardedCase(t, carla)
	w.clock.Advance(time.Hour)
	awaiting, _ := w.assessedCase(t, carla)
	w.clock.Advance(time.Hour)
	open := w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+open+"/submit", carla.Token, declared), 200)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+open+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+open+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200))

	b := browser(t)
	b.base = w.in.URL
	b.login(w.assessor.Email, w.assessor.Password)
	b.open("/queue")
	b.submit("#finished-link")
	if p := b.path(); p != "/queue/finished" {
		t.Fatalf("the queue's link leads to %s", p)
	}
	rows := func() []string {
		return strings.Fields(js[string](b, `[...document.querySelectorAll("#finished-cases tbody tr")].map(tr => tr.dataset.case).join(" ")`))
	}
	row := func(id string) string {
		return js[string](b, `document.querySelector("#finished-cases tr[data-case='`+id+`']").innerText`)
	}
	b.see("Your finished cases", "Newest submission first.")
	if got := rows(); len(got) != 1 || got[0] != awaiting {
		t.Fatalf("the first page: %v, want the newest, %s", got, awaiting)
	}
	if r := row(awaiting); !strings.Contains(r, "Not yet decided") || !strings.Contains(r, "Assessor") {
		t.Fatalf("the case awaiting the decision reads %q", r)
	}
	b.lang("nl")
	b.see("Uw afgeronde dossiers", "Nog geen besluit", "Oudere dossiers")
	b.lang("en")
	b.submit("a.pager-next")
	if got := rows(); len(got) != 1 || got[0] != decided {
		t.Fatalf("the second page: %v, want %s", got, decided)
	}
	if r := row(decided); !strings.Contains(r, "Awarded · Practitioner") {
		t.Fatalf("the decided case reads %q", r)
	}
	if n := js[int](b, `document.querySelectorAll("a.pager-next").length`); n != 0 {
		t.Fatal("the last page offers a next page")
	}
	b.lang("nl")
	b.see("Toegekend · Practitioner", "Nieuwste")
	b.lang("en")
	b.shoot("finished-cases")
	// The case opens in the assessor's view, their assessment in it.
	b.submit(`#finished-cases a[href="/assess/` + decided + `"]`)
	if p := b.path(); p != "/assess/"+decided {
		t.Fatalf("the case link leads to %s", p)
	}
	b.see("Consistent evidence.")
	// Back at the start, the open case is nowhere in the list.
	b.open("/queue/finished")
	b.submit("a.pager-next")
	b.notSee(open)
	b.open("/queue/finished")
	b.notSee(open)
}
