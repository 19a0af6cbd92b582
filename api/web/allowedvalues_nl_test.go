package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestTheValuesAllowedAreNamedInBothLanguages: a form sent with a value
// the page did not offer (an old tab, a hand-made request), or without a
// level an award needs, is refused naming the values allowed, and a Dutch
// page names them too rather than only "choose a level": a new
// application's level, an assessor profile's highest level, an account's
// email language, a decision's level, an assessment's recommendation and
// rating. A level refused for where it stands to the case's (above the
// level applied for, not below it for award_lower) is named with the
// case's level in Dutch as in English.
func TestTheValuesAllowedAreNamedInBothLanguages(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	assessed, _ := w.assessedCase(t, carla)
	claimed := w.inAssessment(t, w.registerApplicant(t, "dave@example.org", "Dave Claimed"))
	office := w.officeClient(t)
	applicant := w.client(t)
	applicant.login(carla.Email, carla.Password)
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	self := regexp.MustCompile(`name="vote_([0-9A-Z]{26})"`).FindStringSubmatch(office.get("/office/cases/" + assessed).Body)
	if self == nil {
		t.Fatal("the decision form does not offer the office user's vote")
	}
	decide := func(level string) url.Values {
		return url.Values{"outcome": {"awarded"}, "level": {level}, "rationale": {"Meets it."}, "vote_" + self[1]: {"for"}}
	}
	assess := url.Values{"recommendation": {"bogus"}, "rationale": {"Some."}}
	for n := 1; n <= 8; n++ {
		assess.Set("rating_"+itoa(n), "evidenced")
	}
	assess.Set("rating_1", "bogus")
	lower := func(level string) url.Values {
		f := url.Values{"recommendation": {"award_lower"}, "recommended_level": {level}, "rationale": {"Lower."}}
		for n := 1; n <= 8; n++ {
			f.Set("rating_"+itoa(n), "evidenced")
		}
		return f
	}
	const levels = "foundation, practitioner, senior_practitioner, master_practitioner"
	for _, tc := range []struct {
		what   string
		c      *client
		path   string
		form   url.Values
		field  string
		en, nl string
	}{
		{"a new application's level", applicant, "/applications", url.Values{"scheme": {"EIA"}, "level": {"bogus"}, "language": {"en"}}, "level", levels, levels},
		{"a profile's highest level", office, "/office/users/" + w.assessor.ID + "/profile",
			url.Values{"schemes": {"EIA"}, "max_level": {"bogus"}, "languages": {"en"}}, "max_level", levels, levels},
		{"an email language", office, "/account/notifications", url.Values{"language": {"xx"}}, "language", `"", "en" or "nl"`, `"", "en" of "nl"`},
		{"a decision without a level", office, "/office/cases/" + assessed + "/decide", decide(""), "level",
			"required for an award: one of " + levels, "verplicht bij een toekenning: kies een niveau uit " + levels},
		{"a decision's level that is none", office, "/office/cases/" + assessed + "/decide", decide("bogus"), "level",
			`"bogus" is not a level: one of ` + levels, `"bogus" is geen niveau; kies een niveau uit ` + levels},
		{"a decision above the level applied for", office, "/office/cases/" + assessed + "/decide", decide("master_practitioner"), "level",
			"master_practitioner is above the level applied for, practitioner", "master_practitioner ligt boven het aangevraagde niveau, practitioner"},
		{"an assessment's lower level that is not lower", anna, "/assess/" + claimed, lower("senior_practitioner"), "recommended_level",
			"senior_practitioner is not below the case level practitioner", "senior_practitioner ligt niet onder het niveau van het dossier, practitioner"},
		{"an assessment's lower level not given", anna, "/assess/" + claimed, lower(""), "recommended_level",
			"required for award_lower: a level below practitioner", "kies een niveau onder dat van het dossier, practitioner"},
		{"an assessment's recommendation", anna, "/assess/" + claimed, assess, "recommendation",
			"award, award_lower or not_award", "award, award_lower of not_award"},
		{"an assessment's rating", anna, "/assess/" + claimed, assess, "rating_1",
			"not_evidenced, partially_evidenced or evidenced", "not_evidenced, partially_evidenced of evidenced"},
	} {
		for _, lang := range []string{"en", "nl"} {
			tc.c.setLang(lang)
			want := map[string]string{"en": tc.en, "nl": tc.nl}[lang]
			a := tc.c.post(tc.path, tc.form, true)
			if got := summaryItem(a.Body, tc.field); !strings.Contains(got, want) {
				t.Errorf("%s, %s: got %d, %q at %s; want %q", tc.what, lang, a.Status, got, tc.field, want)
			}
		}
	}
}
