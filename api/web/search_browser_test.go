package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// indexed waits until the search index holds every commit so far: the
// pages read it as it stands.
func (w *world) indexed(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a bound on a hang, not a speed
	defer cancel()
	if err := w.in.App.Search.WaitFor(ctx, w.in.App.Feed.Position()); err != nil {
		t.Fatalf("search index: %v", err)
	}
}

// TestTheOfficeSearchesInTheBrowser (issue 15 item 3): the office finds a
// case by its applicant's name (typed without the accent), by its
// programme, and by state and assessor, and opens it; finds a user by
// email; and declares a conflict of interest by searching for the
// applicant rather than scrolling a list of every applicant. In Dutch too.
func TestTheOfficeSearchesInTheBrowser(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	carlaCase := w.readyEIA(t, carla)
	zoe := w.registerApplicant(t, "zoe.berg@voorbeeld.nl", "Zoë van den Berg")
	zoeCase := w.openEQA(t, zoe, "practitioner", "nl", "Coachopleiding Plus", "Academie Noord")
	w.indexed(t)

	b := browser(t)
	b.base = w.in.URL
	b.login(AdminEmail, AdminPassword)
	rows := func() []string {
		return strings.Fields(js[string](b, `[...document.querySelectorAll("main tbody th a")].map(a => a.getAttribute("href")).join(" ")`))
	}
	find := func(fields map[string]string) []string {
		b.open("/office/search")
		for sel, v := range fields {
			if strings.HasPrefix(sel, "#f-q") {
				b.fill(sel, v)
			} else {
				b.set(sel, v)
			}
		}
		b.submit(`form[action="/office/search"] button[type=submit]`)
		return rows()
	}
	want := func(what string, got []string, ids ...string) {
		t.Helper()
		var paths []string
		for _, id := range ids {
			paths = append(paths, "/office/cases/"+id)
		}
		if !slices.Equal(got, paths) {
			t.Fatalf("%s: rows %v, want %v", what, got, paths)
		}
	}

	want("every case, newest first", find(nil), zoeCase, carlaCase)
	want("zoe", find(map[string]string{"#f-q": "zoe berg"}), zoeCase)
	b.see("Zoë van den Berg", "zoe.berg@voorbeeld.nl", "Coachopleiding Plus", "Academie Noord")
	want("the programme", find(map[string]string{"#f-q": "opleiding"})) // a word's start, not its middle
	want("the programme's start", find(map[string]string{"#f-q": "coachopl"}), zoeCase)
	want("state", find(map[string]string{"#f-state": "draft", "#f-scheme": "EIA"}), carlaCase)
	want("an assessor who holds none", find(map[string]string{"#f-assessor": w.assessor.ID}))
	b.open("/office/search?q=carla")
	b.submit(`main tbody th a[href="/office/cases/` + carlaCase + `"]`)
	if b.path() != "/office/cases/"+carlaCase {
		t.Fatalf("the found case's link leads to %s", b.path())
	}

	// Users by email, and by role.
	b.open("/office/users")
	b.fill("#f-q", "voorbeeld")
	b.submit(`form[action="/office/users"] button[type=submit]`)
	if got := rows(); !slices.Equal(got, []string{"/office/users/" + zoe.ID}) {
		t.Fatalf("users by email: %v", got)
	}
	b.open("/office/users?role=assessor")
	if got := rows(); !slices.Equal(got, []string{"/office/users/" + w.assessor.ID, "/office/users/" + w.verifier.ID}) {
		t.Fatalf("assessors: %v", got)
	}

	// The conflict picker searches; a ticked applicant is saved.
	b.open("/office/users/" + w.assessor.ID)
	if n := js[int](b, `document.querySelectorAll("#f-conflicts input[type=checkbox]").length`); n != 0 {
		t.Fatalf("the picker lists %d applicants before a search", n)
	}
	b.fill("#f-conflict-q", "Zoë")
	b.submit("#conflict-find")
	b.see("Zoë van den Berg")
	b.click("#f-conflict-" + zoe.ID)
	b.submit("#profile-save")
	if !strings.Contains(b.path(), "ok=profile_saved") {
		t.Fatalf("saving the profile led to %s", b.path())
	}
	if !js[bool](b, `document.querySelector("#f-conflict-`+zoe.ID+`").checked`) {
		t.Fatal("the declared conflict is not shown ticked")
	}
	prof := Expect(t, w.in.Get(t, "/api/v1/users/"+w.assessor.ID, w.admin), 200).Map(t)["assessor_profile"].(map[string]any)
	if c := prof["conflicts"].([]any); len(c) != 1 || c[0] != zoe.ID {
		t.Fatalf("conflicts saved: %v", c)
	}

	b.lang("nl")
	b.open("/office/search?q=academie")
	b.see("Dossier zoeken", "Coachopleiding Plus")
	want("in Dutch", rows(), zoeCase)
}
