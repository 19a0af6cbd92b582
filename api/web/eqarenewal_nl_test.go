package web_test

import (
	"strings"
	"testing"
)

// TestTheEQARenewalNamesTheAwardAsEverywhere: the Dutch renewal form of a
// programme's award said "De erkenning is geldig tot ..." (the
// recognition), where every other page calls the award a keurmerk ("EQA –
// kwaliteitskeurmerk voor een opleiding").
func TestTheEQARenewalNamesTheAwardAsEverywhere(t *testing.T) {
	w := newWorld(t)
	pia := w.registerApplicant(t, "pia@example.org", "Pia Provider")
	programme := w.awardedProgramme(t, pia)
	c := w.client(t)
	c.login(pia.Email, pia.Password)
	c.setLang("nl")
	page := c.get("/accreditations/" + programme).Body
	if !strings.Contains(page, `id="renew-heading"`) {
		t.Fatal("the holder's page of the programme has no renewal form")
	}
	if !strings.Contains(page, "Het keurmerk is geldig tot") || strings.Contains(page, "erkenning") {
		t.Error(`the renewal form does not say "Het keurmerk is geldig tot", or still speaks of an "erkenning"`)
	}
}
