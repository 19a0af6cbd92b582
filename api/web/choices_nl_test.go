package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestChoicesOutsideTheFormAreRefusedInDutch: a form sent with a choice
// the page did not offer (an old tab, a changed case, a hand-made request)
// is refused on a Dutch page in Dutch: a decision's level, a moderation's
// and an assessment's lower level, an assessor profile's schemes and
// conflicts, the email choices of an account; and the email choices are
// named by their label.
func TestChoicesOutsideTheFormAreRefusedInDutch(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	assessed, _ := w.assessedCase(t, carla)
	claimed := w.inAssessment(t, w.registerApplicant(t, "dave@example.org", "Dave Claimed"))
	office := w.officeClient(t)
	office.setLang("nl")
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	anna.setLang("nl")
	self := regexp.MustCompile(`name="vote_([0-9A-Z]{26})"`).FindStringSubmatch(office.get("/office/cases/" + assessed).Body)
	if self == nil {
		t.Fatal("the decision form does not offer the office user's vote")
	}
	ratings := url.Values{"recommendation": {"award_lower"}, "recommended_level": {"senior_practitioner"}, "rationale": {"Lower."}}
	for n := 1; n <= 8; n++ {
		ratings.Set("rating_"+itoa(n), "evidenced")
	}
	for _, tc := range []struct {
		what  string
		c     *client
		path  string
		form  url.Values
		field string
		want  string
	}{
		{"a decision without a level", office, "/office/cases/" + assessed + "/decide",
			url.Values{"outcome": {"awarded"}, "rationale": {"Meets it."}, "vote_" + self[1]: {"for"}}, "level", "Niveau: verplicht bij een toekenning: kies een niveau"},
		{"a decision above the level applied for", office, "/office/cases/" + assessed + "/decide",
			url.Values{"outcome": {"awarded"}, "level": {"master_practitioner"}, "rationale": {"Meets it."}, "vote_" + self[1]: {"for"}}, "level", "Niveau: master_practitioner ligt boven het aangevraagde niveau, practitioner"},
		{"an assessment's lower level that is not lower", anna, "/assess/" + claimed, ratings, "recommended_level", "Geadviseerd niveau: senior_practitioner ligt niet onder het niveau van het dossier, practitioner"},
		{"a profile's unknown scheme", office, "/office/users/" + w.assessor.ID + "/profile",
			url.Values{"schemes": {"XYZ"}, "max_level": {"practitioner"}, "languages": {"en"}}, "schemes", `onbekende regeling "XYZ"`},
		{"a profile's unknown conflict", office, "/office/users/" + w.assessor.ID + "/profile",
			url.Values{"schemes": {"EIA"}, "max_level": {"practitioner"}, "languages": {"en"}, "conflicts": {"nobody"}}, "conflicts", `onbekende gebruiker "nobody"`},
		{"an email choice the role does not have", office, "/account/notifications", url.Values{"receive": {"renewal_reminder"}}, "receive", "E-mailberichten: geen e-mail voor uw rol"},
	} {
		a := tc.c.post(tc.path, tc.form, true)
		if got := summaryItem(a.Body, tc.field); !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %d, %q at %s; want %q", tc.what, a.Status, got, tc.field, tc.want)
		}
	}
}
