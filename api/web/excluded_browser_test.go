package web_test

import (
	"slices"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// excludedWorld is a world with three more assessors, each left out for
// its own reasons, and Carla's EIA practitioner case in English, accepted
// and awaiting assessment.
func excludedWorld(t *testing.T) (w *world, carla User, caseID string, dirk, connie, pat User) {
	w = newWorld(t)
	carla = w.registerApplicant(t, "carla@example.org", "Carla Coach")
	dirk = w.in.CreateUser(t, w.admin, "assessor", "dirk@example.org", "Dirk Dutch")
	Expect(t, w.in.Put(t, "/api/v1/users/"+dirk.ID+"/assessor-profile", w.admin, map[string]any{
		"schemes": []string{"EQA"}, "max_level": "foundation", "languages": []string{"nl"}, "conflicts": []string{}}), 200)
	connie = w.in.CreateUser(t, w.admin, "assessor", "connie@example.org", "Connie Conflict")
	Expect(t, w.in.Put(t, "/api/v1/users/"+connie.ID+"/assessor-profile", w.admin, map[string]any{
		"schemes": []string{"EIA"}, "max_level": "master_practitioner", "languages": []string{"en"}, "conflicts": []string{carla.ID}}), 200)
	pat = w.in.CreateUser(t, w.admin, "assessor", "pat@example.org", "Pat Noprofile")
	caseID = w.readyEIA(t, carla)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/submit", carla.Token, declared), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+caseID+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200))
	return w, carla, caseID, dirk, connie, pat
}

// TestExcludedAssessorsInTheBrowser (issue 15 item 5): on the office's case
// page, the active assessors who are not offered for a role are listed with
// each reason in words and a link to their profile: folded away while some
// qualify, open when none does; the assessor who holds one role is left out
// of the other for that. In English and Dutch. The API's refusal keeps its
// English reasons.
func TestExcludedAssessorsInTheBrowser(t *testing.T) {
	w, carla, id, dirk, connie, pat := excludedWorld(t)
	// The API refuses Dirk with the reasons it always gave.
	r := Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/assignments", w.admin, map[string]string{"assessor_id": dirk.ID, "role": "assessor"}), 422)
	var reasons []string
	for _, v := range r.Map(t)["reasons"].([]any) {
		reasons = append(reasons, v.(string))
	}
	if want := []string{"not qualified for EIA", `qualified up to "foundation", below the case level "practitioner"`, `does not assess in the case language "en"`}; !slices.Equal(reasons, want) {
		t.Fatalf("the problem's reasons: got %q, want %q", reasons, want)
	}

	b := browser(t)
	b.base = w.in.URL
	b.login(AdminEmail, AdminPassword)
	b.open("/office/cases/" + id)
	rowOf := func(role, userID string) string {
		return js[string](b, `(document.querySelector("#excluded-`+role+` tr[data-assessor='`+userID+`']") || {innerText: ""}).innerText`)
	}
	// Anna and Victor qualify: the list is there, folded.
	if open := js[bool](b, `document.querySelector("#excluded-assessor").open`); open {
		t.Fatal("the excluded list is open while assessors qualify; want it folded")
	}
	if got := b.text("#excluded-assessor summary"); got != "Assessors left out of the role of assessor (3)" {
		t.Fatalf("the summary reads %q", got)
	}
	b.click("#excluded-assessor summary")
	for who, want := range map[User][]string{
		dirk:   {"Dirk Dutch", "Not qualified for EIA.", "Qualified up to Foundation, below the case level (Practitioner).", "Does not assess in English, the language of the case."},
		connie: {"Connie Conflict", "Declared a conflict of interest with the applicant."},
		pat:    {"Pat Noprofile", "Not qualified for EIA.", "No level in the profile; the case is at Practitioner.", "Does not assess in English"},
	} {
		row := rowOf("assessor", who.ID)
		for _, s := range want {
			if !strings.Contains(row, s) {
				t.Fatalf("the row of %s reads %q; want %q in it", who.Name, row, s)
			}
		}
	}
	for _, qualified := range []User{w.assessor, w.verifier} {
		if row := rowOf("assessor", qualified.ID); row != "" {
			t.Fatalf("a qualified assessor is listed as left out: %q", row)
		}
	}
	if n := js[int](b, `[...document.querySelectorAll("#excluded-assessor tbody tr")].filter(tr => tr.innerText.includes("Carla")).length`); n != 0 {
		t.Fatal("an applicant (not an assessor) is listed among the assessors left out")
	}
	// Each name leads to the profile, where the office mends it.
	b.submit(`#excluded-assessor a[href="/office/users/` + pat.ID + `"]`)
	if p := b.path(); p != "/office/users/"+pat.ID {
		t.Fatalf("the profile link leads to %s", p)
	}
	b.lang("nl")
	b.open("/office/cases/" + id)
	b.click("#excluded-assessor summary")
	b.see("Assessoren niet aangeboden voor de rol van assessor (3)", "Niet bevoegd voor EIA.",
		"Bevoegd tot Foundation, onder het niveau van het dossier (Practitioner).",
		"Beoordeelt niet in het Engels, de taal van het dossier.", "Heeft een belangenconflict met de aanvrager gemeld.",
		"Geen niveau in het profiel; het dossier is op Practitioner.")
	b.lang("en")

	// Anna takes the assessor role; Victor stays qualified as verifier, and
	// Anna is left out of that role, being the assessor.
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/claim", w.assessor.Token, map[string]string{"role": "assessor"}), 200))
	b.open("/office/cases/" + id)
	b.click("#excluded-verifier summary")
	if row := rowOf("verifier", w.assessor.ID); !strings.Contains(row, "Already the assessor of this case: the assessor and the verifier are two different people.") {
		t.Fatalf("Anna's row for the verifier role reads %q", row)
	}

	// A case in German: no one qualifies, and the list is open at once.
	de := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "de"}), 201).Map(t)["id"].(string)
	w.fillEIA(t, carla, de)
	Expect(t, w.in.Post(t, "/api/v1/cases/"+de+"/submit", carla.Token, declared), 200)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+de+"/screening", w.admin, map[string]string{"outcome": "accepted"}), 200))
	b.open("/office/cases/" + de)
	b.see("No assessor is qualified for the role of assessor on this case.", "Assessors left out of the role of assessor (5)")
	if open := js[bool](b, `document.querySelector("#excluded-assessor").open`); !open {
		t.Fatal("no assessor qualifies, yet the excluded list is folded")
	}
	if row := rowOf("assessor", w.assessor.ID); !strings.Contains(row, "Does not assess in German, the language of the case.") {
		t.Fatalf("Anna's row on the German case reads %q", row)
	}
	b.shoot("excluded-assessors")
	b.lang("nl")
	b.see("Beoordeelt niet in het Duits, de taal van het dossier.")
}
