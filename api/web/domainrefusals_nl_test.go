package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/cmd/accreditd/app"
	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestDomainRefusalsReadInDutchOnThePages: refusals that TestEveryRefusal
// HasDutch found with no Dutch, sent through the pages: on a Dutch page
// they read in Dutch with what they say (the years a renewal must give,
// who holds a role already, which texts cannot be read), on an English
// one as the domain words them (on the error page, as a sentence).
func TestDomainRefusalsReadInDutchOnThePages(t *testing.T) {
	keys := &KeysDown{}
	w := newWorldWith(t, app.Options{Keys: keys.Wrap})
	dave := w.registerApplicant(t, "dave@example.org", "Dave Assessed")
	inAssessment := w.inAssessment(t, dave) // Anna holds the assessor's role
	erin := w.registerApplicant(t, "erin@example.org", "Erin Ready")
	ready := w.readyEIA(t, erin)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC)) // in the renewal window
	holder, office, applicant := w.client(t), w.client(t), w.client(t)
	holder.login(carla.Email, carla.Password)
	office.login(AdminEmail, AdminPassword)
	applicant.login(erin.Email, erin.Password)

	for _, tc := range []struct {
		name   string
		c      *client
		send   func() answer
		status int
		en, nl []string
	}{
		{"an EIA renewal sent as an EQA programme's", holder, func() answer {
			return holder.post("/accreditations/"+accID+"/renew", url.Values{"scheme": {"EQA"}, "aims.still_run": {"Yes, every year."}}, true)
		}, http.StatusBadRequest,
			[]string{"give the practice log of each of the 5 years of the period, oldest first: 0 given", "only for an EQA programme"},
			[]string{"geef het praktijklogboek van elk van de 5 jaren van de periode, oudste eerst: er zijn er 0 gegeven", "alleen bij een EQA-programma"}},
		{"a role given to the one who holds it", office, func() answer {
			return office.post("/office/cases/"+inAssessment+"/reassign", url.Values{"role": {"assessor"}, "reassign_to_assessor": {w.assessor.ID},
				"reassign_reason_assessor": {"Anna asked to stay."}}, true)
		}, http.StatusBadRequest,
			[]string{w.assessor.ID + " already holds the assessor role; choose someone else"},
			[]string{w.assessor.ID + " heeft deze rol al; kies iemand anders"}},
		{"the self-assessment while its texts cannot be read", applicant, func() answer {
			keys.SetDown(true)
			defer keys.SetDown(false)
			w.in.App.Vault.Forget(erin.ID) // as a process that has not read her key yet
			return applicant.get("/applications/" + ready + "/self-assessment")
		}, http.StatusServiceUnavailable,
			[]string{"The application's texts cannot be read for now"},
			[]string{"De teksten van de aanvraag kunnen op dit moment niet worden gelezen. Probeer het over enkele minuten opnieuw."}},
	} {
		for _, lang := range []string{"nl", "en"} {
			tc.c.setLang(lang)
			a := tc.send()
			got := html.UnescapeString(a.Body)
			for _, want := range map[string][]string{"en": tc.en, "nl": tc.nl}[lang] {
				if a.Status != tc.status || !strings.Contains(got, want) {
					t.Errorf("%s, %s: got %d %s, want %d saying %q", tc.name, lang, a.Status, errorsOf(a.Body), tc.status, want)
				}
			}
		}
	}
}
