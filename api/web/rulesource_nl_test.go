package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestTheOfficesOwnSourceOfAFigureIsDutch: a figure the office changed
// is sourced "set by the office on" the day; a Dutch rules page says so in
// Dutch, with a Dutch date, and does not mark it as quoted English.
func TestTheOfficesOwnSourceOfAFigureIsDutch(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	if a := office.post("/office/rules/eqa", eqaForm("publish", "2026-03-03"), true); a.Status != http.StatusSeeOther {
		t.Fatalf("publish: got %d", a.Status)
	}
	nl := w.client(t)
	nl.setLang("nl")
	page := nl.get("/rules/eqa-2026-1").Body
	if strings.Contains(page, "set by the office") {
		t.Error("the Dutch rules page shows the office's source in English")
	}
	cell := regexp.MustCompile(`<td class="hint"[^>]*>vastgesteld door het bureau op 2 maart 2026</td>`).FindString(page)
	if cell == "" || strings.Contains(cell, `lang="en"`) {
		t.Errorf("the Dutch rules page: the office's source %q, want it in Dutch, not marked English", cell)
	}
	if en := w.client(t).get("/rules/eqa-2026-1").Body; !strings.Contains(en, "set by the office on 2 March 2026") {
		t.Error("the English rules page does not say the office set the figure, with its date")
	}
}
