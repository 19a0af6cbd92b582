package web_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// Issue 15: one save of the self-assessment (six categories, six events in
// one commit) read "Self-assessment updated (6 times)". The timeline counts
// saves, not events.
func TestTheTimelineCountsSavesNotEvents(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	id := Expect(t, w.in.Post(t, "/api/v1/cases", carla.Token, map[string]any{"scheme": "EIA", "level": "practitioner", "language": "en"}), 201).Map(t)["id"].(string)
	save := func() {
		t.Helper()
		var cats []map[string]any
		for cat := 3; cat <= 8; cat++ {
			cats = append(cats, map[string]any{"category": cat, "statement": fmt.Sprintf("How I work on category %d", cat)})
		}
		Expect(t, w.in.Put(t, "/api/v1/cases/"+id+"/self-assessment", carla.Token, map[string]any{"categories": cats}), 200)
	}
	c := w.client(t)
	c.login(carla.Email, carla.Password)
	save()
	page := c.get("/applications/" + id).Body
	if !strings.Contains(page, "Self-assessment updated") || strings.Contains(page, "times)") {
		t.Fatal("after one save the timeline does not show one self-assessment update")
	}
	save()
	if page := c.get("/applications/" + id).Body; !strings.Contains(page, "Self-assessment updated</strong> (2 times)") {
		t.Fatal("after two saves the timeline does not say 2 times")
	}
}
