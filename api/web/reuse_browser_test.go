package web_test

import (
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestASecondApplicationReusesTheFigures (issue 15 item 5): an applicant
// who applied before is offered the figures of that application on the new
// one's portfolio page; following the offer fills the form (nothing saved
// yet), and saving it records them on the new application. Someone else's
// case cannot be used.
func TestASecondApplicationReusesTheFigures(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	first, _, _ := w.awardedCase(t, carla)
	second := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "senior_practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	portfolio := func() map[string]any {
		return Expect(t, w.in.Get(t, "/api/v1/cases/"+second, carla.Token), 200).Map(t)["portfolio"].(map[string]any)
	}

	b := browser(t)
	b.base = w.in.URL
	b.login(carla.Email, carla.Password)
	b.open("/applications/" + second + "/portfolio")
	if v := js[string](b, `document.querySelector("#f-client_hours").value`); v != "" {
		t.Fatalf("the new application's form starts with client hours %q", v)
	}
	b.see("You applied before")
	b.submit(`#reuse a[href="?from=` + first + `"]`)
	b.see("The form holds the figures of your application of")
	if v := js[string](b, `document.querySelector("#f-client_hours").value`); v != "140" {
		t.Fatalf("client hours after reusing: %q, want 140", v)
	}
	if h := portfolio()["client_hours"]; h != nil && h != 0.0 {
		t.Fatalf("reusing saved the figures before the applicant did: %v", h)
	}
	b.submit(`form[action$="/portfolio"] button[type=submit]`)
	if !strings.Contains(b.path(), "ok=") {
		t.Fatalf("saving led to %s", b.path())
	}
	if p := portfolio(); p["client_hours"] != 140.0 || p["client_count"] != 14.0 || p["first_practice_date"] != "2021-01-15" {
		t.Fatalf("the new application's portfolio after saving: %v", p)
	}

	// Another applicant's case is not offered and cannot be named.
	zoe := w.registerApplicant(t, "zoe@example.org", "Zoe Zeeman")
	zoeCase := Expect(t, w.in.Post(t, "/api/v1/cases", zoe.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	c := w.client(t)
	c.login(zoe.Email, zoe.Password)
	if a := c.get("/applications/" + zoeCase + "/portfolio?from=" + first); a.Status != 404 {
		t.Fatalf("zoe filling her form from carla's application: got %d, want 404", a.Status)
	}
	if a := c.get("/applications/" + zoeCase + "/portfolio"); strings.Contains(a.Body, `id="reuse"`) {
		t.Fatal("an applicant with no earlier application is offered one")
	}
}
