package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// summaryItem is the text of the error summary's line that leads to field
// (the link escapes the brackets of years[1].cpd_hours).
func summaryItem(body, field string) string {
	href := "#f-" + strings.NewReplacer("[", "%5b", "]", "%5d").Replace(field)
	m := regexp.MustCompile(`<a href="` + regexp.QuoteMeta(href) + `">([^<]*)</a>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestTheErrorSummaryNamesEveryFieldInDutch: the error summary of a Dutch
// page names each field it lists by its Dutch label, not by the form's
// field name (years[1].cpd hours, reflection, panel, interview notes): the
// renewal's figures of a year and its reflection, a decision without the
// panel's votes, an interview recorded without notes.
func TestTheErrorSummaryNamesEveryFieldInDutch(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, accID := w.awardedCase(t, carla)
	caseID, _ := w.assessedCase(t, w.registerApplicant(t, "dave@example.org", "Dave Decided"))
	senior := w.seniorInAssessment(t, w.registerApplicant(t, "sam@example.org", "Sam Senior"))

	check := func(what string, a answer, status int, field, want string) {
		t.Helper()
		if got := summaryItem(a.Body, field); a.Status != status || got != want {
			t.Errorf("%s: got %d, %q at %s; want %d, %q", what, a.Status, got, field, status, want)
		}
	}
	office := w.officeClient(t)
	office.setLang("nl")
	noVotes := url.Values{"outcome": {"not_awarded"}, "rationale": {"Not yet at the level."}}
	check("a decision without votes", office.post("/office/cases/"+caseID+"/decide", noVotes, true), http.StatusBadRequest,
		"panel", "De toekenningscommissie: geef de stem van ten minste één lid")
	office.setLang("en")
	check("a decision without votes, in English", office.post("/office/cases/"+caseID+"/decide", noVotes, true), http.StatusBadRequest,
		"panel", "The awarding panel: give the vote of at least one member")
	office.setLang("nl")

	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.setLang("nl")
	if a := anna.post("/assess/"+senior+"/interview", url.Values{"interview_at": {"2026-03-02T11:00"}, "interview_place": {"Video call"}}, true); a.Status != http.StatusSeeOther {
		t.Fatalf("schedule the interview: got %d: %s", a.Status, errorsOf(a.Body))
	}
	w.clock.Set(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	check("an interview recorded without notes", anna.post("/assess/"+senior+"/interview/record", url.Values{}, true), http.StatusBadRequest,
		"interview_notes", "Vul ‘Aantekeningen’ in")

	w.clock.Set(time.Date(2030, 12, 1, 9, 0, 0, 0, time.UTC))
	holder := w.client(t)
	holder.login(carla.Email, carla.Password)
	holder.setLang("nl")
	bad := renewalForm("6")
	bad.Set("years[1].cpd_hours", "veel")
	bad.Set("years[2].supervision_hours_by_quarter[1]", "een paar")
	a := holder.post("/accreditations/"+accID+"/renew", bad, true)
	check("a renewal's year", a, http.StatusBadRequest, "years[1].cpd_hours", "Jaar 2: Uren permanente educatie: Vul een getal in zonder scheidingsteken voor duizendtallen, zoals 1200 of 12,5")
	check("a renewal's quarter", a, http.StatusBadRequest, "years[2].supervision_hours_by_quarter[1]", "Jaar 3: supervisie-uren in kwartaal 2: Vul een getal in zonder scheidingsteken voor duizendtallen, zoals 1200 of 12,5")
	long := renewalForm("6")
	long.Set("reflection", strings.Repeat("a", 20001))
	check("a renewal's reflection", holder.post("/accreditations/"+accID+"/renew", long, true), http.StatusBadRequest,
		"reflection", "Reflectie op de periode: hoogstens 20000 tekens")
}

// TestTheSearchNamesTheAssessorAsEveryPageDoes: the office's search names
// its filter by the case's assessor or verifier with the words every
// other Dutch page uses (assessor), not beoordelaar.
func TestTheSearchNamesTheAssessorAsEveryPageDoes(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	office.setLang("nl")
	a := office.get("/office/search")
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "Assessor of verificateur") || strings.Contains(a.Body, "Beoordelaar") {
		t.Errorf("the Dutch search page: got %d, want its assessor filter named \"Assessor of verificateur\"", a.Status)
	}
}
