package web_test

import (
	"net/http"
	"net/url"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestARenewalAssessedFromASecondTabIsSaidSo: the renewal's assessor who
// sent their outcome and sends one again from another tab was told "Only
// the assessor the renewal is assigned to may assess it, and it is not
// assigned to you", which it was. They are told that they assessed it
// already, in the page's language, with a 409.
func TestARenewalAssessedFromASecondTabIsSaidSo(t *testing.T) {
	w := newWorld(t)
	_, _, accID, rene := w.renewalAssigned(t)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", rene.Token,
		map[string]string{"outcome": "renew", "rationale": "Practice and development evident."}), 200))

	c := w.client(t)
	c.login(rene.Email, rene.Password)
	form := url.Values{"outcome": {"refuse"}, "rationale": {"Sent from a second tab."}}
	for _, tc := range []struct{ lang, want string }{
		{"en", "You assessed this renewal already, since the page was opened (in another tab)."},
		{"nl", "U hebt deze verlenging al beoordeeld sinds de pagina werd geopend (in een ander tabblad)."},
	} {
		c.setLang(tc.lang)
		c.refused(t, "/accreditations/"+accID+"/renewal/assess", form, http.StatusConflict, tc.want)
	}
	// The API says so too: a 409 naming what is recorded.
	p := Expect(t, w.in.Post(t, "/api/v1/accreditations/"+accID+"/renewal/assessment", rene.Token,
		map[string]string{"outcome": "refuse", "rationale": "Sent again."}), 409).Map(t)
	if p["recorded"] != "renewal" {
		t.Errorf("the API's problem: got recorded %v, want renewal", p["recorded"])
	}
}
