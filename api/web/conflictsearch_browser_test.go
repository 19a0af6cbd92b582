package web_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheConflictSearchKeepsWhatWasTypedInTheProfile: the search of the
// conflict-of-interest picker was a form of its own, so that searching
// reloaded the user's page with the profile as saved: a scheme unticked
// or languages typed in the profile's form before the search were lost.
// The search now sends the profile's form: the page comes back with it as
// typed and what the search found, nothing saved; saving then saves all
// of it. In Dutch, in the browser.
func TestTheConflictSearchKeepsWhatWasTypedInTheProfile(t *testing.T) {
	w := newWorld(t)
	zoe := w.registerApplicant(t, "zoe.berg@voorbeeld.nl", "Zoë van den Berg")
	w.indexed(t)
	profile := func() map[string]any {
		return Expect(t, w.in.Get(t, "/api/v1/users/"+w.assessor.ID, w.admin), 200).Map(t)["assessor_profile"].(map[string]any)
	}
	before := profile()

	b := browser(t)
	b.base = w.in.URL
	b.login(AdminEmail, AdminPassword)
	b.lang("nl")
	b.open("/office/users/" + w.assessor.ID)
	if !js[bool](b, `document.querySelector("#f-schemes-EIA").checked`) {
		t.Fatal("the assessor's profile does not have EIA ticked to begin with")
	}
	b.click("#f-schemes-EIA")
	b.fill("#f-languages", "nl, de")
	b.fill("#f-conflict-q", "Zoë")
	b.submitAsking("#conflict-find")
	b.see("Zoë van den Berg")
	if js[bool](b, `document.querySelector("#f-schemes-EIA").checked`) || !js[bool](b, `document.querySelector("#f-schemes-EQA").checked`) {
		t.Error("after the search, the schemes are not as ticked")
	}
	if v := js[string](b, `document.querySelector("#f-languages").value`); v != "nl, de" {
		t.Errorf("after the search, the languages read %q, want %q as typed", v, "nl, de")
	}
	if p := profile(); !equalAny(p["schemes"], before["schemes"]) || !equalAny(p["languages"], before["languages"]) {
		t.Fatalf("the search saved the profile: %v, was %v", p, before)
	}
	b.click("#f-conflict-" + zoe.ID)
	b.submit("#profile-save")
	if !strings.Contains(b.path(), "ok=profile_saved") {
		t.Fatalf("saving the profile led to %s", b.path())
	}
	p := profile()
	if !equalAny(p["schemes"], []any{"EQA"}) || !equalAny(p["languages"], []any{"de", "nl"}) || !equalAny(p["conflicts"], []any{zoe.ID}) {
		t.Errorf("saved: %v; want EQA only, de and nl, and the conflict with Zoë", p)
	}
}

// TestEnterInTheProfileSavesIt: the conflict search is the profile form's
// first button, the one Enter in any of its fields sends; with no search
// typed, the form is saved, as Enter saved it before.
func TestEnterInTheProfileSavesIt(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	form := url.Values{"schemes": {"EIA"}, "max_level": {"practitioner"}, "languages": {"en, fr"}, "find_conflicts": {"yes"}, "conflict_q": {""}}
	if a := office.post("/office/users/"+w.assessor.ID+"/profile", form, true); !strings.Contains(a.Location, "ok=profile_saved") {
		t.Fatalf("Enter with no search: got %d to %q, want the profile saved", a.Status, a.Location)
	}
	p := Expect(t, w.in.Get(t, "/api/v1/users/"+w.assessor.ID, w.admin), 200).Map(t)["assessor_profile"].(map[string]any)
	if !equalAny(p["languages"], []any{"en", "fr"}) {
		t.Errorf("saved languages %v, want en and fr", p["languages"])
	}
}

// equalAny compares two JSON arrays of text.
func equalAny(a, b any) bool {
	as, _ := a.([]any)
	bs, _ := b.([]any)
	return slices.Equal(as, bs)
}
